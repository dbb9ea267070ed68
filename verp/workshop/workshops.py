"""Workshops: plan one, open it, run it live, close it.

The live state (current step, timer, playing, state_version) lives in the workshop row: the database is
the truth, so the projector, the facilitator's controls and every phone agree, a refresh resumes where
the room was and a restart loses nothing. Every change bumps ``state_version``; screens poll it.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any, NamedTuple

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import Connection, Row, bindparam, or_, select
from sqlalchemy.orm import Session, object_session

from verp.core import audit
from verp.core.errors import NotYours, VerpError
from verp.core.models import AuditEvent, Person, SeriesSession, Share, Workshop, utcnow
from verp.core.store import Store
from verp.core.text import clean_text, count_of_people
from verp.review.sharing import normalise_code
from verp.room.playback import COMMANDS, Playback, command, for_new_step, read_playback
from verp.room.principles import catalogue
from verp.room.prompts import CHILD_WORDS, prompt_book
from verp.room.running_order import (
    Step,
    StepSettings,
    current_step,
    parse_step_key,
    read_minutes,
    steps,
)
from verp.room.shown import ShownMoment, shown_moments

__all__ = ["ShownMoment", "Step", "shown_moments", "steps"]  # the room's order, as workshops see it

# No 0/O, 1/I/L, 2/Z, 5/S, 8/B: a code read off a projector is typed right the first time.
CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
CODE_LENGTH = 6
PRESENT_MAX_AGE_S = 24 * 3600
MAX_TITLE = 200
MAX_RULES = 2000
DEFAULT_GROUND_RULES = (
    "What we see here stays here.\nWe look for what is working, strengths first.\n"
    "The person who brought the clip has the last word about it."
)
STATUSES = ("planned", "live", "closed")


class WorkshopError(VerpError):
    """A workshop problem, worded for the facilitator or the room."""


@dataclass(frozen=True)
class WorkshopView:
    id: int
    title: str
    held_on: date
    facilitator_id: int
    focus: tuple[str, ...]
    ground_rules: str
    join_code: str
    status: str
    allow_anonymous: bool
    auto_approve: bool
    step_key: str  # what the room is on (see verp.room.running_order); never an index
    timer_started_at: datetime | None
    timer_elapsed_s: float
    playing: bool
    state_version: int
    closed_at: datetime | None
    child_word: str = "child"
    playback_json: str = "{}"
    # What shapes its running order, when read with the workshop (the facilitator's own list: Plan shows
    # the agenda of one of them on every run); None when not, and the running order reads it itself.
    step_settings: StepSettings | None = None

    @property
    def is_closed(self) -> bool:
        return self.status == "closed"

    def timer_seconds(self, now: datetime | None = None) -> float:
        """Seconds spent on the current step so far (the phase timer)."""
        running = (now or utcnow()) - self.timer_started_at if self.timer_started_at else None
        return self.timer_elapsed_s + (running.total_seconds() if running else 0.0)

    @property
    def timer_running(self) -> bool:
        return self.timer_started_at is not None


def _view(w: Workshop | Row) -> WorkshopView:
    """A workshop as the pages see it, from its ORM object or its row (the column names are the same).

    A row's columns are read through its mapping: a row's attribute access costs several times as much,
    and Plan reads each of a facilitator's workshops on every run."""
    get: Callable[[str], Any] = w._mapping.__getitem__ if isinstance(w, Row) else partial(getattr, w)
    settings = None
    if isinstance(w, Row) and "series_number" in w._mapping:
        settings = StepSettings(get("step_minutes"), get("child_word"), get("series_number"))
    return WorkshopView(
        id=get("id"),
        title=get("title"),
        held_on=get("held_on"),
        facilitator_id=get("facilitator_id"),
        focus=tuple(k for k in (get("focus") or "").split(",") if k),
        ground_rules=get("ground_rules"),
        join_code=get("join_code"),
        status=get("status"),
        allow_anonymous=get("allow_anonymous"),
        auto_approve=get("auto_approve"),
        step_key=get("current_step_key"),
        timer_started_at=get("timer_started_at"),
        timer_elapsed_s=get("timer_elapsed_s"),
        playing=get("playing"),
        state_version=get("state_version"),
        closed_at=get("closed_at"),
        child_word=get("child_word") or "child",
        playback_json=get("playback") or "{}",
        step_settings=settings,
    )


