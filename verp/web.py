"""HTTP routes on Streamlit's own server: clip playback by short-lived URL, checked at every request.

``st.video(path)`` would load a whole clip into the server's memory for every viewer; a route that
streams the file (with HTTP range requests, so browsers can seek) keeps memory flat. The URL carries a
signed token naming one stored file, its purpose and its viewer (a :class:`Grant`): the owner reviewing
their clip; a facilitator looking at a moment shown in their planned or live workshop (Plan, Control);
the projector of such a workshop (Present); the guider of a one-to-one review looking at a moment chosen
for it. It lives minutes, pages sign it again as they redraw, and
every request asks the database (:mod:`verp.room.shown`) whether that viewer may still watch: a withdrawal,
a removal, a close, a deletion or a delete-by date passing ends the link at once.
Plain Starlette: no Streamlit import.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from itsdangerous import BadSignature
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import Route

from verp.core import limits, sessions, signing
from verp.core.config import Settings, load_settings
from verp.core.models import Moment
from verp.core.sessions import SESSION_COOKIE
from verp.core.store import Store
from verp.core.text import whole_number
from verp.room.shown import Viewer, may_watch, may_watch_clip
from verp.web_downloads import download_routes
from verp.web_room import room_routes
from verp.web_store import route_store
from verp.web_uploads import upload_routes
from verp.workshop import reflections

MEDIA_ROUTE = "/api/media"
URL_MAX_AGE_S = 15 * 60  # a link must start playing within minutes of being drawn; requests then re-check
URL_STEP_S = signing.STEP_S  # links drawn in the same minute are the same URL (``verp.core.signing``)
RENEW_AFTER_S = URL_MAX_AGE_S // 2  # an open page draws its players again before their links run out
MEDIA_TYPES = {
    ".mp4": "video/mp4",
    ".jpg": "image/jpeg",
    ".png": "image/png",
    ".webm": "video/webm",
    ".vtt": "text/vtt",
}
PURPOSES = ("review", "plan", "control", "present", "one_to_one")
REFUSED = "This video is no longer available here. Please reload the page."


@dataclass(frozen=True)
class Grant:
    """What one playback link lets its holder watch, and why."""

    purpose: str  # review (the owner) | plan, control (the facilitator) | present (the projector)
    # | one_to_one (the guider of a one-to-one review)
    person_id: int | None = None
    workshop_id: int | None = None
    moment_id: int | None = None
    clip_id: str | None = None
    one_to_one_id: int | None = None

    @classmethod
    def owner(cls, person_id: int, clip_id: str) -> Grant:
        """The owner watching their own clip or one of its moments (My clips, Review)."""
        return cls("review", person_id=person_id, clip_id=clip_id)

    @classmethod
    def facilitator(cls, person_id: int, workshop_id: int, moment_id: int, purpose: str = "control") -> Grant:
        """A facilitator looking at a moment shown in their workshop (Plan, Control)."""
        return cls(purpose, person_id=person_id, workshop_id=workshop_id, moment_id=moment_id)

    @classmethod
    def guider(cls, person_id: int, one_to_one_id: int, moment_id: int) -> Grant:
        """The guider of a one-to-one review looking at a moment chosen for it."""
        return cls("one_to_one", person_id=person_id, one_to_one_id=one_to_one_id, moment_id=moment_id)

    @classmethod
    def projector(cls, workshop_id: int, moment_id: int) -> Grant:
        """The Present screen of one workshop showing one of its moments."""
        return cls("present", workshop_id=workshop_id, moment_id=moment_id)


MEDIA_SALT = "verp-media-grant"


def media_token(settings: Settings, stored_name: str, grant: Grant) -> str:
    """A token for one stored file (a name under the clips folder, such as ``<clip>/playable.mp4``)."""
    if grant.purpose not in PURPOSES:
        raise ValueError(f"unknown purpose {grant.purpose!r}")
    return signing.sign(settings.secret_key(), MEDIA_SALT, {"f": stored_name, **asdict(grant)})


def media_url(settings: Settings, origin: str, stored_name: str, grant: Grant) -> str:
    """The absolute URL a browser plays the stored file from."""
    return f"{origin.rstrip('/')}{MEDIA_ROUTE}/{media_token(settings, stored_name, grant)}"


def read_token(settings: Settings, token: str, max_age_s: int = URL_MAX_AGE_S) -> tuple[str, Grant] | None:
    """The file and grant a token names, or None when it is forged or too old."""
    try:
        data = signing.serializer(settings.secret_key(), MEDIA_SALT).loads(token, max_age=max_age_s)
        name = data.pop("f")
        grant = Grant(**data)
    except (BadSignature, TypeError, KeyError, AttributeError):
        return None
    return (name, grant) if isinstance(name, str) and grant.purpose in PURPOSES else None


def may_serve(store: Store, name: str, grant: Grant) -> bool:
    """Does the database still let this grant's viewer watch this file? Asked on every request."""
    with store.transaction() as s:
        if grant.purpose == "review":
            clip_id, person_id = grant.clip_id, grant.person_id
            in_clip = bool(clip_id) and name.startswith(f"{clip_id}/")
            return in_clip and person_id is not None and may_watch_clip(s, person_id, str(clip_id))
        if grant.purpose == "one_to_one":
            return _may_serve_one_to_one(s, name, grant)
        if grant.moment_id is None or grant.workshop_id is None:
            return False
        moment = s.get(Moment, grant.moment_id)
        if moment is None or not name.startswith(f"{moment.clip_id}/"):
            return False
        if grant.purpose == "present":
            viewer = Viewer(projector_of=grant.workshop_id)
        else:
            viewer = Viewer(person_id=grant.person_id)
        return may_watch(s, viewer, grant.moment_id, grant.workshop_id)


