"""Reflections from the room: join by code, send, edit, withdraw; moderation; the wall; next steps.

Nothing anyone sends is lost: an edit adds a new row that supersedes the old one (kept, hidden from the
wall), a resend with the same ``client_key`` is stored once, and every write is one transaction.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol, cast

from sqlalchemy import BigInteger, Row, Select, Table, bindparam, func, select
from sqlalchemy import cast as sql_cast
from sqlalchemy.exc import IntegrityError

from verp.core import audit, limits
from verp.core import text as typed
from verp.core.errors import VerpError
from verp.core.models import NextStep, Participant, Reflection, Workshop, utcnow
from verp.core.store import Store
from verp.review import helping
from verp.room.principles import catalogue
from verp.room.running_order import current_step, parse_step_key
from verp.room.shown import THIS_WORKSHOP, about_shown
from verp.workshop.group_writer import GroupWriter, writer_for
from verp.workshop.workshops import (
    WorkshopError,
    WorkshopView,
    facilitated_row,
    facilitated_workshop,
    normalise_code,
)

MAX_TEXT = 1000
MAX_NAME = 80
MAX_JOIN_FAILURES = limits.MAX_CODE_FAILURES  # per device in the window
MAX_JOIN_FAILURES_PER_CODE = limits.MAX_CODE_FAILURES  # one wrong code, typed from any device
KINDS = {
    "noticed": "Noticed",
    "thinking_feeling": "Thinking / feeling",
    "wondering": "Wondering",
    "next_step": "Next step",
}
NOT_STARTED = "This workshop has not started yet. Please join when the facilitator opens it."
GROUP = "the group"
ANONYMOUS = "Anonymous"


class ReflectionError(VerpError):
    """A problem with joining or sending, worded for someone on a phone."""


@dataclass(frozen=True)
class Joined:
    workshop_id: int
    token: str
    display_name: str


@dataclass(frozen=True)
class ReflectionView:
    id: int
    workshop_id: int
    moment_id: int | None
    moment_title: str
    principle_key: str | None
    prompt: str
    author_name: str
    kind: str
    text: str
    status: str
    supersedes_id: int | None
    created_at: datetime


def _view(r: Reflection | Row) -> ReflectionView:
    return ReflectionView(
        r.id,
        r.workshop_id,
        r.moment_id,
        r.moment_title,
        r.principle_key,
        r.prompt,
        r.author_name,
        r.kind,
        r.text,
        r.status,
        r.supersedes_id,
        r.created_at,
    )


def clean_text(text: str | None, limit: int = MAX_TEXT) -> str:
    """Typed text cleaned by the one rule for all text (``verp.core.text``); empty or too long is refused."""
    try:
        kept = typed.clean_text(text, limit)
    except typed.TextError as exc:
        raise ReflectionError(str(exc)) from None
    if not kept:
        raise ReflectionError("Please write something first.")
    return kept


def _clean_name(name: str | None, allow_anonymous: bool) -> str:
    name = " ".join(clean_text(name, MAX_NAME).split()) if name and str(name).strip() else ""
    if not name and not allow_anonymous:
        raise ReflectionError("Please give your name: this workshop asks for names.")
    return name or ANONYMOUS


class _WrongCode(ReflectionError):
    """A code that opens no live workshop: counted against the device and the typed code."""


def join_by_code(
    store: Store, code: str, display_name: str | None, client: str = limits.UNKNOWN_CLIENT
) -> Joined:
    """Join the live workshop with this code. A planned workshop cannot be joined until it opens; a
    closed one no longer can.

    Wrong codes are slowed down per device ``client`` (its address, so a new tab brings no fresh tries)
    and per typed code (a guesser spread over many devices). A right code is never counted, so one
    device's guessing never stops the rest of the room.
    """
    code = normalise_code(code)
    try:
        with limits.counted_try(store, limits.code_limits("join", client, f"code:{code}"), _WrongCode):
            return _join(store, code, display_name)
    except limits.LimitReached:
        raise ReflectionError(limits.TOO_MANY_CODES) from None


def token_digest(token: str) -> str:
    """What is kept of a phone's token: its hash, as for sign-in sessions, so a copy of the database (a
    backup taken during a live workshop) speaks for no phone."""
    return hashlib.sha256(str(token).encode()).hexdigest()


def _join(store: Store, code: str, display_name: str | None) -> Joined:
    with store.transaction() as s:
        workshop = s.scalar(select(Workshop).where(Workshop.join_code == code)) if code else None
        if workshop is not None and workshop.status == "planned":
            raise ReflectionError(NOT_STARTED)
        if workshop is not None and workshop.status == "live":
            name = _clean_name(display_name, workshop.allow_anonymous)
            token = secrets.token_urlsafe(24)
            s.add(Participant(workshop_id=workshop.id, display_name=name, token=token_digest(token)))
            return Joined(workshop.id, token, name)
    raise _WrongCode("That code does not open a workshop. Check the screen, or ask the facilitator.")


UNKNOWN_DEVICE = "We do not recognise this device for that workshop. Please join again."


def kept(joined: Joined) -> str:
    """What a phone's browser keeps to come back into its room (``verp.web.JOIN_COOKIE``)."""
    return f"{joined.workshop_id}.{joined.token}"


