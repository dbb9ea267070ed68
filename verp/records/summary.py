"""What a workshop noticed, kept as text: tables and counts for the summary.

Only what the room may see goes in, through the one rule of :mod:`verp.room.shown`: moments still shown,
and approved reflections (that no later edit replaced) about them or about the whole session; an owner's
note only when they chose to share it; stills only when the clip's consent record allows them in
exports. A withdrawn, removed, deleted or expired moment leaves with its reflections, for good.
Counts are per principle, never per person: a team view never ranks individuals.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from functools import cached_property
from pathlib import Path

import pandas as pd
import pyarrow as pa
from sqlalchemy import Connection, Row, bindparam, or_, select
from sqlalchemy.orm import Session

from verp.core import audit
from verp.core.errors import VerpError
from verp.core.models import (
    Clip,
    Consent,
    HelpingQuestion,
    Moment,
    NextStep,
    Participant,
    Person,
    Rating,
    Reflection,
    Share,
    Workshop,
)
from verp.core.store import Store
from verp.review.captions import transcript_of
from verp.review.consent import stills_allowed
from verp.room.principles import catalogue
from verp.room.shown import ShownMoment, about_shown, shown_in
from verp.workshop.reflections import KINDS as KIND_LABELS

REFLECTION_COLUMNS = ["moment", "principle", "kind", "prompt", "author", "text", "written_at"]
NEXT_STEP_COLUMNS = ["participant", "cycle", "next step"]
GENERAL_LABEL = "About the whole session"


class SummaryError(VerpError):
    """A summary problem, worded for the person at the screen."""


@dataclass(frozen=True)
class WorkshopRef:
    id: int
    title: str
    held_on: date
    focus: tuple[str, ...] = ()  # the principles it looks for, by name (the Summary page's list has them)


@dataclass(frozen=True)
class QuestionLine:
    """A helping question and the 0–10 ratings it was given (in one workshop, or over time)."""

    text: str
    cycle: int
    ratings: tuple[int, ...]


@dataclass(frozen=True)
class ParticipantLine:
    name: str
    helping_questions: tuple[QuestionLine, ...]


@dataclass(frozen=True)
class MomentLine:
    id: int
    title: str
    owner: str
    note: str  # empty unless the owner chose to share it (or it is their own summary)
    principles: tuple[str, ...]  # principle names, in catalogue order
    still_paths: tuple[Path, ...]  # empty unless the clip's consent allows stills in exports
    delete_by: date | None = None  # when the clip's video is deleted for good
    captions: str = ""  # the transcript; empty unless the clip's consent allows stills in exports
    marks: tuple[str, ...] = ()  # the captioned freeze-frames and chain marks, in time order


def mark_lines(moment: ShownMoment) -> tuple[str, ...]:
    """``0:01.5 looks up — initiative``: each freeze-frame's time in the moment, caption and chain part."""
    lines = []
    for mark in moment.marks:
        at = max(mark.at_s - moment.start_s, 0.0)
        words = " — ".join(w for w in (mark.caption, mark.chain_part or "") if w) or "freeze-frame"
        lines.append(f"{int(at) // 60}:{at % 60:04.1f} {words}")
    return tuple(lines)


@dataclass(frozen=True)
class ReflectionGroup:
    label: str
    table: pd.DataFrame


