"""The consent record of a clip: who was filmed, who agreed, on what basis, and when the video must go.

A clip without a complete consent record cannot be shared. The record says who agreed (parents or carers,
and the children themselves where they can), which other adults are in the frame and that they agreed,
and confirms that no child without consent is in shot; it may point to the school's data-protection
impact assessment. The app records *which* basis and *who* gave or recorded it; it does not give legal
advice.

"No child can be identified" is no longer a basis: a voice, a uniform or a name heard identifies a child.
Records made with it (or before the record asked who agreed) keep what they say, and *need review*: no
new moment of the clip can be shared and its stills stay out of exports until its owner completes the
record. Moments already shared stay shared, so a workshop planned around them is not broken without
its owner knowing; Review tells the owner.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Row, bindparam, select
from sqlalchemy.orm import Session

from verp.core import audit
from verp.core.errors import VerpError
from verp.core.models import Clip, Consent, Moment, Share, Workshop, today
from verp.core.store import Store
from verp.core.text import clean_text
from verp.review.clips import ClipView, owned_clip

BASES = {
    "parental_consent": "Parents or carers of every child in shot gave written consent",
    "public_task": "The school's public task (parents and carers told, none objected)",
}
RETIRED_BASES = {"no_identifiable": "No child can be identified (no longer accepted)"}
CHILDREN_AGREEMENT = {
    "agreed": "Every child who could understand was asked, in words they follow, and agreed",
    "too_young": "The children are too young to agree themselves; their parents or carers decided",
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
    children_agreement: str | None = None
    other_adults: str = ""
    other_adults_agreed: bool = False
    no_child_without_consent: bool = False
    dpia_reference: str = ""
    review_reason: str = ""  # empty when the record is complete

    @property
    def basis_label(self) -> str:
        return BASES.get(self.basis) or RETIRED_BASES.get(self.basis, self.basis)

    @property
    def needs_review(self) -> bool:
        return bool(self.review_reason)


def review_reason(c: Consent | Row[Any] | SimpleNamespace) -> str:
    """Why a record cannot be relied on as it stands, in a teacher's words; empty when it can."""
    if c.basis not in BASES:
        return (
            "it says no child can be identified, which is no longer accepted: a voice, a uniform or a "
            "name heard identifies a child. Choose the basis that applies."
        )
    if c.children_agreement not in CHILDREN_AGREEMENT or not c.no_child_without_consent:
        return (
            "it does not yet say whether the children agreed, or confirm that no child without consent "
            "is in shot."
        )
    if c.other_adults and not c.other_adults_agreed:
        return "other adults are in the frame without their agreement."
    return ""


def stills_allowed(c: Consent | None) -> bool:
    """Freeze-frames may go into an exported summary: asked for, and the record is complete and current."""
    return c is not None and c.stills_in_exports and not review_reason(c) and c.delete_by > today()


def _view(c: Consent | Row[Any] | SimpleNamespace) -> ConsentView:
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
        c.children_agreement,
        c.other_adults or "",
        bool(c.other_adults_agreed),
        bool(c.no_child_without_consent),
        c.dpia_reference or "",
        review_reason(c),
    )


def consent_view(c: Consent | Row[Any] | SimpleNamespace) -> ConsentView:
    """A consent record as pages see it, from its ORM object or anything with its columns' names."""
    return _view(c)


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
    return min(max(ends, default=today) + keep, latest_delete_by(store, owner_id, clip_id))


def latest_delete_by(store: Store, owner_id: int, clip_id: str) -> date:
    """The service's limit: ``retention_max_days`` after the clip was added, and no later."""
    with store.transaction() as s:
        added = owned_clip(s, owner_id, clip_id).created_at.date()
    return added + timedelta(days=store.settings.retention_max_days)