def rejoin(store: Store, kept_value: str | None) -> Joined | None:
    """The phone that joined, back in its room: after a server restart or a reload its browser still
    holds what :func:`kept` gave it. None unless that names a joiner of a room still live."""
    number, _, token = (kept_value or "").partition(".")
    workshop_id = typed.whole_number(number)
    if workshop_id is None or not token:
        return None
    with store.reading() as s:
        found = s.execute(
            select(Participant.display_name)
            .join(Workshop, Workshop.id == Participant.workshop_id)
            .where(Participant.workshop_id == workshop_id, Participant.token == token_digest(token))
            .where(Workshop.status == "live")
        ).first()
    return None if found is None else Joined(workshop_id, token, found.display_name)


class _Room(Protocol):
    """What filing a reflection needs of its workshop: which room, and the step it is on."""

    @property
    def id(self) -> int: ...
    @property
    def current_step_key(self) -> str: ...
    @property
    def state_version(self) -> int: ...


CLOSED = "This workshop has closed. Thank you for your reflections."
RECORD_KEPT = "This workshop has closed: its record stays as it was at the close, so nothing more was saved."


def _check_live(status: str) -> None:
    if status == "closed":
        raise ReflectionError(CLOSED)
    if status != "live":
        raise ReflectionError(NOT_STARTED)


def _participant(s, workshop_id: int, token: str) -> tuple[Participant, Workshop]:
    found = s.execute(
        select(Participant, Workshop)
        .join(Workshop, Participant.workshop_id == Workshop.id)
        .where(Participant.workshop_id == workshop_id, Participant.token == token_digest(token))
    ).first()
    participant, workshop = found if found else (None, None)
    if participant is None or workshop is None:
        raise ReflectionError(UNKNOWN_DEVICE)
    _check_live(workshop.status)
    return participant, workshop


# The sending device, its room, and its reflection already stored under the send's key (a resend), as
# plain columns in one query: no ORM objects to build, and the statement built once, for a room of thirty
# sending at once. A resend is answered from here without joining the batch being written, where it would
# fail the whole batch's INSERT and have its neighbours written one by one.
_SENDER = (
    select(
        select(Reflection.id)
        .where(Reflection.client_key == bindparam("client_key"), Reflection.participant_id == Participant.id)
        .scalar_subquery()
        .label("stored_id"),
        select(func.count(Reflection.id))
        .where(Reflection.participant_id == Participant.id, Reflection.created_at >= bindparam("since"))
        .scalar_subquery()
        .label("sent_lately"),
        Participant.id.label("participant_id"),
        Participant.display_name,
        Workshop.id,
        Workshop.status,
        Workshop.auto_approve,
        Workshop.current_step_key,
        Workshop.state_version,
    )
    .join(Workshop, Participant.workshop_id == Workshop.id)
    .where(Participant.workshop_id == bindparam("workshop_id"), Participant.token == bindparam("token"))
)


SENDS_PER_MINUTE = 10  # from one phone: a person writes one at a time; more is a stuck key or a script
TOO_FAST = "You have sent a lot in the last minute. Please wait a moment, then send this one."