@dataclass(frozen=True)
class WorkshopSummary:
    workshop_id: int
    title: str
    held_on: date
    facilitator: str
    focus: tuple[str, ...]
    participants: tuple[ParticipantLine, ...]
    moments: tuple[MomentLine, ...]
    reflections: pd.DataFrame
    principle_counts: pd.DataFrame  # columns principle, count: all principles, catalogue order
    next_steps: pd.DataFrame
    # Each reflection's principle and moment, in the table's order, and the moments' titles in theirs:
    # the two groupings below are made from them when first asked for (the page shows one at a time),
    # always from ``reflections``, so a copy without authors (``for_keeping``) groups without them too.
    row_principles: tuple[str | None, ...] = ()
    row_moments: tuple[int | None, ...] = ()
    moment_titles: tuple[tuple[int, str], ...] = ()

    @cached_property
    def by_principle(self) -> tuple[ReflectionGroup, ...]:
        names = catalogue()
        known = set(names.keys)
        keys = [key if key in known else None for key in self.row_principles]
        labels = [(names.name_of(key), [k == key for k in keys]) for key in [*names.keys, None]]
        return _groups(self.reflections, labels)

    @cached_property
    def by_moment(self) -> tuple[ReflectionGroup, ...]:
        labels = [
            (title, [m == moment_id for m in self.row_moments]) for moment_id, title in self.moment_titles
        ]
        labels.append((GENERAL_LABEL, [m is None for m in self.row_moments]))
        return _groups(self.reflections, labels)


@dataclass(frozen=True)
class PersonalSummary:
    workshop_id: int
    title: str
    held_on: date
    person: str
    helping_questions: tuple[QuestionLine, ...]
    moments: tuple[MomentLine, ...]
    reflections: pd.DataFrame
    next_steps: pd.DataFrame


@dataclass(frozen=True)
class Progress:
    # Arrow tables, drawn as they are: the page draws them on every run, and a pandas frame is built and
    # then converted to Arrow for the browser each time.
    ratings: pa.Table  # question, cycle, score, workshop, rated_on
    next_steps: pa.Table  # workshop, date, cycle, next step
    workshops: tuple[WorkshopRef, ...]


def _workshop(s: Session, workshop_id: int) -> Workshop:
    workshop = s.get(Workshop, workshop_id)
    if workshop is None:
        raise SummaryError("That workshop no longer exists.")
    return workshop


def _principle_names(keys) -> tuple[str, ...]:
    wanted = set(keys)
    return tuple(p.name for p in catalogue().principles if p.key in wanted)


def _participant_names(s: Session, workshop_id: int) -> dict[int, str]:
    """Account holders' names as they appear in this workshop."""
    rows = s.scalars(select(Participant).where(Participant.workshop_id == workshop_id))
    return {p.person_id: p.display_name for p in rows if p.person_id is not None}


def _moment_lines(
    s: Session, moments: list[ShownMoment], names: dict[int, str], own: bool
) -> tuple[MomentLine, ...]:
    """Each moment as the summary prints it; three queries for them all, not three a moment."""
    if not moments:
        return ()
    ids, clip_ids = [m.moment_id for m in moments], {m.clip_id for m in moments}
    words = {
        row.id: (row.note, row.captions)
        for row in s.execute(select(Moment.id, Moment.note, Moment.captions).where(Moment.id.in_(ids)))
    }
    consents = {c.clip_id: c for c in s.scalars(select(Consent).where(Consent.clip_id.in_(clip_ids)))}
    delete_by = {
        cid: by for cid, by in s.execute(select(Clip.id, Clip.delete_by).where(Clip.id.in_(clip_ids)))
    }
    return tuple(
        _moment_line(
            m, names, own, words.get(m.moment_id, ("", "")), consents.get(m.clip_id), delete_by.get(m.clip_id)
        )
        for m in moments
    )


def _moment_line(
    moment: ShownMoment,
    names: dict[int, str],
    own: bool,
    words: tuple[str | None, str | None],
    consent: Consent | None,
    delete_by,
) -> MomentLine:
    own_note, captions = words
    note = own_note if own else moment.note  # the owner's own summary has their note; others, if shared
    allowed = stills_allowed(consent)  # the children's words go where their faces may
    stills = moment.stills if allowed else ()
    transcript = transcript_of(captions, moment.length_s) if allowed and captions else ""
    return MomentLine(
        id=moment.moment_id,
        title=moment.title,
        owner=names.get(moment.owner_id) or moment.owner_name,
        note=note or "",
        principles=_principle_names(moment.principle_keys),
        still_paths=tuple(p for p in stills if p.is_file()),
        delete_by=delete_by,
        captions=transcript,
        marks=mark_lines(moment),
    )