def new_join_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def _require_facilitator(s, person_id: int) -> Person:
    person = s.get(Person, person_id)
    if person is None or not person.is_facilitator:
        raise WorkshopError("Only a facilitator can do that.")
    return person


# The facilitator's workshops as rows, for reads on a plain connection (Plan and Control ask on every run).
_W, _P = Workshop.__table__, Person.__table__
_WORKSHOPS_OF = (
    select(_W, SeriesSession.number.label("series_number"))
    .join_from(_W, _P, _P.c.id == _W.c.facilitator_id)
    .outerjoin(SeriesSession, SeriesSession.workshop_id == _W.c.id)
    .where(_W.c.facilitator_id == bindparam("person_id"), _P.c.is_facilitator.is_(True))
)
_FACILITATED_ROW = _WORKSHOPS_OF.where(_W.c.id == bindparam("workshop_id"))
_OPEN_WORKSHOPS_OF = _WORKSHOPS_OF.where(or_(_W.c.status != "closed", _W.c.id == bindparam("also")))


NOT_YOUR_WORKSHOP = "There is no workshop of yours with that number."


def facilitated_workshop(s, person_id: int, workshop_id: int, lock: bool = False) -> Workshop:
    """The facilitator's own workshop, in the caller's transaction; anyone else's reads as missing.

    One query when all is well (pages ask on every rerun); the refusal says which rule it was.
    """
    query = (
        select(Workshop)
        .join(Person, Person.id == Workshop.facilitator_id)
        .where(Workshop.id == workshop_id, Person.id == person_id, Person.is_facilitator.is_(True))
    )
    workshop = s.scalar(query.with_for_update(of=Workshop) if lock else query)
    if workshop is None:
        _require_facilitator(s, person_id)
        raise NotYours(NOT_YOUR_WORKSHOP)
    return workshop


def facilitated_row(c: Connection, person_id: int, workshop_id: int) -> Row:
    """:func:`facilitated_workshop` for a read on a plain connection (``Store.reading_connection``): the
    workshop's row, for its facilitator only."""
    row = c.execute(_FACILITATED_ROW, {"person_id": person_id, "workshop_id": workshop_id}).first()
    if row is None:
        with Session(c) as s:
            _require_facilitator(s, person_id)
        raise NotYours(NOT_YOUR_WORKSHOP)
    return row


def _audit(s, person_id: int, action: str, workshop: Workshop) -> None:
    audit.record(s, audit.actor_of(person_id), action, f"workshop:{workshop.id}")


def create_workshop(
    store: Store,
    facilitator_id: int,
    title: str,
    held_on: date,
    focus: list[str] | tuple[str, ...] = (),
    ground_rules: str = DEFAULT_GROUND_RULES,
    allow_anonymous: bool = True,
    auto_approve: bool = False,
) -> WorkshopView:
    """Plan a workshop with a fresh, unique join code. Reflections wait for the facilitator's approval
    unless ``auto_approve``: a "she should have waited" must never reach the wall in front of its owner."""
    title = clean_text(title, None, one_line=True)  # a NUL or an override never kept (PostgreSQL refuses NUL)
    if not title or len(title) > MAX_TITLE:
        raise WorkshopError(f"Please give the workshop a title of up to {MAX_TITLE} characters.")
    known = catalogue().keys
    unknown = [k for k in focus if k not in known]
    if unknown:
        raise WorkshopError(f"Unknown principle: {', '.join(unknown)}.")
    rules = clean_text(ground_rules, None)[:MAX_RULES]
    with store.transaction() as s:
        person = _require_facilitator(s, facilitator_id)
        code = new_join_code()
        while s.scalar(select(Workshop.id).where(Workshop.join_code == code)):
            code = new_join_code()
        workshop = Workshop(
            title=title,
            held_on=held_on,
            facilitator_id=facilitator_id,
            focus=",".join(k for k in known if k in focus),
            ground_rules=rules,
            join_code=code,
            allow_anonymous=allow_anonymous,
            auto_approve=auto_approve,
        )
        s.add(workshop)
        s.flush()
        _audit(s, person.id, "workshop_created", workshop)
        return _view(workshop)