def _may_serve_one_to_one(s, name: str, grant: Grant) -> bool:
    if grant.moment_id is None or grant.one_to_one_id is None or grant.person_id is None:
        return False
    moment = s.get(Moment, grant.moment_id)
    if moment is None or not name.startswith(f"{moment.clip_id}/"):
        return False
    viewer = Viewer(person_id=grant.person_id)
    return may_watch(s, viewer, grant.moment_id, one_to_one_id=grant.one_to_one_id)


def _kept_by_its_viewer(settings: Settings, cookie: str | None, token: str) -> tuple[str, Grant] | None:
    """A link past its minutes still plays in the browser of the person it was made for, while they are
    signed in there: a page left open (Review while a teacher marks moments, Plan, Control) keeps its
    video, seeking included. Elsewhere it has run out, as before; and every request still asks whether
    that person may watch. The projector's links name no person: Present draws them again instead."""
    found = read_token(settings, token, max_age_s=sessions.KEPT_LINK_S)
    if found is None or found[1].person_id is None:
        return None
    return found if sessions.signed_in_as(route_store(settings), cookie, found[1].person_id) else None


async def serve_media(request: Request) -> Response:
    """Stream one stored file to a browser whose link is recent and whose viewer may still watch it."""
    settings = load_settings()
    token = request.path_params["token"]
    found = read_token(settings, token)
    if found is None:
        cookie = request.cookies.get(SESSION_COOKIE)
        found = await run_in_threadpool(_kept_by_its_viewer, settings, cookie, token)
    if found is None:
        return PlainTextResponse("This link has expired. Please reload the page.", status_code=403)
    name, grant = found
    if not await run_in_threadpool(may_serve, route_store(settings), name, grant):
        return PlainTextResponse(REFUSED, status_code=403)
    root = settings.clips_dir.resolve()
    path = (root / name).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        return PlainTextResponse("This video is no longer here.", status_code=404)
    media_type = MEDIA_TYPES.get(path.suffix.lower(), "application/octet-stream")
    # Video of children must not linger in a shared laptop's browser cache.
    headers = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
    return FileResponse(path, media_type=media_type, headers=headers)


SESSION_ROUTE = "/api/session"


def _is_https(request: Request) -> bool:
    """HTTPS as the browser sees it: directly, or at a trusted reverse proxy that says so."""
    if request.url.scheme == "https":
        return True
    proto = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    return proto == "https" and _peer_trusted(request, route_store().settings)