# What a summary reads of each reflection: plain rows, not whole objects (a live room has hundreds, and
# the Summary page reads them on every run).
_REFLECTION_FIELDS = (
    Reflection.id,
    Reflection.moment_id,
    Reflection.principle_key,
    Reflection.kind,
    Reflection.prompt,
    Reflection.author_name,
    Reflection.text,
    Reflection.created_at,
    Reflection.status,
    Reflection.supersedes_id,
)


def _visible_reflections(s: Session, workshop_id: int) -> list[Row]:
    """Approved reflections not replaced by a later edit, about a shown moment or about none.

    Reflections about a moment that was withdrawn, removed, deleted or expired stay in the record but
    never appear (:func:`verp.room.shown.about_shown`). A pending (or hidden) edit does not hide the
    approved text it would replace until it is approved.
    """
    query = select(*_REFLECTION_FIELDS).where(Reflection.workshop_id == workshop_id, about_shown(workshop_id))
    rows = list(s.execute(query))
    replaced = {r.supersedes_id for r in rows if r.supersedes_id is not None and r.status == "approved"}
    return [
        r
        for r in sorted(rows, key=lambda r: (r.created_at, r.id))
        if r.status == "approved" and r.id not in replaced
    ]


def _reflection_table(rows: list[Row], titles: dict[int, str]) -> pd.DataFrame:
    names = catalogue()
    records = [
        {
            "moment": titles.get(r.moment_id, "") if r.moment_id is not None else "",
            "principle": names.name_of(r.principle_key),
            "kind": KIND_LABELS.get(r.kind, r.kind),
            "prompt": r.prompt or "",
            "author": r.author_name or "the group",
            "text": r.text,
            "written_at": r.created_at.strftime("%Y-%m-%d %H:%M"),
        }
        for r in rows
    ]
    return pd.DataFrame.from_records(records, columns=REFLECTION_COLUMNS).astype(str)


def _groups(table: pd.DataFrame, labels: list[tuple[str, list[bool]]]) -> tuple[ReflectionGroup, ...]:
    """The table's rows under each label that has any (taken by position: one copy per group)."""
    return tuple(
        ReflectionGroup(label, table.take([i for i, hit in enumerate(mask) if hit]).reset_index(drop=True))
        for label, mask in labels
        if any(mask)
    )


def _principle_counts(rows: list[Row]) -> pd.DataFrame:
    counts = {p.key: 0 for p in catalogue().principles}
    for r in rows:
        if r.principle_key in counts:
            counts[r.principle_key] += 1
    names = [f"{p.number}. {p.name}" for p in catalogue().principles]
    return pd.DataFrame({"principle": names, "count": list(counts.values())})


def _questions(s: Session, person_id: int, workshop_id: int | None) -> tuple[QuestionLine, ...]:
    """A person's helping questions rated in this workshop, or active and shared with the group."""
    return _questions_of(s, [person_id], workshop_id).get(person_id, ())


def _questions_of(
    s: Session, person_ids: list[int], workshop_id: int | None
) -> dict[int, tuple[QuestionLine, ...]]:
    """Each person's helping questions rated in this workshop, or active and shared with the group:
    two queries for a whole room, not two a person."""
    questions = s.scalars(
        select(HelpingQuestion)
        .where(HelpingQuestion.person_id.in_(person_ids))
        .order_by(HelpingQuestion.cycle, HelpingQuestion.id)
    ).all()
    scores: dict[int, list[int]] = {q.id: [] for q in questions}
    if questions:
        rated = s.execute(
            select(Rating.helping_question_id, Rating.score)
            .where(Rating.helping_question_id.in_(scores), Rating.workshop_id == workshop_id)
            .order_by(Rating.created_at, Rating.id)
        )
        for question_id, score in rated:
            scores[question_id].append(score)
    lines: dict[int, list[QuestionLine]] = {}
    for q in questions:
        if scores[q.id] or (q.active and q.shared):
            lines.setdefault(q.person_id, []).append(QuestionLine(q.text, q.cycle, tuple(scores[q.id])))
    return {person_id: tuple(found) for person_id, found in lines.items()}


