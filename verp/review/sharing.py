"""Sharing chosen moments with a workshop, and withdrawing them at any time.

The owner shares moments, never the whole clip, with a workshop found by its join code. A withdrawn
share disappears from that workshop at once: :func:`verp.room.shown.shown_moments` is the one way every
screen and export learns what it may show, and it never returns a withdrawn share.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import bindparam, func, select

from verp.core import audit, limits
from verp.core.errors import NotYours, VerpError
from verp.core.models import Clip, Moment, Share, Workshop, utcnow
from verp.core.store import Store
from verp.review import moment_cuts
from verp.review.consent import check_shareable
from verp.review.moments import owned_moment
from verp.room import room_state

MAX_SHARED_PER_CLIP = 3
NOT_YOUR_SHARE = "There is no share of yours here."


class SharingError(VerpError):
    """A sharing problem, worded for a teacher."""


@dataclass(frozen=True)
class ShareView:
    """One of my shares, as I see it on my Review page."""

    id: int
    moment_id: int
    workshop_id: int
    workshop_title: str
    workshop_status: str
    workshop_held_on: date
    shared_at: datetime
    withdrawn_at: datetime | None

    @property
    def active(self) -> bool:
        return self.withdrawn_at is None


def normalise_code(code: str) -> str:
    """Join codes are shown in capitals; spaces and case typed by people do not matter."""
    return "".join(str(code or "").split()).upper()[:16]


def _active_shares():
    return select(Share).where(Share.withdrawn_at.is_(None))


class NoOpenWorkshop(SharingError):
    """The code opens no planned or live workshop; unknown and closed codes are answered alike."""


NO_OPEN_WORKSHOP = "No planned or live workshop has that code. Please check it with your facilitator."
MAX_CODE_FAILURES = limits.MAX_CODE_FAILURES


def share_moment(
    store: Store, owner_id: int, moment_id: int, join_code: str, client: str = limits.UNKNOWN_CLIENT
) -> ShareView:
    """Share one of my moments with the workshop whose join code I was given.

    The room's screens redraw; a room already running stays on the step it is on. Codes that open
    nothing are counted per person and per device, so sharing cannot be used to guess codes.
    """
    tries = limits.code_limits("share", client, f"person:{owner_id}")
    try:
        with limits.counted_try(store, tries, NoOpenWorkshop):
            return _share_by_code(store, owner_id, moment_id, join_code)
    except limits.LimitReached:
        raise SharingError(limits.TOO_MANY_CODES) from None


def _share_by_code(store: Store, owner_id: int, moment_id: int, join_code: str) -> ShareView:
    code = normalise_code(join_code)
    with store.transaction() as s:
        moment, clip = owned_moment(s, owner_id, moment_id)
        check_shareable(s, clip.id)
        workshop = s.scalar(select(Workshop).where(Workshop.join_code == code)) if code else None
        if workshop is None or workshop.status not in ("planned", "live"):
            raise NoOpenWorkshop(NO_OPEN_WORKSHOP)
        if reason := moment_cuts.not_cut_yet(moment):
            raise SharingError(reason)
        live = _active_shares().where(Share.workshop_id == workshop.id)
        if s.scalar(live.where(Share.moment_id == moment.id)):
            raise SharingError("This moment is already shared with that workshop.")
        same_clip = s.scalar(
            select(func.count(Share.id))
            .join(Moment, Moment.id == Share.moment_id)
            .where(Share.workshop_id == workshop.id, Share.withdrawn_at.is_(None), Moment.clip_id == clip.id)
        )
        if (same_clip or 0) >= MAX_SHARED_PER_CLIP:
            raise SharingError(
                f"You have shared {MAX_SHARED_PER_CLIP} moments of this clip with that workshop: "
                "three short moments is the most one review looks at. Withdraw one to share another."
            )
        last = s.scalar(select(func.max(Share.position)).where(Share.workshop_id == workshop.id))
        share = Share(moment_id=moment.id, workshop_id=workshop.id, position=(last or 0) + 1)
        s.add(share)
        s.flush()
        room_state.bump(s, [workshop.id])
        audit.record(s, audit.actor_of(owner_id), "share", f"moment:{moment.id}", f"workshop:{workshop.id}")
        return _share_view(share, workshop)


def _share_view(share: Share, workshop: Workshop) -> ShareView:
    return ShareView(
        share.id,
        share.moment_id,
        workshop.id,
        workshop.title,
        workshop.status,
        workshop.held_on,
        share.shared_at,
        share.withdrawn_at,
    )


def withdraw_share(store: Store, owner_id: int, share_id: int) -> ShareView:
    """Take a shared moment back: it leaves the workshop (and its projector) at once, and so do the
    reflections about it; a room on a later step stays on it. Withdrawing twice is harmless."""
    with store.transaction() as s:
        share = s.get(Share, int(share_id))
        try:
            if share is None:
                raise NotYours(NOT_YOUR_SHARE)
            owned_moment(s, owner_id, share.moment_id)
        except NotYours:
            raise NotYours(NOT_YOUR_SHARE) from None
        if share.withdrawn_at is None:
            share.withdrawn_at = utcnow()
            room_state.bump(s, [share.workshop_id])
            audit.record(
                s,
                audit.actor_of(owner_id),
                "withdraw",
                f"moment:{share.moment_id}",
                f"workshop:{share.workshop_id}",
            )
        return _share_view(share, s.get_one(Workshop, share.workshop_id))


def my_shares(store: Store, owner_id: int, clip_id: str) -> list[ShareView]:
    """Every share, active or withdrawn, of the moments of one of my clips. (Review reads them with the
    clip's moments and consent: ``clip_review``.)"""
    with store.reading_connection() as c:
        return [
            ShareView(*row) for row in c.execute(_SHARES_OF_CLIP, {"clip_id": clip_id, "owner_id": owner_id})
        ]


_SHARES_OF_CLIP = (
    select(
        Share.id,
        Share.moment_id,
        Share.workshop_id,
        Workshop.title,
        Workshop.status,
        Workshop.held_on,
        Share.shared_at,
        Share.withdrawn_at,
    )
    .join(Workshop, Workshop.id == Share.workshop_id)
    .join(Moment, Moment.id == Share.moment_id)
    .join(Clip, Clip.id == Moment.clip_id)
    .where(Moment.clip_id == bindparam("clip_id"), Clip.owner_id == bindparam("owner_id"))
    .order_by(Share.shared_at, Share.id)
)
