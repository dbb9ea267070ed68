"""The guider's log: every shared review they led, for their own reflection and their supervision.

An entry is made for each group workshop once it closes and each one-to-one review once it is recorded,
with the facts an accreditation portfolio asks for: date, participant codes (never names), cycle,
principles worked on, duration. The guider adds their reflection on their own guidance (the principles
applied to themselves), and may share an entry with a supervisor (any account), who can then read it and
add supervision notes. Exports (PDF, CSV) carry text only: never a still, never a child's image.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import cast

from sqlalchemy import CursorResult, delete, select

from verp.core import audit
from verp.core.errors import NotYours, VerpError
from verp.core.models import (
    AuditEvent,
    GuiderLogEntry,
    GuiderLogShare,
    MomentTag,
    NextStep,
    OneToOne,
    OneToOneReview,
    Participant,
    Person,
    Reflection,
    SeriesSession,
    SupervisionNote,
    Workshop,
    today,
)
from verp.core.store import Store
from verp.core.text import clean_text
from verp.records.export import _Document, spreadsheet_safe
from verp.room.principles import catalogue
from verp.room.shown import shown_in

MAX_REFLECTION = 5000
NOT_YOURS = "There is no log entry of yours with that number."
NOT_SHARED = "That log entry has not been shared with you."
CSV_COLUMNS = [
    "date",
    "kind",
    "participant codes",
    "cycle",
    "principles worked on",
    "duration (min)",
    "my reflection",
    "principles applied to my guidance",
    "supervision notes",
]


class LogError(VerpError):
    """A guider's-log problem, worded for the guider or the supervisor."""


def participant_code(person_id: int) -> str:
    """How an account appears in a guider's log: a code, never a name."""
    return f"P{person_id:03d}"


@dataclass(frozen=True)
class NoteView:
    author: str
    text: str
    at: datetime


@dataclass(frozen=True)
class EntryView:
    id: int
    guider_id: int
    guider_name: str
    kind: str  # group|one_to_one
    held_on: date
    participant_codes: str
    cycle: int
    principles: tuple[str, ...]  # names
    duration_min: int
    reflection: str
    applied_principles: tuple[str, ...]  # keys
    supervisors: tuple[tuple[int, str], ...]
    notes: tuple[NoteView, ...]

    @property
    def kind_label(self) -> str:
        return "Group workshop" if self.kind == "group" else "One-to-one review"


# ---------------------------------------------------------------- entries made from reviews


def _workshop_facts(s, store: Store, w: Workshop) -> dict:
    shown = shown_in(s, store.clip_path, w.id)
    people = set(s.scalars(select(Participant.person_id).where(Participant.workshop_id == w.id)))
    people |= {m.owner_id for m in shown}
    people |= set(s.scalars(select(NextStep.person_id).where(NextStep.workshop_id == w.id)))
    people -= {None, w.facilitator_id}
    keys = {k for k in (w.focus or "").split(",") if k}
    keys |= {k for m in shown for k in m.principle_keys}
    keys |= set(s.scalars(select(Reflection.principle_key).where(Reflection.workshop_id == w.id))) - {None}
    if shown:
        keys |= set(
            s.scalars(
                select(MomentTag.principle_key).where(MomentTag.moment_id.in_([m.moment_id for m in shown]))
            )
        )
    opened = s.scalar(
        select(AuditEvent.at)
        .where(AuditEvent.action == "workshop_opened", AuditEvent.subject == f"workshop:{w.id}")
        .order_by(AuditEvent.at)
    )
    minutes = round((w.closed_at - opened).total_seconds() / 60) if opened and w.closed_at else 0
    number = s.scalar(select(SeriesSession.number).where(SeriesSession.workshop_id == w.id))
    return dict(
        kind="group",
        held_on=w.held_on,
        participant_codes=", ".join(participant_code(p) for p in sorted(people)),
        cycle=number or 1,
        principles=",".join(k for k in catalogue().keys if k in keys),
        duration_min=max(minutes, 0),
    )


def _review_facts(o: OneToOne, r: OneToOneReview) -> dict:
    finished = r.finished_at or r.started_at  # only finished reviews are logged; a guard for the type
    minutes = round((finished - r.started_at).total_seconds() / 60)
    return dict(
        kind="one_to_one",
        held_on=r.held_on,
        participant_codes=o.participant_code,
        cycle=r.cycle,
        principles=r.principles,
        duration_min=max(minutes, 1),
    )