def _participant_lines(
    s: Session, participants: Sequence[Participant], moments: list[ShownMoment], workshop_id: int
) -> tuple[ParticipantLine, ...]:
    """Everyone who joined, then anyone who shared a moment without joining (sharing needs no join)."""
    joined = {p.person_id for p in participants}
    unjoined = list(dict.fromkeys(m.owner_id for m in moments if m.owner_id not in joined))
    found = s.execute(select(Person.id, Person.display_name).where(Person.id.in_(unjoined)))
    names = {person_id: name for person_id, name in found}
    everyone = [(p.display_name, p.person_id) for p in participants] + [(names[i], i) for i in unjoined]
    questions = _questions_of(s, [i for _, i in everyone if i is not None], workshop_id)
    return tuple(ParticipantLine(name, questions.get(i, ()) if i else ()) for name, i in everyone)


def _next_steps(s: Session, workshop_id: int, person_id: int | None = None) -> pd.DataFrame:
    query = select(NextStep).where(NextStep.workshop_id == workshop_id)
    if person_id is not None:
        query = query.where(NextStep.person_id == person_id)
    rows = s.scalars(query.order_by(NextStep.created_at, NextStep.id))
    records = [(n.participant_name, str(n.cycle), n.text) for n in rows]
    return pd.DataFrame.from_records(records, columns=NEXT_STEP_COLUMNS)


ONLY_ITS_FACILITATOR = "Only the workshop's facilitator can open its summary."


def _facilitates(s: Session, workshop: Workshop | None, person_id: int) -> bool:
    """The person runs this workshop and still holds the role (an administrator's removal ends it)."""
    if workshop is None or workshop.facilitator_id != person_id:
        return False
    person = s.get(Person, person_id)
    return person is not None and person.is_facilitator


def workshop_summary(store: Store, workshop_id: int, facilitator_id: int | None = None) -> WorkshopSummary:
    """Everything the group noticed in one workshop, ready to show, print or download; with
    ``facilitator_id``, only if that person facilitates it (checked in the same transaction)."""
    with store.transaction() as s:
        found = s.get(Workshop, workshop_id)
        if facilitator_id is not None and not _facilitates(s, found, facilitator_id):
            raise SummaryError(ONLY_ITS_FACILITATOR)  # a missing one reads the same as anyone else's
        workshop = _workshop(s, workshop_id)
        participants = s.scalars(
            select(Participant)
            .where(Participant.workshop_id == workshop_id)
            .order_by(Participant.joined_at, Participant.id)
        ).all()
        names = {p.person_id: p.display_name for p in participants if p.person_id is not None}
        moments = shown_in(s, store.clip_path, workshop_id)
        rows = _visible_reflections(s, workshop_id)
        table = _reflection_table(rows, {m.moment_id: m.title for m in moments})
        return WorkshopSummary(
            workshop_id=workshop.id,
            title=workshop.title,
            held_on=workshop.held_on,
            facilitator=s.get_one(Person, workshop.facilitator_id).display_name,
            focus=_principle_names(k.strip() for k in workshop.focus.split(",")),
            participants=_participant_lines(s, participants, moments, workshop_id),
            moments=_moment_lines(s, moments, names, own=False),
            reflections=table,
            principle_counts=_principle_counts(rows),
            next_steps=_next_steps(s, workshop_id),
            row_principles=tuple(r.principle_key for r in rows),
            row_moments=tuple(r.moment_id for r in rows),
            moment_titles=tuple((m.moment_id, m.title) for m in moments),
        )