def _sender(s, workshop_id: int, token: str, client_key: str | None):
    since = utcnow() - timedelta(minutes=1)
    values = {
        "workshop_id": workshop_id,
        "token": token_digest(token),
        "client_key": client_key,
        "since": since,
    }
    found = s.execute(_SENDER, values).first()
    if found is None:
        raise ReflectionError(UNKNOWN_DEVICE)
    _check_live(found.status)
    if found.stored_id is None and found.sent_lately >= SENDS_PER_MINUTE:
        raise ReflectionError(TOO_FAST)  # one phone cannot flood the wall or bury Control's queue
    return found


def _check_choice(principle_key: str | None, kind: str) -> str | None:
    if kind not in KINDS:
        raise ReflectionError("Please choose what kind of reflection this is.")
    if principle_key and principle_key not in catalogue().keys:
        raise ReflectionError("Please choose one of the principles, or none.")
    return principle_key or None


class MomentLeft(ReflectionError):
    """The words were written to a moment since taken out of the workshop (see ``_context``)."""


MOMENT_LEFT = (
    "The moment on screen while you wrote has just been taken out of the workshop, so your words were "
    "not sent. If they are about what is on screen now, press Send again."
)


def _context(store: Store, workshop: _Room, seen_steps: Sequence[str] = ()) -> dict:
    """The moment and prompt a reflection was written to, so it is filed where it was written: the last
    step the sending page showed (``seen_steps``, oldest first), if it is still in the running order,
    else the step the room is on. Refused if the page showed a moment since taken out of the workshop
    while its form was open: words about it must not reach the wall under another step."""
    step, order = current_step(store, workshop.id, workshop.current_step_key, workshop.state_version)
    shown_shares = {s.moment.share_id for s in order if s.moment is not None}
    for key in seen_steps:
        share_id = parse_step_key(key).share_id
        if share_id is not None and share_id not in shown_shares:
            raise MomentLeft(MOMENT_LEFT)
    here = {s.key: s for s in order}
    if seen_steps and seen_steps[-1] in here:
        step = here[seen_steps[-1]]
    moment = step.moment
    return {
        "moment_id": moment.moment_id if moment else None,
        "moment_title": moment.title if moment else "",
        "prompt": " ".join(step.prompts),
    }


def _stored_key(client_key: str | None, sender: str) -> str | None:
    """A resend key as it is stored: the sender's own (``sender`` names one phone by its token's hash,
    or the group of one room), so a key that another sender chose never finds or blocks theirs."""
    if not client_key:
        return None
    return hashlib.blake2s(f"{sender}\n{client_key}".encode(), digest_size=16).hexdigest()


def _group_sender(workshop_id: int) -> str:
    return f"group of workshop {workshop_id}"


def _existing(s, stored_key: str | None) -> Reflection | None:
    return s.scalar(select(Reflection).where(Reflection.client_key == stored_key)) if stored_key else None


def _insert(store: Store, row: Reflection) -> ReflectionView:
    """Store ``row`` (committed together with rows sent at the same moment); a resend racing the
    first send hits the unique client key and gets the first one back."""
    row.created_at = row.created_at or utcnow()
    values = {c.key: getattr(row, c.key) for c in Reflection.__table__.columns if c.key != "id"}
    try:
        row.id = reflection_writer(store).insert(store, values)
    except IntegrityError:
        with store.transaction() as s:
            found = _existing(s, row.client_key)
            if found is None:
                raise
            return _view(found)
    return _view(row)


def reflection_writer(store: Store) -> GroupWriter:
    """Reflections sent at the same moment are written together, none into a room that has closed."""
    return writer_for(store, cast(Table, Reflection.__table__), _closed_rooms)


def _closed_rooms(s, rows: list[dict]) -> dict[int, BaseException]:
    """Rows for a room that closed between its send's check and its write (see ``group_writer``): a
    reflection is stored before the close or not at all. The INSERT holds the write lock (SQLite) or a
    key-share lock on each room's row (PostgreSQL), which a close's ``FOR UPDATE`` waits for, and waits
    for a close in flight: so this read sees any close committed first, and no close commits until the
    rows do. A plain read: locking the rows here would also wait on (and deadlock with) room changes that
    a close is not. A workshop not yet open keeps what its facilitator writes for the group."""
    closed = _closed(s, {row["workshop_id"] for row in rows})
    return {place: ReflectionError(CLOSED) for place, row in enumerate(rows) if row["workshop_id"] in closed}


def _closed(s, rooms: set[int]) -> set[int]:
    return set(s.scalars(select(Workshop.id).where(Workshop.id.in_(rooms), Workshop.status == "closed")))