# Asked by every run of Control, Present and every phone's Join page: a statement built once, run on a
# plain connection (no ORM unit of work around one row).
_WORKSHOP_ROW = select(_W).where(_W.c.id == bindparam("workshop_id"))


def view_of(row: Row) -> WorkshopView:
    """A workshop's view from its row as :func:`facilitated_row` reads it."""
    return _view(row)


def get_workshop(store: Store, workshop_id: int) -> WorkshopView:
    row = store.first_row(_WORKSHOP_ROW, {"workshop_id": workshop_id})
    if row is None:
        raise WorkshopError("That workshop does not exist.")
    return _view(row)


class Listed(NamedTuple):
    """One of the facilitator's workshops as their list shows it; :meth:`view` for the whole of it.

    Plan and Control list the facilitator's workshops on every run to choose one: the whole view is made
    for the chosen one only (one for each of thirty took half a millisecond of every run of Plan)."""

    id: int
    title: str
    held_on: date
    is_closed: bool
    row: Row

    def view(self) -> WorkshopView:
        return _view(self.row)


def my_workshops(store: Store, facilitator_id: int) -> list[WorkshopView]:
    """The facilitator's workshops, the next one first, closed ones last."""
    return [listed.view() for listed in listed_workshops(store, facilitator_id, open_only=False)]


def my_open_workshops(store: Store, facilitator_id: int, also: int | None = None) -> list[WorkshopView]:
    """The facilitator's workshops not yet closed, the next one first, and ``also`` (their workshop of
    that id, closed or not: the one a tab of Control last ran, to say that it has closed)."""
    return [listed.view() for listed in listed_workshops(store, facilitator_id, open_only=True, also=also)]


def listed_workshops(
    store: Store, facilitator_id: int, open_only: bool, also: int | None = None
) -> list[Listed]:
    """:func:`my_workshops` (or with ``open_only`` :func:`my_open_workshops`) as a list to choose from.
    Control and Plan ask on every run for the open ones (Plan for all once asked): a facilitator's closed
    workshops, a few a term for years, are not read."""
    statement, params = _WORKSHOPS_OF, {"person_id": facilitator_id, "also": also}
    if open_only:
        statement = _OPEN_WORKSHOPS_OF
    with store.reading_connection() as c:  # Plan and Control ask on every run: no ORM objects to build
        rows = c.execute(statement, params).all()
    if not rows:
        with store.transaction() as s:
            _require_facilitator(s, facilitator_id)  # none yet, or not a facilitator: say which
    listed = [Listed(r.id, r.title, r.held_on, r.status == "closed", r) for r in rows]
    return sorted(listed, key=lambda w: (w.is_closed, w.held_on, w.id))


def workshop_by_code(store: Store, code: str) -> WorkshopView | None:
    """The open workshop with this join code; a closed workshop's code no longer works."""
    with store.transaction() as s:
        workshop = s.scalar(select(Workshop).where(Workshop.join_code == normalise_code(code)))
        return _view(workshop) if workshop and workshop.status != "closed" else None


def _change(store: Store, person_id: int, workshop_id: int, change, action: str | None = None):
    """Apply ``change`` to the facilitator's workshop row and bump its state version."""
    with store.transaction() as s:
        workshop = facilitated_workshop(s, person_id, workshop_id, lock=True)
        if workshop.status == "closed":
            raise WorkshopError("This workshop is closed.")
        change(workshop)
        workshop.state_version += 1
        if action:
            _audit(s, person_id, action, workshop)
        return _view(workshop)


def open_workshop(store: Store, person_id: int, workshop_id: int) -> WorkshopView:
    """Go live: the room can join and the timer starts on the first step."""

    def change(w: Workshop) -> None:
        w.status = "live"
        w.timer_started_at = w.timer_started_at or utcnow()

    return _change(store, person_id, workshop_id, change, "workshop_opened")


