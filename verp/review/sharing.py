"""Sharing chosen moments with a workshop, and withdrawing them at any time.

The owner shares moments, never the whole clip, with a workshop found by its join code. A withdrawn
share disappears from that workshop at once: :func:`shared_moments` is the one way the projector and
the summary learn what they may show, and it never returns a withdrawn share.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, or_, select

from verp.core import audit, limits
from verp.core.models import Clip, Consent, FreezeFrame, Moment, MomentTag, Person, Share, Workshop, utcnow
from verp.core.store import Store
from verp.review.consent import ConsentError, check_shareable
from verp.review.moments import NOT_YOURS, MomentError, TagView, _moment
from verp.room import room_state

MAX_SHARED_PER_CLIP = 3


class SharingError(Exception):
    """A sharing problem, worded for a teacher."""


@dataclass(frozen=True)
class SharedMoment:
    """One moment as a workshop may show it. ``note`` is None unless the owner chose to share it."""

    share_id: int
    moment_id: int
    clip_id: str
    title: str
    start_s: float
    end_s: float
    owner_id: int
    owner_name: str
    tags: tuple[TagView, ...]
    note: str | None
    cut: Path | None
    freeze_frames: tuple[float, ...]  # times in the clip
    stills: tuple[Path, ...]  # the freeze-frames' pictures, in the same order
    stills_in_exports: bool  # the consent allows the stills in an exported summary
    position: int
    shared_at: datetime


@dataclass(frozen=True)
class ShareView:
    """One of my shares, as I see it on my Review page."""

    id: int
    moment_id: int
    workshop_id: int
    workshop_title: str
    workshop_status: str
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

    The room's screens redraw, and a room already running stays on the step it is on. Codes that open
    nothing are counted per person and per device, so sharing cannot be used to guess codes.
    """
    tries = limits.code_limits("share", client, f"person:{owner_id}")
    try:
        with limits.counted_try(store, tries, NoOpenWorkshop):
            return _share_by_code(store, owner_id, moment_id, join_code)
    except limits.LimitReached:
        raise SharingError(limits.TOO_MANY_CODES) from None


def _share_by_code(store: Store, owner_id: int, moment_id: int, join_code: str) -> ShareView:
    from verp.room.running_order import rooms_kept_on_step  # it builds on this module

    code = normalise_code(join_code)
    with store.transaction() as s:
        found = s.scalar(select(Workshop.id).where(Workshop.join_code == code)) if code else None
    with rooms_kept_on_step(store, [found] if found else []):
        return _share_moment(store, owner_id, moment_id, code)


def _share_moment(store: Store, owner_id: int, moment_id: int, code: str) -> ShareView:
    with store.transaction() as s:
        try:
            moment, clip = _moment(s, owner_id, moment_id)
            check_shareable(s, clip.id)
        except (MomentError, ConsentError) as exc:
            raise SharingError(str(exc)) from None
        workshop = s.scalar(select(Workshop).where(Workshop.join_code == code)) if code else None
        if workshop is None or workshop.status not in ("planned", "live"):
            raise NoOpenWorkshop(NO_OPEN_WORKSHOP)
        if moment.cut_name is None:
            raise SharingError("This moment has no video cut yet. Please save its start and end again.")
        live = _active_shares().where(Share.workshop_id == workshop.id)
        if s.scalar(live.where(Share.moment_id == moment.id)):
            raise SharingError("This moment is already shared with that workshop.")
        same_clip = s.scalar(
            select(func.count(Share.id))
            .join(Moment, Moment.id == Share.moment_id)
            .where(Share.workshop_id == workshop.id, Share.withdrawn_at.is_(None), Moment.clip_id == clip.id)
        )
        if same_clip >= MAX_SHARED_PER_CLIP:
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
        share.shared_at,
        share.withdrawn_at,
    )


