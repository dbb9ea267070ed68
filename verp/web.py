"""HTTP routes on Streamlit's own server: clip playback by signed, expiring URL.

``st.video(path)`` would load a whole clip into the server's memory for every viewer; a route that
streams the file (with HTTP range requests, so browsers can seek) keeps memory flat. The URL carries a
signed token naming one stored file; it expires, and nobody can forge or guess one for another clip.
Plain Starlette: no Streamlit import.
"""

from __future__ import annotations

import threading

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import Route

from verp.core import limits, sessions
from verp.core.config import Settings, load_settings
from verp.core.store import Store

MEDIA_ROUTE = "/api/media"
URL_MAX_AGE_S = 6 * 3600
MEDIA_TYPES = {".mp4": "video/mp4", ".jpg": "image/jpeg", ".png": "image/png", ".webm": "video/webm"}


def _serializer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.secret_key(), salt="verp-media")


def media_token(settings: Settings, stored_name: str) -> str:
    """A token for one stored file (a name under the clips folder, such as ``<clip>/playable.mp4``)."""
    return _serializer(settings).dumps(stored_name)


def media_url(settings: Settings, origin: str, stored_name: str) -> str:
    """The absolute URL a browser plays the stored file from."""
    return f"{origin.rstrip('/')}{MEDIA_ROUTE}/{media_token(settings, stored_name)}"


def stored_name_from_token(settings: Settings, token: str, max_age_s: int = URL_MAX_AGE_S) -> str | None:
    try:
        return _serializer(settings).loads(token, max_age=max_age_s)
    except BadSignature:
        return None


async def serve_media(request: Request) -> Response:
    """Stream one stored file to a browser that holds a valid, unexpired token for it."""
    settings = load_settings()
    name = stored_name_from_token(settings, request.path_params["token"])
    if not isinstance(name, str):
        return PlainTextResponse("This link has expired. Please reload the page.", status_code=403)
    root = settings.clips_dir.resolve()
    path = (root / name).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        return PlainTextResponse("This video is no longer here.", status_code=404)
    media_type = MEDIA_TYPES.get(path.suffix.lower(), "application/octet-stream")
    # Video of children must not linger in a shared laptop's browser cache.
    headers = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
    return FileResponse(path, media_type=media_type, headers=headers)


SESSION_ROUTE = "/api/session"
SESSION_COOKIE = "verp_session"
_stores: dict[tuple[str, str], Store] = {}
_stores_lock = threading.Lock()


def _store() -> Store:
    """One store per data folder and database for this server's routes (opened at first use)."""
    settings = load_settings()
    key = (str(settings.data_dir), settings.database_url)
    with _stores_lock:
        if key not in _stores:
            _stores[key] = Store.open(settings)
        return _stores[key]


def _is_https(request: Request) -> bool:
    """HTTPS as the browser sees it: directly, or at a trusted reverse proxy that says so."""
    if request.url.scheme == "https":
        return True
    proto = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    return proto == "https" and _peer_trusted(request, _store().settings)


def _peer_trusted(request: Request, settings: Settings) -> bool:
    """Whether the direct peer is a listed proxy (the same rule as for ``X-Forwarded-For``)."""
    peer = request.client.host if request.client else None
    probe = {"x-forwarded-for": "192.0.2.1"}  # believed only from a trusted peer
    return limits.client_address(peer, probe, settings.trusted_proxies) == "192.0.2.1"


async def start_session_cookie(request: Request) -> Response:
    """Swap a one-time sign-in ticket (the request's body) for the HttpOnly session cookie."""
    ticket = (await request.body()).decode(errors="replace").strip()
    token = await run_in_threadpool(sessions.redeem_ticket, _store(), ticket)
    if not token:
        return PlainTextResponse("This sign-in has expired. Please sign in again.", status_code=403)
    answer = Response(status_code=204, headers={"Cache-Control": "no-store"})
    # No max-age: a session cookie ends when the browser closes, so the next person on a shared laptop
    # starts signed out; the session itself also expires on the server after a working day.
    answer.set_cookie(
        SESSION_COOKIE, token, path="/", httponly=True, samesite="strict", secure=_is_https(request)
    )
    return answer


async def end_session_cookie(request: Request) -> Response:
    """Sign this browser out: end the session its cookie names and clear the cookie."""
    await run_in_threadpool(sessions.end_session_of_token, _store(), request.cookies.get(SESSION_COOKIE))
    answer = Response(status_code=204, headers={"Cache-Control": "no-store"})
    answer.delete_cookie(
        SESSION_COOKIE, path="/", httponly=True, samesite="strict", secure=_is_https(request)
    )
    return answer


def routes() -> list[Route]:
    return [
        Route(MEDIA_ROUTE + "/{token}", serve_media, methods=["GET", "HEAD"]),
        Route(SESSION_ROUTE, start_session_cookie, methods=["POST"]),
        Route(SESSION_ROUTE, end_session_cookie, methods=["DELETE"]),
    ]