def _check_delete_by(store: Store, owner_id: int, clip_id: str, delete_by: date) -> None:
    if delete_by <= _today():
        raise ConsentError("The delete-by date must be after today.")
    latest = latest_delete_by(store, owner_id, clip_id)
    if delete_by > latest:
        raise ConsentError(
            f"This service keeps clips at most {store.settings.retention_max_days} days after they are "
            f"added: please choose a delete-by date on or before {latest:%d %b %Y}."
        )


PAST_ITS_DATE = (
    "This clip has reached its delete-by date and is being deleted for good: it cannot be kept longer."
)


def _before_its_date(clip: Clip) -> Clip:
    """A clip whose date has come is already gone from every view until the purge deletes it; a new date
    would bring it back, shares and all, so none is taken."""
    if clip.delete_by <= _today():
        raise ConsentError(PAST_ITS_DATE)
    return clip


def record_consent(
    store: Store,
    owner_id: int,
    clip_id: str,
    *,
    filmed_group: str,
    basis: str,
    recorded_by: str,
    consent_date: date,
    children_agreement: str | None = None,
    no_child_without_consent: bool = False,
    other_adults: str = "",
    other_adults_agreed: bool = False,
    dpia_reference: str = "",
    stills_in_exports: bool = False,
    delete_by: date | None = None,
    scope: str = "workshop_only",
) -> ConsentView:
    """Record (or correct) the clip's consent. ``delete_by`` defaults to :func:`default_delete_by`.

    A record is complete or refused: every check runs before anything is written.
    """
    filmed_group, recorded_by = _checked_who(filmed_group, recorded_by)
    other_adults, dpia_reference = _checked_agreement(
        children_agreement, no_child_without_consent, other_adults, other_adults_agreed, dpia_reference
    )
    if basis not in BASES:
        raise ConsentError("Please choose the basis for filming.")
    if scope not in SCOPES:
        raise ConsentError("Please choose who may view the clip.")
    if consent_date > _today():
        raise ConsentError("The consent date cannot be in the future.")
    delete_by = delete_by or default_delete_by(store, owner_id, clip_id)
    _check_delete_by(store, owner_id, clip_id, delete_by)
    with store.transaction() as s:
        clip = _before_its_date(owned_clip(s, owner_id, clip_id))
        clip.delete_by = delete_by
        row = s.scalar(select(Consent).where(Consent.clip_id == clip_id)) or Consent(clip_id=clip_id)
        row.filmed_group, row.basis, row.recorded_by = filmed_group, basis, recorded_by
        row.consent_date, row.scope, row.delete_by = consent_date, scope, delete_by
        row.children_agreement, row.no_child_without_consent = children_agreement, True
        row.other_adults, row.other_adults_agreed = other_adults, bool(other_adults and other_adults_agreed)
        row.dpia_reference, row.stills_in_exports = dpia_reference, bool(stills_in_exports)
        s.add(row)
        audit.record(s, audit.actor_of(owner_id), "consent_recorded", f"clip:{clip_id}", basis)
        s.flush()
        return _view(row)


def _checked_who(filmed_group: str, recorded_by: str) -> tuple[str, str]:
    filmed_group = clean_text(filmed_group, None, one_line=True)
    recorded_by = clean_text(recorded_by, None, one_line=True)
    if not filmed_group:
        raise ConsentError("Say who was filmed, e.g. “Year 3, reading group” (no children's names needed).")
    if len(filmed_group) > 200:
        raise ConsentError("Please keep who was filmed under 200 characters, e.g. “Year 3, reading group”.")
    if not recorded_by:
        raise ConsentError("Please say who gave or recorded the consent.")
    if len(recorded_by) > 120:
        raise ConsentError("Please keep who gave or recorded the consent under 120 characters.")
    return filmed_group, recorded_by