def _open_room(workshop: Workshop) -> None:
    """What the facilitator saves at a step (a next step, a rating) goes into the record of a room not
    yet closed: the summary kept at the close is the whole of it, whatever a tab left open sends."""
    if workshop.status == "closed":
        raise ReflectionError(RECORD_KEPT)


def _record_open(s, workshop_id: int) -> None:
    """``_still_open`` for what the facilitator saves at a step (see ``_open_room``)."""
    _still_open(s, workshop_id, RECORD_KEPT)


def _still_open(s, workshop_id: int, refusal: str = CLOSED) -> None:
    """After a unit of work has written about a room (its write lock or row lock taken, as above): refuse
    it if the room closed meanwhile."""
    if _closed(s, {workshop_id}):
        raise ReflectionError(refusal)


def submit_reflection(
    store: Store,
    workshop_id: int,
    participant_token: str,
    text: str,
    principle_key: str | None = None,
    kind: str = "noticed",
    client_key: str | None = None,
    seen_steps: Sequence[str] = (),
) -> ReflectionView:
    """Send a reflection from a phone. Sending again with the same ``client_key`` stores it once.
    ``seen_steps``: the steps the phone's page showed while this reflection was being written (see
    ``_context``)."""
    text = clean_text(text)
    principle_key = _check_choice(principle_key, kind)
    client_key = _stored_key(client_key, token_digest(participant_token))
    with store.reading() as s:  # one query; a resend racing its first send is found by _insert
        room = _sender(s, workshop_id, participant_token, client_key)
        if room.stored_id is not None:
            return _view(s.get_one(Reflection, room.stored_id))
    author = {"author_name": room.display_name, "participant_id": room.participant_id}
    status = "approved" if room.auto_approve else "pending"
    words = dict(text=text, principle_key=principle_key, kind=kind)
    return _add(store, room, words, client_key, status, author, [str(k)[:120] for k in seen_steps][-20:])


def add_group_reflection(
    store: Store,
    person_id: int,
    workshop_id: int,
    text: str,
    principle_key: str | None = None,
    kind: str = "noticed",
    client_key: str | None = None,
    seen_steps: Sequence[str] = (),
) -> ReflectionView:
    """The facilitator writes down what the room said, for "the group"; shown straight away. Filed under
    the last of ``seen_steps`` (the step Control's page showed when Add was pressed)."""
    text = clean_text(text)
    principle_key = _check_choice(principle_key, kind)
    with store.transaction() as s:
        workshop = facilitated_workshop(s, person_id, workshop_id)
        client_key = _stored_key(client_key, _group_sender(workshop_id))
        if (found := _existing(s, client_key)) is not None:
            return _view(found)
    words = dict(text=text, principle_key=principle_key, kind=kind)
    seen = [str(k)[:120] for k in seen_steps][-20:]
    try:
        return _add(store, workshop, words, client_key, "approved", {"author_name": GROUP}, seen)
    except MomentLeft:
        raise MomentLeft(GROUP_MOMENT_LEFT) from None


GROUP_MOMENT_LEFT = (
    "The moment on screen while you wrote has just been taken out of the workshop, so this was not "
    "added. If it is about what is on screen now, press Add to the wall again."
)


def _add(
    store: Store,
    workshop: _Room,
    words: dict,
    client_key: str | None,
    status: str,
    author: dict,
    seen_steps: Sequence[str] = (),
) -> ReflectionView:
    """Store a new reflection with its context (the moment and phase on screen when it was written)."""
    context = _context(store, workshop, seen_steps)  # outside any transaction: it may read the step list
    row = Reflection(
        workshop_id=workshop.id, client_key=client_key, status=status, **words, **author, **context
    )
    return _insert(store, row)


LEFT_WITH_ITS_MOMENT = (
    "The moment this reflection is about is no longer shown, so it stays as it was. You can still "
    "take it back."
)


def _own_reflection(s, workshop_id: int, token: str, reflection_id: int) -> tuple[Reflection, Workshop]:
    participant, workshop = _participant(s, workshop_id, token)
    row = s.get(Reflection, reflection_id)
    if row is None or row.participant_id != participant.id or row.workshop_id != workshop_id:
        raise ReflectionError("You can only change your own reflections.")
    if row.status in ("superseded", "withdrawn"):
        raise ReflectionError("That reflection has already been changed or withdrawn.")
    waiting = select(Reflection.id).where(Reflection.supersedes_id == row.id, Reflection.status == "pending")
    if s.scalar(waiting) is not None:
        raise ReflectionError("Your new wording of this one is waiting for the facilitator.")
    return row, workshop


