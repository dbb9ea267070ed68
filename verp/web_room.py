"""The projector's question, by HTTP: has anything it shows changed? (see ``verp.workshop.room_signal``).

The link names the room by a signed token that the pages of the room hand their screens
(``room_signal.follow_token``); the answer is only version numbers and digests.
Plain Starlette: no Streamlit import.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from verp.core.config import Settings
from verp.core.errors import VerpError
from verp.core.store import Store
from verp.web_store import route_store
from verp.workshop.room_signal import (
    RoomSignal,
    follow_token,
    follow_token_workshop_id,
    recent_room_signal,
)

ROOM_ROUTE = "/api/room"
NO_STORE = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}


def room_signal_path(settings: Settings, workshop_id: int) -> str:
    """The server-relative address a screen of the room asks (the same origin as its page)."""
    return f"{ROOM_ROUTE}/{follow_token(settings, workshop_id)}"


def _signal(store: Store, token: str) -> RoomSignal | None:
    workshop_id = follow_token_workshop_id(store.settings, token)
    try:
        return None if workshop_id is None else recent_room_signal(store, workshop_id)
    except VerpError:  # the workshop is gone (its records were purged)
        return None


async def serve_room_signal(request: Request) -> Response:
    signal = await run_in_threadpool(_signal, route_store(), request.path_params["token"])
    if signal is None:
        return JSONResponse({"gone": True}, status_code=403, headers=NO_STORE)
    return JSONResponse(signal.as_json(), headers=NO_STORE)


def room_routes() -> list[Route]:
    return [Route(ROOM_ROUTE + "/{token}", serve_room_signal, methods=["GET"])]
