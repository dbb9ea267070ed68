"""A plain record of who did what to whose video: shares, withdrawals, deletions.

Written inside the same unit of work as the change it describes, so the record and the change commit
together or not at all.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from verp.models import AuditEvent


def actor_of(person_id: int) -> str:
    """How a signed-in person is named in the audit trail (an id, never a name that may change)."""
    return f"person:{person_id}"


def record(session: Session, actor: str, action: str, subject: str, detail: str = "") -> None:
    """Add one audit row to the open unit of work ``session``."""
    session.add(AuditEvent(actor=actor[:120], action=action[:40], subject=subject[:200], detail=detail))