def _checked_agreement(
    children: str | None, no_child_without: bool, adults: str, adults_agreed: bool, dpia: str
) -> tuple[str, str]:
    """Who agreed: the children (or why not), the other adults in the frame; and the confirmation."""
    adults = clean_text(adults or "", None, one_line=True)
    dpia = clean_text(dpia or "", None, one_line=True)
    if children not in CHILDREN_AGREEMENT:
        raise ConsentError("Please say whether the children agreed themselves, or are too young to.")
    if len(adults) > 200:
        raise ConsentError("Please keep the other adults in the frame under 200 characters, e.g. “TA”.")
    if adults and not adults_agreed:
        raise ConsentError(
            "Other adults in the frame must agree to be shown. Ask them, or frame them out and cut the clip."
        )
    if not no_child_without:
        raise ConsentError(
            "Please confirm that no child without consent is in shot. If one is, frame them out, cut "
            "the clip to leave them out, or do not use it."
        )
    if len(dpia) > 200:
        raise ConsentError("Please keep the data-protection assessment reference under 200 characters.")
    return adults, dpia


def get_consent(store: Store, owner_id: int, clip_id: str) -> ConsentView | None:
    with store.transaction() as s:
        owned_clip(s, owner_id, clip_id)
        row = s.scalar(select(Consent).where(Consent.clip_id == clip_id))
        return _view(row) if row else None


def check_shareable(s, clip_id: str) -> Consent:
    """The clip's consent, or a plain refusal: no record, a record needing review, or past delete-by."""
    row = s.scalar(select(Consent).where(Consent.clip_id == clip_id))
    if row is None:
        raise ConsentError("Record who was filmed and on what basis before sharing any moment of this clip.")
    if reason := review_reason(row):
        raise ConsentError(f"Please complete this clip's consent record before sharing: {reason}")
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
    with store.transaction() as s:
        clip = owned_clip(s, owner_id, clip_id)
        row = s.scalar(select(Consent).where(Consent.clip_id == clip_id))
        return _clashes(store, s, clip, row) if row else []


_OPEN_WORKSHOPS_SHOWING = (
    select(Workshop.id, Workshop.title, Workshop.held_on)
    .join(Share, Share.workshop_id == Workshop.id)
    .join(Moment, Moment.id == Share.moment_id)
    .where(Moment.clip_id == bindparam("clip_id"), Share.withdrawn_at.is_(None), Workshop.status != "closed")
    .distinct()
    .order_by(Workshop.held_on, Workshop.id)
)


def _clashes(store: Store, s: Session, clip: Clip, row: Consent) -> list[DeleteByClash]:
    workshops = s.execute(_OPEN_WORKSHOPS_SHOWING, {"clip_id": clip.id}).all()
    return clashes_with(store, clip, row.delete_by, workshops)


def clashes_with(
    store: Store, clip: Clip | ClipView, delete_by: date, workshops: Iterable[tuple[int, str, date]]
) -> list[DeleteByClash]:
    """The clashes of ``delete_by`` with the open workshops showing the clip: ``workshops`` are their id,
    title and date, each once, in date order (as :func:`delete_by_clashes` reads them, or as Review
    works them out from the clip's shares it has read anyway)."""
    keep = timedelta(days=store.settings.retention_days)
    latest = clip.created_at.date() + timedelta(days=store.settings.retention_max_days)
    return [
        DeleteByClash(workshop_id, title, held_on, delete_by, min(held_on + keep, latest))
        for workshop_id, title, held_on in workshops
        if delete_by <= held_on + timedelta(days=WARN_WITHIN_DAYS)
    ]


def set_delete_by(store: Store, owner_id: int, clip_id: str, delete_by: date) -> ConsentView:
    """Move the clip's delete-by date (after today, within the service's limit), keeping the rest of its
    consent record."""
    _check_delete_by(store, owner_id, clip_id, delete_by)
    with store.transaction() as s:
        clip = _before_its_date(owned_clip(s, owner_id, clip_id))
        row = s.scalar(select(Consent).where(Consent.clip_id == clip_id))
        if row is None:
            raise ConsentError("Record who was filmed and on what basis first.")
        row.delete_by = clip.delete_by = delete_by
        audit.record(
            s, audit.actor_of(owner_id), "delete_by_changed", f"clip:{clip_id}", delete_by.isoformat()
        )
        s.flush()
        return _view(row)