def edit_reflection(
    store: Store,
    workshop_id: int,
    participant_token: str,
    reflection_id: int,
    text: str,
    principle_key: str | None = None,
    kind: str | None = None,
) -> ReflectionView:
    """Change your own reflection: a new row supersedes the old one, which is kept but hidden.

    Under moderation an approved reflection stays on the wall until its new wording is approved (and
    stays if the facilitator hides the new wording); only one new wording can wait at a time.
    """
    text = clean_text(text)
    with store.transaction() as s:
        old, workshop = _own_reflection(s, workshop_id, participant_token, reflection_id)
        if s.scalar(select(Reflection.id).where(Reflection.id == old.id, about_shown(workshop_id))) is None:
            raise ReflectionError(LEFT_WITH_ITS_MOMENT)  # a new wording would be a new reflection about it
        kind = kind or old.kind
        principle_key = _check_choice(principle_key, kind)
        new = Reflection(
            workshop_id=workshop_id,
            moment_id=old.moment_id,
            moment_title=old.moment_title,
            principle_key=principle_key,
            prompt=old.prompt,
            author_name=old.author_name,
            participant_id=old.participant_id,
            kind=kind,
            text=text,
            supersedes_id=old.id,
            status="approved" if workshop.auto_approve and old.status != "hidden" else "pending",
        )
        if not (old.status == "approved" and new.status == "pending"):
            old.status = "superseded"  # else the approved words stay on the wall until the edit is approved
        s.add(new)
        s.flush()
        _still_open(s, workshop_id)  # a close between the check above and this write
        return _view(new)


def withdraw_reflection(store: Store, workshop_id: int, participant_token: str, reflection_id: int) -> None:
    """Take your own reflection off the wall (it stays in the record as withdrawn)."""
    with store.transaction() as s:
        row, _ = _own_reflection(s, workshop_id, participant_token, reflection_id)
        row.status = "withdrawn"


# Every phone's page asks, on every run: statements built once, run on a plain connection.
_PARTICIPANT, _WORKSHOP, _REFLECTION = Participant.__table__.c, Workshop.__table__.c, Reflection.__table__.c
_DEVICE = (
    select(_PARTICIPANT.id, _WORKSHOP.status)
    .join_from(Participant.__table__, Workshop.__table__, _PARTICIPANT.workshop_id == _WORKSHOP.id)
    .where(_PARTICIPANT.workshop_id == bindparam("workshop_id"), _PARTICIPANT.token == bindparam("token"))
)
_SENT_BY_DEVICE = (
    select(Reflection.__table__)
    .where(
        _REFLECTION.participant_id == bindparam("participant_id"),
        _REFLECTION.status.in_(("pending", "approved", "hidden")),
    )
    .order_by(_REFLECTION.id.desc())
)


def my_reflections(store: Store, workshop_id: int, participant_token: str) -> list[ReflectionView]:
    """What this device has sent and not replaced, newest first."""
    with store.reading_connection() as c:
        device = {"workshop_id": workshop_id, "token": token_digest(participant_token)}
        found = c.execute(_DEVICE, device).first()
        if found is None:
            raise ReflectionError(UNKNOWN_DEVICE)
        _check_live(found.status)
        return [_view(r) for r in c.execute(_SENT_BY_DEVICE, {"participant_id": found.id})]


# --- moderation -----------------------------------------------------------------------------------


def _shown_with_status(workshop_id, status: str) -> tuple:
    """The workshop's reflections in ``status`` about the session or a moment still shown: a moment
    withdrawn, removed, deleted or expired takes its reflections with it, from the wall and from the
    queue alike. One statement: which moments are shown is asked inside it."""
    return (Reflection.workshop_id == workshop_id, Reflection.status == status, about_shown(workshop_id))


def waiting_for_approval(workshop_id) -> tuple:
    """Reflections waiting for the facilitator's approval (as Control's queue shows them)."""
    return _shown_with_status(workshop_id, "pending")


