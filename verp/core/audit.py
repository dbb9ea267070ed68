"""A plain record of who did what to whose video: shares, withdrawals, projections, deletions.

Written inside the same unit of work as the change it describes, so the record and the change commit
together or not at all. Rows are only ever added.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from verp.core.errors import VerpError
from verp.core.models import AuditEvent, Person
from verp.core.store import Store

PERSON_PREFIX = "person:"


class AuditError(VerpError):
    """Someone asked for the audit log who may not see it."""


@dataclass(frozen=True)
class AuditView:
    at: datetime
    actor: str  # as recorded: ``person:<id>`` or a job's name such as ``retention``
    actor_name: str  # for reading: the person's current display name, when the actor is a person
    action: str
    subject: str
    detail: str


def actor_of(person_id: int) -> str:
    """How a signed-in person is named in the audit trail (an id, never a name that may change)."""
    return f"{PERSON_PREFIX}{person_id}"


def record(session: Session, actor: str, action: str, subject: str, detail: str = "") -> None:
    """Add one audit row to the open unit of work ``session``."""
    session.add(AuditEvent(actor=actor[:120], action=action[:40], subject=subject[:200], detail=detail))


def recent_events(store: Store, limit: int = 200) -> list[AuditView]:
    """The newest entries first, with people's current names beside their ids."""
    with store.transaction() as s:
        newest = select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)
        rows = list(s.scalars(newest))
        ids = {_person_id(r.actor) for r in rows} - {None}
        people = s.execute(select(Person.id, Person.display_name).where(Person.id.in_(ids)))
        names = {person_id: name for person_id, name in people}
        return [AuditView(r.at, r.actor, _name(r.actor, names), r.action, r.subject, r.detail) for r in rows]


def _person_id(actor: str) -> int | None:
    rest = actor[len(PERSON_PREFIX) :] if actor.startswith(PERSON_PREFIX) else ""
    return int(rest) if rest.isdigit() else None


def _name(actor: str, names: dict[int, str]) -> str:
    person_id = _person_id(actor)
    if person_id is None:
        return actor
    return names.get(person_id, f"a deleted account ({actor})")


def log_for(store: Store, viewer_id: int, limit: int = 200) -> list[AuditView]:
    """The audit log, for facilitators only: it names who shared, showed and deleted whose video."""
    with store.transaction() as s:
        viewer = s.get(Person, viewer_id)
        if viewer is None or not viewer.is_facilitator:
            raise AuditError("Only a facilitator can see the audit log.")
    return recent_events(store, limit)
