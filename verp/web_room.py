"""The projector's question, by HTTP: has anything it shows changed? (see ``verp.workshop.room_signal``).

The link names the room by a signed token that the pages of the room hand their screens
(``room_signal.follow_token``); the answer is only version numbers and digests.

A screen that says what it drew (``?v=…&wall=…&watch=wall``) is answered when that changes, or after
``HOLD_S``: the request waits on the server, woken the moment a page of this server commits a write
(``verp.core.changes``) and looking again every ``LOOK_S`` for writes of other instances. So the projector
follows Control within a page run, not a polling interval, and an idle room costs a request a screen
every ``HOLD_S``. Without what it drew, the answer comes at once.
Plain Starlette: no Streamlit import.
"""

from __future__ import annotations

import contextlib
import signal
import time

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from verp.core import changes
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
HOLD_S = 15.0  # a waiting request is answered after this long even if nothing changed
LOOK_S = 0.5  # a waiting request looks this often for writes committed by other instances
WATCHABLE = ("wall", "waiting", "sound")
NO_STORE = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}


def room_signal_path(settings: Settings, workshop_id: int) -> str:
    """The server-relative address a screen of the room asks (the same origin as its page)."""
    return f"{ROOM_ROUTE}/{follow_token(settings, workshop_id)}"


def _signal(store: Store, token: str, newer_than: int = -1) -> tuple[RoomSignal, int] | None:
    workshop_id = follow_token_workshop_id(store.settings, token)
    try:
        return None if workshop_id is None else recent_room_signal(store, workshop_id, newer_than)
    except VerpError:  # the workshop is gone (its records were purged)
        return None


def _drawn(query) -> tuple[RoomSignal, tuple[str, ...]] | None:
    """What the asking screen drew and which parts it follows, if it said (then it will wait)."""
    if "v" not in query:
        return None
    try:
        drawn = RoomSignal(
            int(query["v"]), query.get("wall", ""), False, query.get("waiting", ""), query.get("sound") == "1"
        )
    except ValueError:
        return None
    return drawn, tuple(p for p in query.get("watch", "").split(",") if p in WATCHABLE)


def _end_questions_on_stop() -> None:
    """The server waits for its open requests before it stops: held questions must end as soon as it is
    told to stop, or every restart would wait ``HOLD_S``. Chained before the server's own handlers
    (installed by then); only possible on the main thread, where the server's event loop runs."""
    for signum in (signal.SIGTERM, signal.SIGINT):
        previous = signal.getsignal(signum)
        if getattr(previous, "ends_questions", False) or not callable(previous):
            continue

        def on_stop(number: int, frame, previous=previous) -> None:
            changes.closing()
            previous(number, frame)

        on_stop.ends_questions = True  # type: ignore[attr-defined]
        with contextlib.suppress(ValueError):  # not the main thread (a test client): nothing to chain
            signal.signal(signum, on_stop)


async def serve_room_signal(request: Request) -> Response:
    store, token = route_store(), request.path_params["token"]
    asked = _drawn(request.query_params)
    if asked is not None:
        _end_questions_on_stop()
    until, newer_than = time.monotonic() + HOLD_S, -1
    while True:
        found = await run_in_threadpool(_signal, store, token, newer_than)
        if found is None:
            return JSONResponse({"gone": True}, status_code=403, headers=NO_STORE)
        now, seen = found
        if asked is None or now.news_for(*asked) or time.monotonic() >= until or changes.is_closing():
            return JSONResponse(now.as_json(), headers=NO_STORE)
        woken = await changes.commit_after(seen, min(LOOK_S, until - time.monotonic()))
        newer_than = seen if woken else -1  # woken: an answer that has seen that commit
        if await request.is_disconnected():  # the page redrew and asks afresh
            return Response(status_code=204, headers=NO_STORE)


def room_routes() -> list[Route]:
    return [Route(ROOM_ROUTE + "/{token}", serve_room_signal, methods=["GET"])]