_PENDING = select(Reflection.__table__).where(*waiting_for_approval(THIS_WORKSHOP)).order_by(Reflection.id)


def pending(store: Store, person_id: int, workshop_id: int) -> list[ReflectionView]:
    """Reflections waiting for the facilitator (see :func:`waiting_for_approval`), oldest first."""
    with store.reading_connection() as c:  # Control asks on every run: rows, not ORM objects
        facilitated_row(c, person_id, workshop_id)
        return [_view(r) for r in c.execute(_PENDING, {"workshop_id": workshop_id})]


@dataclass(frozen=True)
class Waiting:
    """The queue as Control shows it: the oldest few waiting, how many wait, and the fingerprint of
    all of them (what :data:`WAITING_FINGERPRINT` reads), to tell when the queue changes."""

    oldest: list[ReflectionView]
    count: int
    fingerprint: tuple[int, ...]


_WIDE_ID = sql_cast(Reflection.id, BigInteger)  # a square of an id past 46,340 overflows PostgreSQL's integer
# The oldest few rows, each with the count and sums of every row waiting (window aggregates are taken
# over all the rows the WHERE keeps, before the LIMIT): one read for the queue and its fingerprint.
_OLDEST_WAITING = (
    select(
        Reflection.__table__,
        func.count().over().label("all_count"),
        func.sum(_WIDE_ID).over().label("all_sum"),
        func.sum(_WIDE_ID * _WIDE_ID).over().label("all_squares"),
        func.max(Reflection.id).over().label("all_max"),
    )
    .where(*waiting_for_approval(THIS_WORKSHOP))
    .order_by(Reflection.id)
    .limit(bindparam("first"))
)


def waiting_in(store: Store, workshop: WorkshopView, first: int) -> Waiting:
    """The queue of a workshop the page has just read from its facilitator's own list (Control, on
    every run: ``listed_workshops`` holds only a facilitator's own, so the check is not asked again): the
    ``first`` oldest waiting (:func:`pending`'s first), and the count and fingerprint of them all."""
    with store.reading_connection() as c:
        rows = c.execute(_OLDEST_WAITING, {"workshop_id": workshop.id, "first": first}).all()
    if not rows:
        return Waiting([], 0, (0, 0, 0, 0))  # what ``id_set_fingerprint`` reads for no rows
    every = rows[0]  # each row carries the same count and sums
    fingerprint = tuple(int(v) for v in (every.all_count, every.all_sum, every.all_squares, every.all_max))
    return Waiting([_view(r) for r in rows], int(every.all_count), fingerprint)


ALREADY_DECIDED = "That reflection has already been approved or hidden (in another tab, perhaps)."


def moderate(store: Store, person_id: int, workshop_id: int, reflection_id: int, approve: bool) -> None:
    """Approve a reflection onto the wall, or hide it (kept in the record, never shown): once, while it
    waits. A second tab (or a page drawn before the first decision) cannot undo a decision made."""
    with store.transaction() as s:
        facilitated_workshop(s, person_id, workshop_id)
        row = s.get(Reflection, reflection_id, with_for_update=True)
        if row is None or row.workshop_id != workshop_id or row.status in ("superseded", "withdrawn"):
            raise WorkshopError("That reflection is no longer there.")
        if row.status != "pending":
            raise WorkshopError(ALREADY_DECIDED)
        row.status = "approved" if approve else "hidden"
        action = "approve_reflection" if approve else "hide_reflection"
        audit.record(s, audit.actor_of(person_id), action, f"reflection:{row.id}", f"workshop:{workshop_id}")
        old = s.get(Reflection, row.supersedes_id) if row.supersedes_id else None
        if approve and old is not None and old.status == "approved":
            old.status = "superseded"  # the edit replaces the approved words only once it is approved


# --- the wall and next steps ------------------------------------------------------------------------


@dataclass(frozen=True)
class WallGroup:
    principle_key: str | None
    principle_name: str
    reflections: tuple[ReflectionView, ...]


def _on_the_wall(workshop_id) -> tuple:
    """Approved, current reflections about a moment still shown (or about none)."""
    return _shown_with_status(workshop_id, "approved")


_WALL = select(Reflection).where(*_on_the_wall(THIS_WORKSHOP)).order_by(Reflection.id)
_WALL_OF_MOMENTS = _WALL.where(Reflection.moment_id.in_(bindparam("moment_ids", expanding=True)))


