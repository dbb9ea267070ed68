"""The consent record of a clip: who was filmed, on what basis, and when the video must go.

A clip without a consent record cannot be shared. The app records *which* basis and *who* gave or
recorded it; it does not give legal advice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select

from verp.core import audit
from verp.core.errors import VerpError
from verp.core.models import Consent, Moment, Share, Workshop, today
from verp.core.store import Store
from verp.core.text import clean_text
from verp.review.clips import owned_clip

BASES = {
    "parental_consent": "Parents or carers gave written consent",
    "public_task": "The school's public task (parents informed)",
    "no_identifiable": "No child can be identified (framed out, backs only, no names heard)",
}
SCOPES = {"workshop_only": "Only the workshops I share moments with"}


class ConsentError(VerpError):
    """A consent problem, worded for a teacher."""


@dataclass(frozen=True)
class ConsentView:
    clip_id: str
    filmed_group: str
    basis: str
    recorded_by: str
    consent_date: date
    scope: str
    stills_in_exports: bool
    delete_by: date
    created_at: datetime

    @property
    def basis_label(self) -> str:
        return BASES.get(self.basis, self.basis)


def _view(c: Consent) -> ConsentView:
    return ConsentView(
        c.clip_id,
        c.filmed_group,
        c.basis,
        c.recorded_by,
        c.consent_date,
        c.scope,
        c.stills_in_exports,
        c.delete_by,
        c.created_at,
    )


def _today() -> date:
    return today()


def default_delete_by(store: Store, owner_id: int, clip_id: str) -> date:
    """Two months (``retention_days``) after the last workshop this clip is shown in closes.

    A workshop not yet closed counts from its date (or today, if later); with no workshop known yet,
    the clock starts today.
    """
    keep = timedelta(days=store.settings.retention_days)
    today = _today()
    with store.transaction() as s:
        owned_clip(s, owner_id, clip_id)
        rows = s.execute(
            select(Workshop.status, Workshop.held_on, Workshop.closed_at)
            .join(Share, Share.workshop_id == Workshop.id)
            .join(Moment, Moment.id == Share.moment_id)
            .where(Moment.clip_id == clip_id)
        ).all()
    ends = [
        closed.date() if status == "closed" and closed else max(held_on, today)
        for status, held_on, closed in rows
    ]
    return max(ends, default=today) + keep


def record_consent(
    store: Store,
    owner_id: int,
    clip_id: str,
    *,
    filmed_group: str,
    basis: str,
    recorded_by: str,
    consent_date: date,
    stills_in_exports: bool = False,
    delete_by: date | None = None,
    scope: str = "workshop_only",
) -> ConsentView:
    """Record (or correct) the clip's consent. ``delete_by`` defaults to :func:`default_delete_by`."""
    filmed_group = clean_text(filmed_group, None, one_line=True)
    recorded_by = clean_text(recorded_by, None, one_line=True)
    if not filmed_group:
        raise ConsentError("Say who was filmed, e.g. “Year 3, reading group” (no children's names needed).")
    if len(filmed_group) > 200:
        raise ConsentError("Please keep who was filmed under 200 characters, e.g. “Year 3, reading group”.")
    if basis not in BASES:
        raise ConsentError("Please choose the basis for filming.")
    if not recorded_by:
        raise ConsentError("Please say who gave or recorded the consent.")
    if len(recorded_by) > 120:
        raise ConsentError("Please keep who gave or recorded the consent under 120 characters.")
    if scope not in SCOPES:
        raise ConsentError("Please choose who may view the clip.")
    if consent_date > _today():
        raise ConsentError("The consent date cannot be in the future.")
    delete_by = delete_by or default_delete_by(store, owner_id, clip_id)
    if delete_by <= _today():
        raise ConsentError("The delete-by date must be after today.")
    with store.transaction() as s:
        owned_clip(s, owner_id, clip_id)
        row = s.scalar(select(Consent).where(Consent.clip_id == clip_id)) or Consent(clip_id=clip_id)
        row.filmed_group, row.basis, row.recorded_by = filmed_group, basis, recorded_by
        row.consent_date, row.scope, row.delete_by = consent_date, scope, delete_by
        row.stills_in_exports = bool(stills_in_exports)
        s.add(row)
        audit.record(s, audit.actor_of(owner_id), "consent_recorded", f"clip:{clip_id}", basis)
        s.flush()
        return _view(row)


def get_consent(store: Store, owner_id: int, clip_id: str) -> ConsentView | None:
    with store.transaction() as s:
        owned_clip(s, owner_id, clip_id)
        row = s.scalar(select(Consent).where(Consent.clip_id == clip_id))
        return _view(row) if row else None


def check_shareable(s, clip_id: str) -> Consent:
    """The clip's consent, or a plain refusal: no record, or its delete-by date has passed."""
    row = s.scalar(select(Consent).where(Consent.clip_id == clip_id))
    if row is None:
        raise ConsentError("Record who was filmed and on what basis before sharing any moment of this clip.")
    if row.delete_by <= _today():
        raise ConsentError("This clip has reached its delete-by date, so it can no longer be shared.")
    return row


WARN_WITHIN_DAYS = 7


@dataclass(frozen=True)
class DeleteByClash:
    """A workshop this clip is shared with that falls after (or just before) the clip's delete-by date."""

    workshop_id: int
    workshop_title: str
    held_on: date
    delete_by: date
    suggested: date  # ``retention_days`` after the workshop


def delete_by_clashes(store: Store, owner_id: int, clip_id: str) -> list[DeleteByClash]:
    """Open workshops a moment of this clip is shared with, held after (or within a week of) delete-by.

    The clip would be deleted before, or just after, the group looks at it: the owner is told and may
    move the date to ``retention_days`` after that workshop.
    """
    keep = timedelta(days=store.settings.retention_days)
    with store.transaction() as s:
        owned_clip(s, owner_id, clip_id)
        row = s.scalar(select(Consent).where(Consent.clip_id == clip_id))
        if row is None:
            return []
        workshops = s.scalars(
            select(Workshop)
            .join(Share, Share.workshop_id == Workshop.id)
            .join(Moment, Moment.id == Share.moment_id)
            .where(Moment.clip_id == clip_id, Share.withdrawn_at.is_(None), Workshop.status != "closed")
            .distinct()
            .order_by(Workshop.held_on, Workshop.id)
        ).all()
        return [
            DeleteByClash(w.id, w.title, w.held_on, row.delete_by, w.held_on + keep)
            for w in workshops
            if row.delete_by <= w.held_on + timedelta(days=WARN_WITHIN_DAYS)
        ]


def set_delete_by(store: Store, owner_id: int, clip_id: str, delete_by: date) -> ConsentView:
    """Move the clip's delete-by date (after today), keeping the rest of its consent record."""
    if delete_by <= _today():
        raise ConsentError("The delete-by date must be after today.")
    with store.transaction() as s:
        owned_clip(s, owner_id, clip_id)
        row = s.scalar(select(Consent).where(Consent.clip_id == clip_id))
        if row is None:
            raise ConsentError("Record who was filmed and on what basis first.")
        row.delete_by = delete_by
        audit.record(
            s, audit.actor_of(owner_id), "delete_by_changed", f"clip:{clip_id}", delete_by.isoformat()
        )
        s.flush()
        return _view(row)