def close_workshop(store: Store, person_id: int, workshop_id: int) -> WorkshopView:
    """Close: the join code and the projector link stop working; nothing submitted is lost."""

    def change(w: Workshop) -> None:
        w.status = "closed"
        w.closed_at = utcnow()
        w.timer_elapsed_s, w.timer_started_at = _stopped_timer(w), None

    return _change(store, person_id, workshop_id, change, "workshop_closed")


def _stopped_timer(w: Workshop) -> float:
    return _view(w).timer_seconds()


def room_step(store: Store, workshop: WorkshopView, recent: bool = False) -> tuple[Step, list[Step]]:
    """The step the room is on, and the running order.

    ``recent``: for a screen that only draws the room (Present, Control, the phones), the order may be
    one built a second or two ago for the same state version. Everything that changes what the room
    may show bumps that version (see ``verp.room.room_state``), so a withdrawn share is never in it;
    a move of the room reads it afresh (``_move_once``).
    """
    version = workshop.state_version if recent else None
    return current_step(store, workshop.id, workshop.step_key, version)


class _RoomMoved(Exception):
    """The room changed between reading where it is and taking its row: read it again."""


def _move(store: Store, person_id: int, workshop_id: int, pick, seen_key: str | None = None) -> WorkshopView:
    """Move the room to the step ``pick(order, on_screen)`` returns; the phase timer starts again.

    With ``seen_key`` (the step the pressing page showed) a press for a step the room has already left
    does nothing: a second tab, or a button clicked twice before the page is drawn again, moves the room
    once. Putting someone's moment in front of the room is written to the audit log (``projected``), so
    an owner can always learn where and when their video was shown.
    """
    for _ in range(3):
        try:
            return _move_once(store, person_id, workshop_id, pick, seen_key)
        except _RoomMoved:
            continue
    return get_workshop(store, workshop_id)


def _move_once(store: Store, person_id: int, workshop_id: int, pick, seen_key: str | None) -> WorkshopView:
    read = get_workshop(store, workshop_id)
    shown, order = room_step(store, read)
    if seen_key is not None and shown.key != seen_key:
        return read  # pressed on a step the room has left
    target = pick(order, shown)

    def change(w: Workshop) -> None:
        if w.state_version != read.state_version:
            raise _RoomMoved  # checked under the row's lock: the order and the step read are still so
        w.current_step_key = target.key
        w.timer_elapsed_s = 0.0
        w.timer_started_at = utcnow() if w.timer_started_at or w.status == "live" else None
        w.playing = True
        w.playback = for_new_step(read_playback(w.playback)).stored()
        now, before = target.moment, shown.moment
        # Recorded before the workshop opens too: a planned room's Present screen can show it already.
        moved = now is not None and (before is None or before.share_id != now.share_id)
        if w.status in ("planned", "live") and moved:
            session = object_session(w)
            assert session is not None  # w was loaded in this transaction
            audit.record(
                session, audit.actor_of(person_id), "projected", f"moment:{now.moment_id}", f"workshop:{w.id}"
            )

    return _change(store, person_id, workshop_id, change)


def go_to_step(store: Store, person_id: int, workshop_id: int, key: str) -> WorkshopView:
    """Move the room to the step with this key (one of ``steps(...)``'s ``key``)."""

    def pick(order: list[Step], _shown: Step) -> Step:
        found = next((step for step in order if step.key == key), None)
        if found is None:
            raise WorkshopError("That step is no longer in the running order. Please choose again.")
        return found

    return _move(store, person_id, workshop_id, pick)


def step_by(
    store: Store, person_id: int, workshop_id: int, delta: int, seen_key: str | None = None
) -> WorkshopView:
    """Next (+1) or previous (-1) from the step the room is on, wherever it now sits in the order; with
    ``seen_key``, only if the room is still on that step (a button names the step its page showed; a
    clicker's presses each move on, however fast)."""

    def pick(order: list[Step], shown: Step) -> Step:
        return order[min(max(shown.index + int(delta), 0), len(order) - 1)]

    return _move(store, person_id, workshop_id, pick, seen_key)


def set_playing(store: Store, person_id: int, workshop_id: int, playing: bool) -> WorkshopView:
    return _change(store, person_id, workshop_id, lambda w: setattr(w, "playing", bool(playing)))


