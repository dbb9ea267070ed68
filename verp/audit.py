"""The audit log: who did what to whose video, and when.

Rows are only ever added. ``record`` joins the caller's unit of work, so an action and its audit entry
commit together or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from verp.models import AuditEvent, Person
from verp.store import Store


@dataclass(frozen=True)
class AuditView:
    at: datetime
    actor: str
    action: str
    subject: str
    detail: str


def record(session: Session, actor: str, action: str, subject: str, detail: str = "") -> None:
    """Add one entry to the audit log inside the caller's transaction."""
    session.add(AuditEvent(actor=actor[:120], action=action[:40], subject=subject[:200], detail=detail))


def recent_events(store: Store, limit: int = 200) -> list[AuditView]:
    """The newest entries first."""
    with store.transaction() as s:
        rows = s.scalars(select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit))
        return [AuditView(r.at, r.actor, r.action, r.subject, r.detail) for r in rows]


class AuditError(Exception):
    """Someone asked for the audit log who may not see it."""


def log_for(store: Store, viewer_id: int, limit: int = 200) -> list[AuditView]:
    """The audit log, for facilitators only: it names who shared, showed and deleted whose video."""
    with store.transaction() as s:
        viewer = s.get(Person, viewer_id)
        if viewer is None or not viewer.is_facilitator:
            raise AuditError("Only a facilitator can see the audit log.")
    return recent_events(store, limit)