def personal_summary(store: Store, workshop_id: int, person_id: int) -> PersonalSummary:
    """One person's part of a workshop: their question, their moments and what was seen in them."""
    with store.transaction() as s:
        workshop = _workshop(s, workshop_id)
        person = s.get(Person, person_id)
        if person is None:  # an account deleted since its link was drawn
            raise SummaryError("There is no such person here.")
        if workshop_id not in {w.id for w in _workshops_of(s, person_id)}:
            raise SummaryError("You did not take part in that workshop, so it has no summary for you.")
        names = _participant_names(s, workshop_id)
        mine = [m for m in shown_in(s, store.clip_path, workshop_id) if m.owner_id == person_id]
        theirs = {m.moment_id for m in mine}
        rows = [r for r in _visible_reflections(s, workshop_id) if r.moment_id in theirs]
        return PersonalSummary(
            workshop_id=workshop.id,
            title=workshop.title,
            held_on=workshop.held_on,
            person=names.get(person_id, person.display_name),
            helping_questions=_questions(s, person_id, workshop_id),
            moments=_moment_lines(s, mine, names, own=True),
            reflections=_reflection_table(rows, {m.moment_id: m.title for m in mine}),
            next_steps=_next_steps(s, workshop_id, person_id),
        )


# My progress reads these on every run: statements built once, run on one plain connection.
_RATINGS_OF = (
    select(
        HelpingQuestion.id,
        HelpingQuestion.text,
        Rating.cycle,
        Rating.score,
        Workshop.title,
        Rating.created_at,
    )
    .join(Rating, Rating.helping_question_id == HelpingQuestion.id)
    .outerjoin(Workshop, Workshop.id == Rating.workshop_id)
    .where(HelpingQuestion.person_id == bindparam("person_id"))
    .order_by(Rating.cycle, Rating.created_at, Rating.id)
)
_NEXT_STEPS_OF = (
    select(Workshop.title, Workshop.held_on, NextStep.cycle, NextStep.text)
    .outerjoin(Workshop, Workshop.id == NextStep.workshop_id)
    .where(NextStep.person_id == bindparam("person_id"))
    .order_by(NextStep.cycle, NextStep.created_at)
)
_JOINED_BY = select(Participant.workshop_id).where(Participant.person_id == bindparam("person_id"))
_SHARED_WITH_BY = (
    select(Share.workshop_id)
    .join(Moment, Moment.id == Share.moment_id)
    .join(Clip, Clip.id == Moment.clip_id)
    .where(Clip.owner_id == bindparam("person_id"))
)
_WORKSHOPS_OF = (
    select(Workshop.id, Workshop.title, Workshop.held_on)
    .where(or_(Workshop.id.in_(_JOINED_BY), Workshop.id.in_(_SHARED_WITH_BY)))
    .order_by(Workshop.held_on.desc(), Workshop.id.desc())
)


def progress(store: Store, person_id: int) -> Progress:
    """A person's helping-question ratings over the cycles, and the next steps they set.

    As on the helping-question screen, a later rating in the same cycle is the one that counts.
    """
    mine = {"person_id": person_id}
    with store.reading_connection() as c:
        ratings = c.execute(_RATINGS_OF, mine).all()
        steps = c.execute(_NEXT_STEPS_OF, mine).all()
        workshops = _workshops_of(c, person_id)
    latest = {(qid, cycle): (q, cycle, sc, w or "", at.date()) for qid, q, cycle, sc, w, at in ratings}
    return Progress(
        # a later rating in the same cycle replaced the earlier one
        ratings=_table(list(latest.values()), RATING_COLUMNS, RATING_TYPES),
        next_steps=_table([(w or "", d, c, t) for w, d, c, t in steps], STEP_COLUMNS, STEP_TYPES),
        workshops=workshops,
    )


RATING_COLUMNS = ("question", "cycle", "score", "workshop", "rated_on")
RATING_TYPES = (pa.string(), pa.int64(), pa.int64(), pa.string(), pa.date32())
STEP_COLUMNS = ("workshop", "date", "cycle", "next step")
STEP_TYPES = (pa.string(), pa.date32(), pa.int64(), pa.string())