def playback(workshop: WorkshopView) -> Playback:
    """How the room's moment is playing (see :mod:`verp.room.playback`)."""
    return read_playback(workshop.playback_json, workshop.playing)


class _LeftTheStep(Exception):
    """A player command from a page showing a step the room has left."""


def control_playback(
    store: Store,
    person_id: int,
    workshop_id: int,
    name: str,
    value: float | bool | None = None,
    seen_key: str | None = None,
) -> WorkshopView:
    """One of Control's micro-analysis commands (play, freeze, a frame back, half speed, sound, …).

    With ``seen_key`` (the room's step key as the pressing page read it: ``WorkshopView.step_key``) a
    command from a page showing another moment than the room does nothing: a stale tab's "Go to 0:12" must
    not seek the moment on screen now. A page one phase behind on the same moment still drives it."""
    if name not in COMMANDS:
        raise WorkshopError("That is not something the player can do.")

    def change(w: Workshop) -> None:
        if seen_key is not None and not _same_moment(w.current_step_key, seen_key):
            raise _LeftTheStep  # checked under the row's lock
        try:
            after = command(read_playback(w.playback, w.playing), name, value)
        except ValueError as exc:
            raise WorkshopError("That is not something the player can do.") from exc
        w.playing, w.playback = after.playing, after.stored()

    try:
        return _change(store, person_id, workshop_id, change)
    except _LeftTheStep:
        return get_workshop(store, workshop_id)


def _same_moment(room_key: str, page_key: str) -> bool:
    """The same step, or steps of the same shared moment (its own, "in your own words", a prompt)."""
    share = parse_step_key(room_key).share_id
    return room_key == page_key or (share is not None and share == parse_step_key(page_key).share_id)


def report_sound(store: Store, workshop_id: int, unlocked: bool) -> None:
    """The projector says whether its sound is unlocked (someone clicked "Start with sound" on it).

    Written without a new state version: nothing on the projector changes, and Control reads it as
    it redraws its timer.
    """
    with store.transaction() as s:
        workshop = s.get(Workshop, int(workshop_id), with_for_update=True)
        if workshop is None or workshop.status == "closed":
            return
        now = read_playback(workshop.playback, workshop.playing)
        if now.sound_unlocked != bool(unlocked):
            workshop.playback = replace(now, sound_unlocked=bool(unlocked)).stored()


def set_timer_running(store: Store, person_id: int, workshop_id: int, running: bool) -> WorkshopView:
    def change(w: Workshop) -> None:
        if running and w.timer_started_at is None:
            w.timer_started_at = utcnow()
        elif not running and w.timer_started_at is not None:
            w.timer_elapsed_s, w.timer_started_at = _stopped_timer(w), None

    return _change(store, person_id, workshop_id, change)


def set_auto_approve(store: Store, person_id: int, workshop_id: int, on: bool) -> WorkshopView:
    return _change(store, person_id, workshop_id, lambda w: setattr(w, "auto_approve", bool(on)))


def state_version(store: Store, workshop_id: int) -> int:
    """The cheap question every screen asks every second or two."""
    with store.transaction() as s:
        return s.scalar(select(Workshop.state_version).where(Workshop.id == workshop_id)) or 0


# --- the plan: order of moments, prompt sets, agenda ------------------------------------------------


def set_order(store: Store, person_id: int, workshop_id: int, share_ids: list[int]) -> None:
    """Put the shared moments in this order (share ids, first to last); a running room stays on its step
    (it is stored by what it is, not where it sits)."""
    with store.transaction() as s:
        workshop = facilitated_workshop(s, person_id, workshop_id)
        shares = {sh.id: sh for sh in s.scalars(select(Share).where(Share.workshop_id == workshop.id))}
        for position, share_id in enumerate(share_ids):
            if share_id in shares:
                shares[share_id].position = position
        workshop.state_version += 1


def move_share(store: Store, person_id: int, workshop_id: int, share_id: int, delta: int) -> None:
    """Move one shared moment up (-1) or down (+1) in the running order."""
    order = [m.share_id for m in shown_moments(store, workshop_id)]
    if share_id not in order:
        raise WorkshopError("That moment is no longer shared with this workshop.")
    i = order.index(share_id)
    j = min(max(i + delta, 0), len(order) - 1)
    order[i], order[j] = order[j], order[i]
    set_order(store, person_id, workshop_id, order)