def wall(store: Store, workshop_id: int, moment_ids: tuple[int, ...] | None = None) -> list[WallGroup]:
    """Approved, current reflections grouped by principle, in the principles' order; none named last.

    Only those about a moment still shown (or about none): a withdrawn moment takes its reflections.
    """
    values: dict[str, object] = {"workshop_id": workshop_id}
    query = _WALL
    if moment_ids is not None:
        query, values["moment_ids"] = _WALL_OF_MOMENTS, list(moment_ids)
    with store.transaction() as s:
        rows = [_view(r) for r in s.scalars(query, values)]
    principles = catalogue()
    order: dict[str | None, int] = {key: i for i, key in enumerate(principles.keys)}
    groups: dict[str | None, list[ReflectionView]] = {}
    for row in rows:
        key = row.principle_key if row.principle_key in order else None
        groups.setdefault(key, []).append(row)
    keys = sorted(groups, key=lambda k: order.get(k, len(order)))
    return [WallGroup(k, principles.name_of(k), tuple(groups[k])) for k in keys]


def id_set_fingerprint(column, *where) -> Select:
    """How many ids match, their sum, the sum of their squares and the largest: computed in the database
    (every screen of a room asks after each change, and a wall holds hundreds). Two different sets of
    ids agree on all four only by a coincidence a room will not meet, and then only until its next
    change. Run it with :func:`read_fingerprint`."""
    wide = sql_cast(column, BigInteger)  # a square of an id past 46,340 overflows PostgreSQL's integer
    return select(
        func.count(column),
        func.coalesce(func.sum(wide), 0),
        func.coalesce(func.sum(wide * wide), 0),
        func.coalesce(func.max(column), 0),
    ).where(*where)


def read_fingerprint(store: Store, fingerprint: Select, workshop_id: int) -> tuple[int, ...]:
    with store.reading_connection() as c:
        return tuple(int(v) for v in c.execute(fingerprint, {"workshop_id": workshop_id}).one())


WALL_FINGERPRINT = id_set_fingerprint(Reflection.id, *_on_the_wall(THIS_WORKSHOP))
WAITING_FINGERPRINT = id_set_fingerprint(Reflection.id, *waiting_for_approval(THIS_WORKSHOP))


def wall_fingerprint(store: Store, workshop_id: int) -> tuple[int, ...]:
    """Which reflections are on the wall, summed up in one row: enough to tell whether the wall changed,
    since a reflection's words never change in place (an edit is a new row, approved in its turn)."""
    return read_fingerprint(store, WALL_FINGERPRINT, workshop_id)


@dataclass(frozen=True)
class NextStepView:
    id: int
    participant_name: str
    text: str


def record_next_step(
    store: Store, person_id: int, workshop_id: int, owner_id: int | None, owner_name: str, text: str
) -> NextStepView:
    """The facilitator writes down the owner's next step, carried into their next cycle."""
    text = clean_text(text)
    with store.transaction() as s:
        _open_room(facilitated_workshop(s, person_id, workshop_id))
        row = NextStep(
            workshop_id=workshop_id,
            person_id=owner_id,
            participant_name=clean_text(owner_name, MAX_NAME),
            text=text,
        )
        s.add(row)
        s.flush()
        _record_open(s, workshop_id)  # a close between the check above and this write
        return NextStepView(row.id, row.participant_name, row.text)


def record_rating(
    store: Store, person_id: int, workshop_id: int, owner_id: int | None, score: int | None
) -> None:
    """At the owner's step: their own 0–10 rating of their helping question, saved to this workshop (so
    the summary can say how they rated it here). Nothing is assumed: no score, no rating."""
    if owner_id is None:
        raise ReflectionError("This step has no participant to rate.")
    if score is None:
        raise ReflectionError("Please choose a number from 0 to 10 first.")
    with store.transaction() as s:
        _open_room(facilitated_workshop(s, person_id, workshop_id))
    helping.rate(store, owner_id, int(score), workshop_id=workshop_id, room_allows=_record_open)


def next_steps(store: Store, workshop_id: int) -> list[NextStepView]:
    with store.transaction() as s:
        rows = s.scalars(select(NextStep).where(NextStep.workshop_id == workshop_id).order_by(NextStep.id))
        return [NextStepView(r.id, r.participant_name, r.text) for r in rows]