def _table(rows: list[tuple], names: tuple[str, ...], types: tuple[pa.DataType, ...]) -> pa.Table:
    columns = list(zip(*rows, strict=True)) if rows else [()] * len(names)
    return pa.table([pa.array(c, type=t) for c, t in zip(columns, types, strict=True)], names=list(names))


def _workshops_of(reader: Session | Connection, person_id: int) -> tuple[WorkshopRef, ...]:
    """Workshops a person took part in: joined as a participant, or shared a moment with."""
    return tuple(WorkshopRef(*row) for row in reader.execute(_WORKSHOPS_OF, {"person_id": person_id}))


def workshops_of(store: Store, person_id: int) -> tuple[WorkshopRef, ...]:
    """Workshops a person took part in: joined as a participant, or shared a moment with."""
    with store.transaction() as s:
        return _workshops_of(s, person_id)


_FACILITATED_BY = (
    select(Workshop.id, Workshop.title, Workshop.held_on, Workshop.focus)
    .join(Person, Person.id == Workshop.facilitator_id)
    .where(Person.id == bindparam("person_id"), Person.is_facilitator.is_(True))  # still holds the role
    .order_by(Workshop.held_on.desc(), Workshop.id.desc())
)


def facilitated_workshops(store: Store, person_id: int) -> tuple[WorkshopRef, ...]:
    """The workshops this person facilitates, newest first: the only ones whose summary they see."""
    with store.reading_connection() as c:  # the Summary page asks on every run: rows, not objects
        rows = c.execute(_FACILITATED_BY, {"person_id": person_id}).all()
    return tuple(
        WorkshopRef(i, title, held_on, _principle_names(k.strip() for k in focus.split(",")))
        for i, title, held_on, focus in rows
    )


def facilitator_summary(store: Store, person_id: int, workshop_id: int) -> WorkshopSummary:
    """The summary, for the workshop's own facilitator only."""
    return workshop_summary(store, workshop_id, facilitator_id=person_id)


def for_keeping(
    result: WorkshopSummary, include_ratings: bool = False, include_authors: bool = False
) -> WorkshopSummary:
    """The summary as it may be kept or passed on: without each person's ratings and without who wrote
    each reflection, unless the facilitator ticks them in. Team records never rank individuals."""
    if include_ratings and include_authors:
        return result
    people = result.participants
    if not include_ratings:
        people = tuple(
            replace(p, helping_questions=tuple(replace(q, ratings=()) for q in p.helping_questions))
            for p in people
        )

    def unsigned(table: pd.DataFrame) -> pd.DataFrame:
        return table if include_authors or "author" not in table else table.assign(author="")

    return replace(
        result,
        participants=people,
        reflections=unsigned(result.reflections),  # its groupings are made from this table
    )


def participants_table(result: WorkshopSummary) -> pd.DataFrame:
    """One row per participant and helping question, for a plain table on screen."""
    records = []
    for p in result.participants:
        for q in p.helping_questions or (None,):
            ratings = ", ".join(str(r) for r in q.ratings) if q else ""
            records.append((p.name, q.text if q else "", str(q.cycle) if q else "", ratings))
    return pd.DataFrame.from_records(records, columns=["participant", "helping question", "cycle", "ratings"])


def record_personal_download(store: Store, person_id: int, workshop_id: int) -> None:
    """Keep a note of who downloaded their own personal summary of a workshop."""
    with store.transaction() as s:
        audit.record(s, audit.actor_of(person_id), "download_personal_summary", f"workshop:{workshop_id}")


def record_download(store: Store, person_id: int, workshop_id: int, what: str) -> None:
    """Keep a note of who took a copy of a summary away, and in which form."""
    with store.transaction() as s:
        audit.record(s, audit.actor_of(person_id), "download_summary", f"workshop:{workshop_id}", what)