def _sync(s, store: Store, guider_id: int) -> None:
    """Make an entry for every shared review the guider led that has none yet."""
    have = set(s.scalars(select(GuiderLogEntry.source).where(GuiderLogEntry.guider_id == guider_id)))
    kept_since = today() - timedelta(days=store.settings.records_days)  # older ones were purged
    closed = s.scalars(
        select(Workshop).where(
            Workshop.facilitator_id == guider_id, Workshop.status == "closed", Workshop.held_on > kept_since
        )
    )
    for w in closed:
        if f"workshop:{w.id}" not in have:
            s.add(
                GuiderLogEntry(guider_id=guider_id, source=f"workshop:{w.id}", **_workshop_facts(s, store, w))
            )
    reviews = s.execute(
        select(OneToOne, OneToOneReview)
        .join(OneToOneReview, OneToOneReview.one_to_one_id == OneToOne.id)
        .where(OneToOne.guider_id == guider_id, OneToOneReview.cycle >= 1)
        .where(OneToOneReview.finished_at.is_not(None), OneToOneReview.held_on > kept_since)
    ).all()
    for o, r in reviews:
        if f"one_to_one_review:{r.id}" not in have:
            s.add(
                GuiderLogEntry(guider_id=guider_id, source=f"one_to_one_review:{r.id}", **_review_facts(o, r))
            )
    s.flush()


def _entry_view(s, e: GuiderLogEntry) -> EntryView:
    supervisors = s.execute(
        select(Person.id, Person.display_name)
        .join(GuiderLogShare, GuiderLogShare.supervisor_id == Person.id)
        .where(GuiderLogShare.entry_id == e.id)
        .order_by(Person.display_name)
    ).all()
    notes = s.execute(
        select(Person.display_name, SupervisionNote.text, SupervisionNote.created_at)
        .join(Person, Person.id == SupervisionNote.author_id)
        .where(SupervisionNote.entry_id == e.id)
        .order_by(SupervisionNote.created_at, SupervisionNote.id)
    ).all()
    names = catalogue()
    return EntryView(
        e.id,
        e.guider_id,
        s.get(Person, e.guider_id).display_name,
        e.kind,
        e.held_on,
        e.participant_codes,
        e.cycle,
        tuple(names.name_of(k) for k in (e.principles or "").split(",") if k),
        e.duration_min,
        e.reflection,
        tuple(k for k in (e.applied_principles or "").split(",") if k),
        tuple((i, n) for i, n in supervisors),
        tuple(NoteView(*row) for row in notes),
    )


def my_log(store: Store, guider_id: int) -> list[EntryView]:
    """The guider's log, newest first; brought up to date with every review that ended since."""
    with store.transaction() as s:
        _sync(s, store, guider_id)
        rows = s.scalars(
            select(GuiderLogEntry)
            .where(GuiderLogEntry.guider_id == guider_id)
            .order_by(GuiderLogEntry.held_on.desc(), GuiderLogEntry.id.desc())
        )
        return [_entry_view(s, e) for e in rows]


def _own_entry(s, guider_id: int, entry_id: int) -> GuiderLogEntry:
    entry = s.get(GuiderLogEntry, int(entry_id))
    if entry is None or entry.guider_id != guider_id:
        raise NotYours(NOT_YOURS)
    return entry


def reflect(store: Store, guider_id: int, entry_id: int, text: str, applied_principles=()) -> EntryView:
    """The guider's reflection on their own guidance, and the principles they applied to themselves."""
    text = clean_text(text, MAX_REFLECTION, what="your reflection")
    unknown = [k for k in applied_principles if k not in catalogue().keys]
    if unknown:
        raise LogError(f"Unknown principle: {', '.join(unknown)}.")
    with store.transaction() as s:
        entry = _own_entry(s, guider_id, entry_id)
        entry.reflection = text
        entry.applied_principles = ",".join(k for k in catalogue().keys if k in applied_principles)
        audit.record(s, audit.actor_of(guider_id), "log_reflection", f"log_entry:{entry.id}")
        s.flush()
        return _entry_view(s, entry)


def share_entry(store: Store, guider_id: int, entry_id: int, supervisor_id: int) -> None:
    """Let one supervisor (any account) read this entry and add supervision notes to it."""
    with store.transaction() as s:
        entry = _own_entry(s, guider_id, entry_id)
        if supervisor_id == guider_id or s.get(Person, int(supervisor_id)) is None:
            raise LogError("Please choose your supervisor's account.")
        exists = select(GuiderLogShare.id).where(
            GuiderLogShare.entry_id == entry.id, GuiderLogShare.supervisor_id == int(supervisor_id)
        )
        if s.scalar(exists) is None:
            s.add(GuiderLogShare(entry_id=entry.id, supervisor_id=int(supervisor_id)))
            detail = f"with {audit.actor_of(int(supervisor_id))}"
            audit.record(s, audit.actor_of(guider_id), "log_shared", f"log_entry:{entry.id}", detail)


