"""HTTP routes on Streamlit's own server: clip playback by signed, expiring URL.

``st.video(path)`` would load a whole clip into the server's memory for every viewer; a route that
streams the file (with HTTP range requests, so browsers can seek) keeps memory flat. The URL carries a
signed token naming one stored file; it expires, and nobody can forge or guess one for another clip.
Plain Starlette: no Streamlit import.
"""

from __future__ import annotations

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import Route

from verp.core.config import Settings, load_settings
from verp.web_downloads import download_routes
from verp.web_uploads import upload_routes

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


def routes() -> list[Route]:
    media = Route(MEDIA_ROUTE + "/{token}", serve_media, methods=["GET", "HEAD"])
    return [media, *download_routes(), *upload_routes()]