def set_prompt_set(store: Store, person_id: int, workshop_id: int, share_id: int, key: str) -> None:
    if key not in prompt_book().keys:
        raise WorkshopError("There is no such prompt set.")
    with store.transaction() as s:
        workshop = facilitated_workshop(s, person_id, workshop_id)
        share = s.get(Share, share_id)
        if share is None or share.workshop_id != workshop.id or share.withdrawn_at is not None:
            raise WorkshopError("That moment is no longer shared with this workshop.")
        share.prompt_set = key
        workshop.state_version += 1


def remove_share(store: Store, person_id: int, workshop_id: int, share_id: int) -> None:
    """The facilitator takes a shared moment out of their workshop (anyone with the code can share).

    The share is ended like a withdrawal: the owner keeps the moment and the room's screens redraw (a
    room showing it moves on to the next step still there). Recorded in the audit trail.
    """
    with store.transaction() as s:
        workshop = facilitated_workshop(s, person_id, workshop_id, lock=True)
        share = s.get(Share, int(share_id))
        if share is None or share.workshop_id != workshop.id or share.withdrawn_at is not None:
            raise WorkshopError("That moment is no longer shared with this workshop.")
        share.withdrawn_at = utcnow()
        workshop.state_version += 1
        audit.record(
            s,
            audit.actor_of(person_id),
            "share_removed",
            f"moment:{share.moment_id}",
            f"workshop:{workshop.id}",
        )


@dataclass(frozen=True)
class AgendaItem:
    key: str  # the step's key: its minutes can be changed on Plan
    title: str
    minutes: float
    starts_at_min: float
    owner_name: str = ""


@dataclass(frozen=True)
class Timings:
    """The running order with honest minutes: each step's start, the total, and advice when it is long."""

    items: tuple[AgendaItem, ...]
    total_min: float
    participants: int
    advice: tuple[str, ...]


LONG_SESSION_MIN = 90
GROUP_SIZE = (3, 6)
MAX_STEP_MIN = 180


def agenda(
    store: Store,
    workshop_id: int,
    shown: list[ShownMoment] | None = None,
    settings: StepSettings | None = None,
) -> list[AgendaItem]:
    """Every step of the running order with its minutes (the facilitator's own where set) and start.
    ``shown`` and ``settings``: as the caller has just read them (see ``running_order.steps``)."""
    items, start = [], 0.0
    # Titles and minutes: no helping question read.
    for step in steps(store, workshop_id, shown, questions=False, settings=settings):
        items.append(AgendaItem(step.key, step.title, step.minutes, start, step.owner_name))
        start += step.minutes
    return items


def timings(
    store: Store,
    workshop_id: int,
    shown: list[ShownMoment] | None = None,
    settings: StepSettings | None = None,
) -> Timings:
    """The agenda, its total, and plain advice: past 90 minutes, a shorter prompt set or fewer moments;
    a group of 3 to 6 people, each with about 15 minutes. ``shown`` and ``settings`` as for
    :func:`agenda`."""
    shown = shown_moments(store, workshop_id) if shown is None else shown
    items = agenda(store, workshop_id, shown, settings)
    total = sum(item.minutes for item in items)
    people = len({m.owner_id for m in shown})
    advice = []
    if total > LONG_SESSION_MIN:
        long_sets = sum(1 for m in shown if m.prompt_set != "short")
        tip = f"This plan runs {total:g} minutes, past {LONG_SESSION_MIN}. "
        tip += "Choose the short prompt set for some moments" if long_sets else "Look at fewer moments"
        tip += ", show fewer moments per person (one or two is plenty), or shorten some steps below."
        advice.append(tip)
    low, high = GROUP_SIZE
    if people and not low <= people <= high:
        sharing = f"{count_of_people(people)} {'is' if people == 1 else 'are'} sharing"
        advice.append(
            f"{sharing}. Groups of {low} to {high} work best: each person gets about 15 minutes, and "
            "everyone has time to speak."
        )
    return Timings(tuple(items), total, people, tuple(advice))


