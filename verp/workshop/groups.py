"""Group series: a VERP group meets several times, and each workshop is one numbered session of it.

Session N is each member's cycle N. Session N (N > 1) opens with what each member set themselves in
session N−1 ("What did you try? What happened?") and their own helping-question ratings so far: one
member at a time, each on their own scale, never a comparison of people. Ratings are only shown for a
member who shares their helping question with the group, as everything a person brings is theirs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import delete, select

from verp.core import audit
from verp.core.errors import NotYours, VerpError
from verp.core.models import (
    HelpingQuestion,
    NextStep,
    Person,
    Rating,
    SeriesGroup,
    SeriesMember,
    SeriesSession,
    Workshop,
)
from verp.core.store import Store
from verp.core.text import clean_text
from verp.room import room_state
from verp.workshop.workshops import facilitated_workshop

MAX_NAME = 200
MAX_SESSIONS = 12
OPENING_PROMPTS = ("What did you try?", "What happened?")
NOT_YOUR_GROUP = "There is no group of yours with that number."


class GroupError(VerpError):
    """A group problem, worded for the facilitator."""


@dataclass(frozen=True)
class Member:
    person_id: int
    name: str


@dataclass(frozen=True)
class SessionRef:
    number: int
    workshop_id: int
    title: str
    held_on: date
    status: str


@dataclass(frozen=True)
class GroupView:
    id: int
    name: str
    facilitator_id: int
    planned_sessions: int
    members: tuple[Member, ...]
    sessions: tuple[SessionRef, ...]

    def session(self, number: int) -> SessionRef | None:
        return next((x for x in self.sessions if x.number == number), None)


def _require_facilitator(s, person_id: int) -> None:
    person = s.get(Person, person_id)
    if person is None or not person.is_facilitator:
        raise GroupError("Only a facilitator can do that.")


def _own_group(s, facilitator_id: int, group_id: int) -> SeriesGroup:
    _require_facilitator(s, facilitator_id)
    group = s.get(SeriesGroup, int(group_id))
    if group is None or group.facilitator_id != facilitator_id:
        raise NotYours(NOT_YOUR_GROUP)
    return group


def _view(s, group: SeriesGroup) -> GroupView:
    members = s.execute(
        select(Person.id, Person.display_name)
        .join(SeriesMember, SeriesMember.person_id == Person.id)
        .where(SeriesMember.group_id == group.id)
        .order_by(Person.display_name, Person.id)
    ).all()
    sessions = s.execute(
        select(SeriesSession.number, Workshop.id, Workshop.title, Workshop.held_on, Workshop.status)
        .join(Workshop, Workshop.id == SeriesSession.workshop_id)
        .where(SeriesSession.group_id == group.id)
        .order_by(SeriesSession.number)
    ).all()
    return GroupView(
        group.id,
        group.name,
        group.facilitator_id,
        group.planned_sessions,
        tuple(Member(pid, name) for pid, name in members),
        tuple(SessionRef(*row) for row in sessions),
    )


def _checked(name: str, planned_sessions: int) -> tuple[str, int]:
    name = clean_text(name, MAX_NAME, what="the group's name", one_line=True)
    if not name:
        raise GroupError("Please give the group a name.")
    if not isinstance(planned_sessions, int) or not 1 <= planned_sessions <= MAX_SESSIONS:
        raise GroupError(f"A group plans 1 to {MAX_SESSIONS} sessions (three is usual).")
    return name, planned_sessions


def _set_members(s, group: SeriesGroup, member_ids) -> None:
    ids = {int(i) for i in member_ids}
    known = set(s.scalars(select(Person.id).where(Person.id.in_(ids)))) if ids else set()
    if known != ids:
        raise GroupError("One of the chosen people no longer has an account. Please choose again.")
    s.execute(delete(SeriesMember).where(SeriesMember.group_id == group.id))
    s.add_all(SeriesMember(group_id=group.id, person_id=pid) for pid in sorted(ids))


def create_group(
    store: Store, facilitator_id: int, name: str, member_ids, planned_sessions: int = 3
) -> GroupView:
    """Make a group of accounts that will meet ``planned_sessions`` times."""
    name, planned_sessions = _checked(name, planned_sessions)
    with store.transaction() as s:
        _require_facilitator(s, facilitator_id)
        group = SeriesGroup(facilitator_id=facilitator_id, name=name, planned_sessions=planned_sessions)
        s.add(group)
        s.flush()
        _set_members(s, group, member_ids)
        s.flush()
        audit.record(s, audit.actor_of(facilitator_id), "group_created", f"group:{group.id}")
        return _view(s, group)


def update_group(
    store: Store, facilitator_id: int, group_id: int, name: str, member_ids, planned_sessions: int
) -> GroupView:
    """Rename the group, change who is in it, or plan more or fewer sessions."""
    name, planned_sessions = _checked(name, planned_sessions)
    with store.transaction() as s:
        group = _own_group(s, facilitator_id, group_id)
        group.name, group.planned_sessions = name, planned_sessions
        _set_members(s, group, member_ids)
        s.flush()
        audit.record(s, audit.actor_of(facilitator_id), "group_changed", f"group:{group.id}")
        return _view(s, group)


def my_groups(store: Store, facilitator_id: int) -> list[GroupView]:
    with store.transaction() as s:
        rows = s.scalars(
            select(SeriesGroup).where(SeriesGroup.facilitator_id == facilitator_id).order_by(SeriesGroup.id)
        )
        return [_view(s, g) for g in rows]


def get_group(store: Store, facilitator_id: int, group_id: int) -> GroupView:
    with store.transaction() as s:
        return _view(s, _own_group(s, facilitator_id, group_id))


def set_session(
    store: Store, facilitator_id: int, workshop_id: int, group_id: int | None, number: int = 1
) -> None:
    """Make the workshop session ``number`` of the group (``group_id`` None: a workshop on its own)."""
    with store.transaction() as s:
        workshop = facilitated_workshop(s, facilitator_id, workshop_id)
        s.execute(delete(SeriesSession).where(SeriesSession.workshop_id == workshop.id))
        if group_id is not None:
            group = _own_group(s, facilitator_id, group_id)
            if not isinstance(number, int) or not 1 <= number <= MAX_SESSIONS:
                raise GroupError(f"Sessions are numbered 1 to {MAX_SESSIONS}.")
            taken = s.scalar(
                select(SeriesSession.workshop_id).where(
                    SeriesSession.group_id == group.id, SeriesSession.number == number
                )
            )
            if taken is not None:
                raise GroupError(f"Another workshop is already session {number} of {group.name}.")
            s.add(SeriesSession(workshop_id=workshop.id, group_id=group.id, number=number))
        room_state.bump(s, [workshop.id])  # the running order may gain or lose its series opening
        detail = f"group:{group_id} session {number}" if group_id is not None else "no group"
        audit.record(s, audit.actor_of(facilitator_id), "session_set", f"workshop:{workshop.id}", detail)


def session_of(store: Store, workshop_id: int) -> tuple[GroupView, int] | None:
    """The group and session number a workshop belongs to, if any."""
    with store.transaction() as s:
        row = s.get(SeriesSession, int(workshop_id))
        if row is None:
            return None
        return _view(s, s.get_one(SeriesGroup, row.group_id)), row.number


# ---------------------------------------------------------------- the series opening


@dataclass(frozen=True)
class MemberOpening:
    """One member at the start of session N: what they set in session N−1, and their own ratings."""

    person_id: int
    name: str
    next_steps: tuple[str, ...]
    ratings: tuple[tuple[int, int], ...]  # (cycle, score), the latest per cycle
    ratings_shared: bool


@dataclass(frozen=True)
class SeriesOpening:
    group_name: str
    number: int
    members: tuple[MemberOpening, ...]
    prompts: tuple[str, ...] = OPENING_PROMPTS


def _ratings(s, person_id: int) -> tuple[tuple[int, int], ...]:
    rows = s.execute(
        select(Rating.cycle, Rating.score)
        .join(HelpingQuestion, HelpingQuestion.id == Rating.helping_question_id)
        .where(HelpingQuestion.person_id == person_id)
        .order_by(Rating.created_at, Rating.id)
    ).all()
    latest = {cycle: score for cycle, score in rows}  # a later rating in the same cycle counts
    return tuple(sorted(latest.items()))


def _shares_question(s, person_id: int) -> bool:
    shared = s.scalar(
        select(HelpingQuestion.shared)
        .where(HelpingQuestion.person_id == person_id, HelpingQuestion.active.is_(True))
        .order_by(HelpingQuestion.created_at.desc(), HelpingQuestion.id.desc())
    )
    return bool(shared)


def _next_steps_in(s, workshop_id: int | None, person_id: int) -> tuple[str, ...]:
    if workshop_id is None:
        return ()
    rows = s.scalars(
        select(NextStep.text)
        .where(NextStep.workshop_id == workshop_id, NextStep.person_id == person_id)
        .order_by(NextStep.created_at, NextStep.id)
    )
    return tuple(rows)


def series_opening(store: Store, workshop_id: int) -> SeriesOpening | None:
    """What session N (N > 1) opens with, member by member; None for a workshop that is no such session."""
    found = session_of(store, workshop_id)
    if found is None or found[1] < 2:
        return None
    group, number = found
    before = group.session(number - 1)
    with store.transaction() as s:
        members = tuple(
            MemberOpening(
                m.person_id,
                m.name,
                _next_steps_in(s, before.workshop_id if before else None, m.person_id),
                _ratings(s, m.person_id),
                _shares_question(s, m.person_id),
            )
            for m in group.members
        )
    return SeriesOpening(group.name, number, members)


# ---------------------------------------------------------------- a member's own view


@dataclass(frozen=True)
class MySeries:
    """A group as one member sees it on My progress: the next session, and what they set themselves."""

    group_name: str
    planned_sessions: int
    next_number: int | None  # None: every planned session has been held
    next_title: str
    next_on: date | None
    helping_question: str
    next_step: str


def _next_session(group: GroupView) -> tuple[int | None, str, date | None]:
    for ref in group.sessions:
        if ref.status != "closed":
            return ref.number, ref.title, ref.held_on
    held = max((ref.number for ref in group.sessions), default=0)
    if held < group.planned_sessions:
        return held + 1, "", None
    return None, "", None


def my_series(store: Store, person_id: int) -> list[MySeries]:
    """The groups ``person_id`` belongs to, each with its next session and the member's own words."""
    with store.transaction() as s:
        groups = [
            _view(s, g)
            for g in s.scalars(
                select(SeriesGroup)
                .join(SeriesMember, SeriesMember.group_id == SeriesGroup.id)
                .where(SeriesMember.person_id == person_id)
                .order_by(SeriesGroup.id)
            )
        ]
        if not groups:
            return []  # in no group: nothing more to ask (My progress asks on every run)
        question = s.scalar(
            select(HelpingQuestion.text)
            .where(HelpingQuestion.person_id == person_id, HelpingQuestion.active.is_(True))
            .order_by(HelpingQuestion.created_at.desc(), HelpingQuestion.id.desc())
        )
        out = []
        for group in groups:
            ids = [ref.workshop_id for ref in group.sessions]
            step = s.scalar(
                select(NextStep.text)
                .where(NextStep.person_id == person_id, NextStep.workshop_id.in_(ids or [-1]))
                .order_by(NextStep.created_at.desc(), NextStep.id.desc())
            )
            number, title, on = _next_session(group)
            out.append(
                MySeries(group.name, group.planned_sessions, number, title, on, question or "", step or "")
            )
        return out


def purge_groups(store: Store, on: date, records_days: int) -> int:
    """Groups with no session left, made more than the records period ago, go (their member lists too)."""
    oldest = on - timedelta(days=records_days)
    with store.transaction() as s:
        has_session = select(SeriesSession.group_id).distinct()
        due = select(SeriesGroup.id).where(SeriesGroup.id.not_in(has_session))
        ids = [i for i in s.scalars(due.where(SeriesGroup.created_at < _start_of(oldest)))]
        if ids:
            s.execute(delete(SeriesGroup).where(SeriesGroup.id.in_(ids)))
        return len(ids)


def _start_of(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def erase_groups_of(s, person_id: int) -> None:
    """Account deletion: the groups this person facilitates, and their place in other groups."""
    s.execute(delete(SeriesMember).where(SeriesMember.person_id == person_id))
    s.execute(delete(SeriesGroup).where(SeriesGroup.facilitator_id == person_id))