def withdraw_share(store: Store, owner_id: int, share_id: int) -> ShareView:
    """Take a shared moment back: it leaves the workshop (and its projector) at once; a room on a later
    step stays on it. Withdrawing twice is harmless."""
    from verp.room.running_order import rooms_kept_on_step  # it builds on this module

    with store.transaction() as s:
        share = s.get(Share, int(share_id))
        workshop_ids = [share.workshop_id] if share is not None and share.withdrawn_at is None else []
    with rooms_kept_on_step(store, workshop_ids):
        return _withdraw(store, owner_id, share_id)


def _withdraw(store: Store, owner_id: int, share_id: int) -> ShareView:
    with store.transaction() as s:
        share = s.get(Share, int(share_id))
        try:
            if share is None:
                raise MomentError(NOT_YOURS)
            _moment(s, owner_id, share.moment_id)
        except MomentError:
            raise SharingError("There is no share of yours here.") from None
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
        return _share_view(share, s.get(Workshop, share.workshop_id))


def my_shares(store: Store, owner_id: int, clip_id: str) -> list[ShareView]:
    """Every share, active or withdrawn, of the moments of one of my clips."""
    with store.transaction() as s:
        rows = s.execute(
            select(Share, Workshop)
            .join(Workshop, Workshop.id == Share.workshop_id)
            .join(Moment, Moment.id == Share.moment_id)
            .join(Clip, Clip.id == Moment.clip_id)
            .where(Moment.clip_id == clip_id, Clip.owner_id == owner_id)
            .order_by(Share.shared_at, Share.id)
        ).all()
        return [_share_view(share, workshop) for share, workshop in rows]


def shared_moments(store: Store, workshop_id: int) -> list[SharedMoment]:
    """What a workshop may show, in sharing order: active shares only, notes only where the owner chose.

    A clip past its consent's delete-by date is not shown, even before it is deleted.

    Three queries whatever the number of moments (shares with their moments, then tags, then
    freeze-frames), so the projector can ask on every rerun.
    """
    with store.transaction() as s:
        rows = s.execute(
            select(Share, Moment, Clip.owner_id, Person.display_name, Consent.stills_in_exports)
            .join(Moment, Moment.id == Share.moment_id)
            .join(Clip, Clip.id == Moment.clip_id)
            .join(Person, Person.id == Clip.owner_id)
            .outerjoin(Consent, Consent.clip_id == Clip.id)
            .where(Share.workshop_id == workshop_id, Share.withdrawn_at.is_(None))
            .where(or_(Consent.delete_by.is_(None), Consent.delete_by > utcnow().date()))
            .order_by(Share.position, Share.shared_at, Share.id)
        ).all()
        ids = [row[1].id for row in rows]
        tags: dict[int, list[TagView]] = defaultdict(list)
        frames: dict[int, list[FreezeFrame]] = defaultdict(list)
        if ids:
            for t in s.scalars(select(MomentTag).where(MomentTag.moment_id.in_(ids)).order_by(MomentTag.id)):
                tags[t.moment_id].append(TagView(t.principle_key, t.behaviour, t.chain_part))
            for f in s.scalars(
                select(FreezeFrame).where(FreezeFrame.moment_id.in_(ids)).order_by(FreezeFrame.at_s)
            ):
                frames[f.moment_id].append(f)
    return [
        SharedMoment(
            share_id=share.id,
            moment_id=moment.id,
            clip_id=moment.clip_id,
            title=moment.title,
            start_s=moment.start_s,
            end_s=moment.end_s,
            owner_id=owner_id,
            owner_name=owner_name,
            tags=tuple(tags[moment.id]),
            note=moment.note if moment.share_note and moment.note else None,
            cut=store.clip_path(moment.cut_name) if moment.cut_name else None,
            freeze_frames=tuple(f.at_s for f in frames[moment.id]),
            stills=tuple(store.clip_path(f.still_name) for f in frames[moment.id] if f.still_name),
            stills_in_exports=bool(stills_ok),
            position=share.position,
            shared_at=share.shared_at,
        )
        for share, moment, owner_id, owner_name, stills_ok in rows
    ]