def set_step_minutes(store: Store, person_id: int, workshop_id: int, minutes: dict[str, float]) -> None:
    """Keep the facilitator's own minutes for these steps (by step key); other steps keep theirs."""
    clean: dict[str, float] = {}
    for key, value in minutes.items():
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise WorkshopError("Please give each step's minutes as a number.") from None
        if not 0 <= number <= MAX_STEP_MIN:
            raise WorkshopError(f"A step can take from 0 to {MAX_STEP_MIN} minutes.")
        clean[str(key)[:120]] = round(number, 1)
    with store.transaction() as s:
        workshop = facilitated_workshop(s, person_id, workshop_id, lock=True)
        stored = read_minutes(workshop.step_minutes)
        stored.update(clean)
        workshop.step_minutes = json.dumps(stored, sort_keys=True)
        workshop.state_version += 1


def set_child_word(store: Store, person_id: int, workshop_id: int, word: str) -> WorkshopView:
    """The word the prompts use for "child" in this workshop (pupil, young person, student, colleague)."""
    if word not in CHILD_WORDS:
        raise WorkshopError("Please choose one of the words offered.")
    with store.transaction() as s:
        workshop = facilitated_workshop(s, person_id, workshop_id, lock=True)
        workshop.child_word = word
        workshop.state_version += 1
        return _view(workshop)


# --- the projector link -------------------------------------------------------------------------------


def _present_serializer(store: Store) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(store.settings.secret_key(), salt="verp-present")


def present_token(store: Store, person_id: int, workshop_id: int) -> str:
    """A signed token for the projector link of the facilitator's workshop (the issue is audited)."""
    with store.transaction() as s:
        facilitated_workshop(s, person_id, workshop_id)
        _record_link_issued(s, person_id, workshop_id)
    return _present_serializer(store).dumps({"w": workshop_id})


def _record_link_issued(s, person_id: int, workshop_id: int) -> None:
    """Audit the issue of a projector link once an hour per facilitator and workshop: Control draws the
    link on every rerun, and a row per rerun would drown the log a data protection officer reads."""
    since = utcnow() - timedelta(hours=1)
    recent = s.scalar(
        select(AuditEvent.id)
        .where(
            AuditEvent.action == "present_link",
            AuditEvent.subject == f"workshop:{workshop_id}",
            AuditEvent.at >= since,
        )
        .limit(1)
    )
    if recent is None:
        audit.record(s, audit.actor_of(person_id), "present_link", f"workshop:{workshop_id}")


def record_present_opened(store: Store, token: str, client: str) -> None:
    """Note that a projector link was opened, and from which device (once per browser tab)."""
    workshop = workshop_from_present_token(store, token)
    with store.transaction() as s:
        audit.record(s, "projector link", "present_opened", f"workshop:{workshop.id}", f"from {client}")


def present_token_workshop_id(store: Store, token: str) -> int | None:
    """The workshop id a projector link names, if its signature holds and it is recent; no query."""
    try:
        data = _present_serializer(store).loads(str(token or ""), max_age=PRESENT_MAX_AGE_S)
        return int(data["w"])
    except (BadSignature, KeyError, TypeError, ValueError):
        return None


# Every run of Present asks: a statement built once, read as a row.
_PRESENTABLE = (
    select(_W)
    .join_from(_W, _P, _P.c.id == _W.c.facilitator_id)
    .where(_W.c.id == bindparam("workshop_id"), _P.c.is_facilitator.is_(True))
)


def workshop_from_present_token(store: Store, token: str) -> WorkshopView:
    """The workshop a projector link is for; refused once the workshop is closed, and once its
    facilitator no longer holds the role (the link is theirs: an administrator's removal ends it)."""
    workshop_id = present_token_workshop_id(store, token)
    row = None if workshop_id is None else store.first_row(_PRESENTABLE, {"workshop_id": workshop_id})
    if row is None:
        raise WorkshopError("This projector link is not valid. Open Present again from Control.")
    workshop = _view(row)
    if workshop.is_closed:
        raise WorkshopError("This workshop has closed. Thank you for taking part.")
    return workshop