def _peer_trusted(request: Request, settings: Settings) -> bool:
    """Whether the direct peer is a listed proxy (the same rule as for ``X-Forwarded-For``)."""
    peer = request.client.host if request.client else None
    probe = {"x-forwarded-for": "192.0.2.1"}  # believed only from a trusted peer
    return limits.client_address(peer, probe, settings.trusted_proxies) == "192.0.2.1"


def _cookie(request: Request, name: str, value: str | None) -> Response:
    """An answer that sets (``value``) or clears (None) one of the app's cookies: HttpOnly, sent only to
    this site, over HTTPS when the browser uses it. No max-age: it ends when the browser closes, so the
    next person on a shared laptop starts afresh."""
    answer = Response(status_code=204, headers={"Cache-Control": "no-store"})
    secure = _is_https(request)
    if value is None:
        answer.delete_cookie(name, path="/", httponly=True, samesite="strict", secure=secure)
    else:
        answer.set_cookie(name, value, path="/", httponly=True, samesite="strict", secure=secure)
    return answer


SMALL_BODY = 1024  # a sign-in ticket or a phone's kept place is under a hundred characters
TOO_LARGE = "That request is too large."


async def _small_body(request: Request) -> str | None:
    """The body of a request to a route anyone may call, if it is small; reading stops past
    ``SMALL_BODY`` bytes, so an endless body never fills the server's memory."""
    if (whole_number(request.headers.get("content-length")) or 0) > SMALL_BODY:
        return None
    body = bytearray()
    async for part in request.stream():
        body += part
        if len(body) > SMALL_BODY:
            return None
    return body.decode(errors="replace").strip()


async def start_session_cookie(request: Request) -> Response:
    """Swap a one-time sign-in ticket (the request's body) for the HttpOnly session cookie (the session
    itself also expires on the server after a working day)."""
    ticket = await _small_body(request)
    if ticket is None:
        return PlainTextResponse(TOO_LARGE, status_code=413)
    token = await run_in_threadpool(sessions.redeem_ticket, route_store(), ticket)
    if not token:
        return PlainTextResponse("This sign-in has expired. Please sign in again.", status_code=403)
    return _cookie(request, SESSION_COOKIE, token)


async def end_session_cookie(request: Request) -> Response:
    """Sign this browser out: end the session its cookie names and clear the cookie."""
    await run_in_threadpool(sessions.end_session_of_token, route_store(), request.cookies.get(SESSION_COOKIE))
    return _cookie(request, SESSION_COOKIE, None)


JOIN_ROUTE = "/api/join"
JOIN_COOKIE = "verp_joined"


async def keep_joined(request: Request) -> Response:
    """Keep a phone's place in its room (the request's body: ``reflections.kept``) in an HttpOnly
    cookie, so that after a server restart or a reload it is back in the room without joining again.
    It opens nothing once the workshop has closed."""
    value = await _small_body(request)
    if value is None:
        return PlainTextResponse(TOO_LARGE, status_code=413)
    if await run_in_threadpool(reflections.rejoin, route_store(), value) is None:
        return PlainTextResponse("That workshop has closed, or this device is not in it.", status_code=403)
    return _cookie(request, JOIN_COOKIE, value)


async def forget_joined(request: Request) -> Response:
    """The phone left its room ("Join another workshop"): it keeps no place in it."""
    return _cookie(request, JOIN_COOKIE, None)


def routes() -> list[Route]:
    return [
        Route(MEDIA_ROUTE + "/{token}", serve_media, methods=["GET", "HEAD"]),
        Route(SESSION_ROUTE, start_session_cookie, methods=["POST"]),
        Route(SESSION_ROUTE, end_session_cookie, methods=["DELETE"]),
        Route(JOIN_ROUTE, keep_joined, methods=["POST"]),
        Route(JOIN_ROUTE, forget_joined, methods=["DELETE"]),
        *download_routes(),
        *room_routes(),
        *upload_routes(),
    ]