def unshare_entry(store: Store, guider_id: int, entry_id: int, supervisor_id: int) -> None:
    with store.transaction() as s:
        entry = _own_entry(s, guider_id, entry_id)
        s.execute(
            delete(GuiderLogShare).where(
                GuiderLogShare.entry_id == entry.id, GuiderLogShare.supervisor_id == int(supervisor_id)
            )
        )
        detail = f"from {audit.actor_of(int(supervisor_id))}"
        audit.record(s, audit.actor_of(guider_id), "log_unshared", f"log_entry:{entry.id}", detail)


def shared_with_me(store: Store, supervisor_id: int) -> list[EntryView]:
    """The entries guiders have shared with this supervisor, newest first."""
    with store.transaction() as s:
        rows = s.scalars(
            select(GuiderLogEntry)
            .join(GuiderLogShare, GuiderLogShare.entry_id == GuiderLogEntry.id)
            .where(GuiderLogShare.supervisor_id == supervisor_id)
            .order_by(GuiderLogEntry.held_on.desc(), GuiderLogEntry.id.desc())
        )
        return [_entry_view(s, e) for e in rows]


def add_note(store: Store, supervisor_id: int, entry_id: int, text: str) -> None:
    """A supervision note on an entry shared with this supervisor (and only then)."""
    text = clean_text(text, MAX_REFLECTION, what="your note")
    if not text:
        raise LogError("Please write your supervision note first.")
    with store.transaction() as s:
        shared = s.scalar(
            select(GuiderLogShare.id).where(
                GuiderLogShare.entry_id == int(entry_id), GuiderLogShare.supervisor_id == supervisor_id
            )
        )
        if shared is None:
            raise NotYours(NOT_SHARED)
        s.add(SupervisionNote(entry_id=int(entry_id), author_id=supervisor_id, text=text))
        audit.record(s, audit.actor_of(supervisor_id), "supervision_note", f"log_entry:{entry_id}")


def record_export(store: Store, guider_id: int, what: str) -> None:
    with store.transaction() as s:
        audit.record(s, audit.actor_of(guider_id), "download", "guider_log", what)


# ---------------------------------------------------------------- exports (text only, no images)


def _applied(entry: EntryView) -> str:
    return ", ".join(catalogue().name_of(k) for k in entry.applied_principles)


def _notes(entry: EntryView) -> str:
    return "\n".join(f"{n.author} ({n.at:%d %b %Y}): {n.text}" for n in entry.notes)


def log_csv(entries: list[EntryView]) -> bytes:
    """The log as UTF-8 CSV, every cell spreadsheet-safe (a formula-like cell gets an apostrophe)."""
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for e in sorted(entries, key=lambda x: (x.held_on, x.id)):
        row = [
            e.held_on.isoformat(),
            e.kind_label,
            e.participant_codes,
            str(e.cycle),
            ", ".join(e.principles),
            str(e.duration_min),
            e.reflection,
            _applied(e),
            _notes(e),
        ]
        writer.writerow([spreadsheet_safe(cell) for cell in row])
    return out.getvalue().encode("utf-8")


def log_pdf(entries: list[EntryView], guider_name: str) -> bytes:
    """A printable log for an accreditation portfolio: text only, participants by code."""
    doc = _Document(f"Guider's log · {guider_name}")
    doc.heading("Guider's log", 0)
    doc.para(f"Guider: {guider_name}")
    doc.para(f"{len(entries)} shared review{'s' if len(entries) != 1 else ''}. Participants appear by code.")
    doc.none_if(not entries)
    for e in sorted(entries, key=lambda x: (x.held_on, x.id)):
        doc.heading(f"{e.held_on:%d %B %Y} · {e.kind_label} · cycle {e.cycle}", 2)
        doc.para(f"Participants: {e.participant_codes or 'none recorded'}", size=9.5)
        doc.para(f"Principles worked on: {', '.join(e.principles) or 'none recorded'}", size=9.5)
        doc.para(f"Duration: {e.duration_min} min", size=9.5)
        if e.reflection:
            doc.reflection(e.reflection, "My reflection on my guidance")
        if e.applied_principles:
            doc.para(f"Principles I applied to my guidance: {_applied(e)}", size=9.5)
        for note in e.notes:
            doc.reflection(note.text, f"Supervision note · {note.author} · {note.at:%d %b %Y}")
    return bytes(doc.output())


# ---------------------------------------------------------------- retention and erasure


def purge_log(store: Store, on: date) -> int:
    """Entries (with their notes and shares) go after the records period from the review's date."""
    oldest = on - timedelta(days=store.settings.records_days)
    with store.transaction() as s:
        gone = s.execute(delete(GuiderLogEntry).where(GuiderLogEntry.held_on <= oldest))
        return cast(CursorResult, gone).rowcount or 0
