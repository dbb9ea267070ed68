"""Summary and guider's log downloads by signed, short-lived link: built when fetched, not by a rerun.

A download button in a page hands the browser a file the page built during a run; a rerun in between
(a room live on the same server reruns pages all the time) can drop that file before the browser asks
for it. A link to a route of the server instead carries a signed token naming the person, the workshop
and the kind of file; fetching it checks the person against the database *now* and builds the file
there and then. Plain Starlette: no Streamlit import.
"""

from __future__ import annotations

from urllib.parse import quote

from itsdangerous import BadSignature
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from verp.core import sessions, signing
from verp.core.config import Settings, load_settings
from verp.core.store import Store
from verp.records import downloads
from verp.web_store import route_store

DOWNLOAD_ROUTE = "/api/download"
LINK_MAX_AGE_S = 30 * 60
EXPIRED = "This download link has expired. Please go back, reload the page and try again."
NO_STORE = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
DOWNLOAD_SALT = "verp-download"


def download_token(settings: Settings, person_id: int, workshop_id: int, kind: str) -> str:
    """A token for one kind of file of one workshop, for one person (the same all through a minute)."""
    return signing.sign(settings.secret_key(), DOWNLOAD_SALT, {"p": person_id, "w": workshop_id, "k": kind})


def download_path(settings: Settings, person_id: int, workshop_id: int, kind: str) -> str:
    """The server-relative address a page links to (the same origin as the page itself)."""
    return f"{DOWNLOAD_ROUTE}/{download_token(settings, person_id, workshop_id, kind)}"


def audit_log_path(settings: Settings, person_id: int) -> str:
    """The address of the audit log as ``person_id`` may read it, as CSV: no workshop in it."""
    return download_path(settings, person_id, downloads.NO_WORKSHOP, downloads.AUDIT_LOG_CSV)


def guider_log_path(settings: Settings, person_id: int, kind: str) -> str:
    """The address of a guider's own log (``downloads.GUIDER_LOG_PDF`` or ``GUIDER_LOG_CSV``): no
    workshop in it."""
    return download_path(settings, person_id, downloads.NO_WORKSHOP, kind)


def read_download_token(
    settings: Settings, token: str, max_age_s: int | None = None
) -> tuple[int, int, str] | None:
    """``(person_id, workshop_id, kind)`` from a valid, unexpired token; None otherwise."""
    max_age = LINK_MAX_AGE_S if max_age_s is None else max_age_s
    try:
        claims = signing.serializer(settings.secret_key(), DOWNLOAD_SALT).loads(token, max_age=max_age)
    except BadSignature:
        return None
    if not isinstance(claims, dict):
        return None
    person_id, workshop_id, kind = claims.get("p"), claims.get("w"), claims.get("k")
    if not (isinstance(person_id, int) and isinstance(workshop_id, int) and isinstance(kind, str)):
        return None
    return (person_id, workshop_id, kind) if downloads.split_kind(kind) is not None else None


def attachment(name: str) -> str:
    """A Content-Disposition that saves the file under ``name`` (made ASCII-safe either way)."""
    kept = "".join(ch for ch in name if ch.isascii() and (ch.isalnum() or ch in "-_.")).lstrip(".")
    ascii_name = kept or "download"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


def _kept_by_its_person(store: Store, cookie: str | None, token: str) -> tuple[int, int, str] | None:
    """A link past its time still downloads in the browser of the person it was made for, while they are
    signed in there: a Summary left open through a long session still hands over its PDF. Whether that
    person may have the file is asked when it is built, as for any link."""
    claims = read_download_token(store.settings, token, max_age_s=sessions.KEPT_LINK_S)
    return claims if claims and sessions.signed_in_as(store, cookie, claims[0]) else None


async def serve_download(request: Request) -> Response:
    """Build and hand over one file to whoever holds a valid link and may still have it."""
    settings = load_settings()
    store = route_store(settings)
    token = request.path_params["token"]
    claims = read_download_token(settings, token)
    if claims is None:
        cookie = request.cookies.get(sessions.SESSION_COOKIE)
        claims = await run_in_threadpool(_kept_by_its_person, store, cookie, token)
    if claims is None:
        return PlainTextResponse(EXPIRED, status_code=403, headers=NO_STORE)
    try:
        file = await run_in_threadpool(downloads.build_download, store, *claims)
    except downloads.WorkshopGone as exc:
        return PlainTextResponse(str(exc), status_code=404, headers=NO_STORE)
    except downloads.DownloadError as exc:
        return PlainTextResponse(str(exc), status_code=403, headers=NO_STORE)
    headers = {**NO_STORE, "Content-Disposition": attachment(file.name)}
    return Response(file.body, media_type=file.media_type, headers=headers)


def download_routes() -> list[Route]:
    return [Route(DOWNLOAD_ROUTE + "/{token}", serve_download, methods=["GET"])]
