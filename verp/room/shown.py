"""What a workshop may show, and who may watch a moment: one view, one rule, asked everywhere.

A moment is shown in a workshop while its owner's share is in place (not withdrawn by the owner, not
removed by the facilitator), the moment and its clip still exist, and the clip is not past its delete-by
date. Present, Control, Plan, Join, the summary and its exports all learn what they may show from
:func:`shown_moments` (or :func:`shown_moment_ids`), so a moment that leaves one leaves them all.
Reflections about a moment follow it: :func:`about_shown` is the one filter for them.

Who may watch a moment's video (:func:`may_watch`): its owner; the facilitator of a planned or live
workshop it is shown in; the projector of such a workshop (its Present link); the guider of a one-to-one
review it is chosen for (and not taken back). The owner alone may watch
a whole clip (:func:`may_watch_clip`). The media route asks these on every request.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Connection,
    Date,
    Select,
    and_,
    bindparam,
    or_,
    select,
    true,
)
from sqlalchemy.orm import Session

from verp.core.models import (
    Clip,
    Consent,
    FreezeFrame,
    Moment,
    MomentTag,
    OneToOne,
    OneToOneMoment,
    Person,
    Reflection,
    Share,
    Workshop,
    today,
)
from verp.core.store import Store

OPEN_STATUSES = ("planned", "live")  # a closed workshop shows its summary, never video


@dataclass(frozen=True)
class TagView:
    """A principle seen in a moment; optionally the behaviour and its place in the chain."""

    principle_key: str
    behaviour: str | None = None
    chain_part: str | None = None


@dataclass(frozen=True)
class FrameMark:
    """A freeze-frame as the room sees it: its time in the clip, the owner's caption, and its place in
    the chain (initiative, reception, response) if the owner marked one."""

    at_s: float
    caption: str = ""
    chain_part: str | None = None


@dataclass(frozen=True)
class ShownMoment:
    """One moment as a workshop may show it. ``note`` is None unless the owner chose to share it."""

    share_id: int
    moment_id: int
    clip_id: str
    title: str
    start_s: float  # in the clip
    end_s: float
    owner_id: int
    owner_name: str
    tags: tuple[TagView, ...]
    note: str | None
    cut: Path | None  # the moment's own video, cut exactly at its start
    freeze_frames: tuple[float, ...]  # times in the clip
    stills: tuple[Path, ...]  # the pictures of the freeze-frames that have one yet (a worker makes them)
    stills_in_exports: bool  # the consent allows the stills in an exported summary
    position: int
    prompt_set: str
    shared_at: datetime
    marks: tuple[FrameMark, ...] = ()  # the freeze-frames with captions and chain parts, in time order

    @property
    def principle_keys(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(tag.principle_key for tag in self.tags))

    @property
    def length_s(self) -> float:
        return max(self.end_s - self.start_s, 0.0)


@dataclass(frozen=True)
class Viewer:
    """Who asks to watch: a signed-in person, or the projector of one workshop (its Present link)."""

    person_id: int | None = None
    projector_of: int | None = None


# Today's date as a statement's parameter, worked out each time the statement runs (not when it is built):
# a statement of the room's built once (below) stays right past midnight.
TODAY = bindparam("today", callable_=lambda: today(), type_=Date)


def not_expired() -> ColumnElement[bool]:
    """The clip is not past its delete-by date (every clip has one from the moment it exists)."""
    return Clip.delete_by > TODAY


def visible() -> ColumnElement[bool]:
    """The rule itself, over Share joined to Moment and Clip."""
    return and_(Share.withdrawn_at.is_(None), not_expired())


# Plain columns, not ORM objects, in statements built once: every screen of a live room asks for these
# on every run, for any workshop (``{"workshop_id": ...}``) and any moments (``{"moment_ids": [...]}``).
_SHOWN_ROWS = (
    select(
        Share.id.label("share_id"),
        Share.position,
        Share.prompt_set,
        Share.shared_at,
        Moment.id.label("moment_id"),
        Moment.clip_id,
        Moment.title,
        Moment.start_s,
        Moment.end_s,
        Moment.note,
        Moment.share_note,
        Moment.cut_name,
        Clip.owner_id,
        Person.display_name.label("owner_name"),
        Consent.stills_in_exports,
    )
    .join(Moment, Moment.id == Share.moment_id)
    .join(Clip, Clip.id == Moment.clip_id)
    .join(Person, Person.id == Clip.owner_id)
    .outerjoin(Consent, Consent.clip_id == Clip.id)
    .where(Share.workshop_id == bindparam("workshop_id"), visible())
    .order_by(Share.position, Share.shared_at, Share.id)
)


FRAME_COLUMNS = (
    FreezeFrame.id,
    FreezeFrame.moment_id,
    FreezeFrame.at_s,
    FreezeFrame.still_name,
    FreezeFrame.still_status,
    FreezeFrame.still_detail,
    FreezeFrame.caption,
    FreezeFrame.chain_part,
)


_THESE_MOMENTS: BindParameter[list[int]] = bindparam("moment_ids", expanding=True)
_TAGS_OF = (
    select(MomentTag.moment_id, MomentTag.principle_key, MomentTag.behaviour, MomentTag.chain_part)
    .where(MomentTag.moment_id.in_(_THESE_MOMENTS))
    .order_by(MomentTag.id)
)
_FRAMES_OF = (
    select(*FRAME_COLUMNS)
    .where(FreezeFrame.moment_id.in_(_THESE_MOMENTS))
    .order_by(FreezeFrame.at_s, FreezeFrame.id)
)


def tags_and_frames(
    s: Session | Connection, moment_ids: list[int]
) -> tuple[defaultdict[int, list[TagView]], defaultdict[int, list]]:
    """The tags and the freeze-frames of these moments, by moment: two queries however many there are.

    A freeze-frame is a row of ``FRAME_COLUMNS`` (``id``, ``at_s``, ``still_name``, ``still_status``,
    ``still_detail``, ``caption``, ``chain_part``), read as plain columns: the room's screens ask for
    them on every run."""
    tags: defaultdict[int, list[TagView]] = defaultdict(list)
    frames: defaultdict[int, list] = defaultdict(list)
    if moment_ids:
        these = {"moment_ids": moment_ids}
        for t in s.execute(_TAGS_OF, these):
            tags[t.moment_id].append(TagView(t.principle_key, t.behaviour, t.chain_part))
        for f in s.execute(_FRAMES_OF, these):
            frames[f.moment_id].append(f)
    return tags, frames


def shown_in(
    s: Session | Connection, clip_path: Callable[[str], Path], workshop_id: int, details: bool = True
) -> list[ShownMoment]:
    """:func:`shown_moments` inside the caller's transaction.

    Three queries whatever the number of moments (shares with their moments, then tags, then
    freeze-frames), so the projector can ask on every rerun; one without ``details`` (no tags or
    freeze-frames read: see :func:`with_details`).
    """
    rows = s.execute(_SHOWN_ROWS, {"workshop_id": workshop_id}).all()
    tags, frames = tags_and_frames(s, [row.moment_id for row in rows] if details else [])
    return [
        ShownMoment(
            share_id=row.share_id,
            moment_id=row.moment_id,
            clip_id=row.clip_id,
            title=row.title,
            start_s=row.start_s,
            end_s=row.end_s,
            owner_id=row.owner_id,
            owner_name=row.owner_name,
            note=row.note if row.share_note and row.note else None,
            cut=clip_path(row.cut_name) if row.cut_name else None,
            stills_in_exports=bool(row.stills_in_exports),
            position=row.position,
            prompt_set=row.prompt_set or "default",
            shared_at=row.shared_at,
            **_details(clip_path, tags[row.moment_id], frames[row.moment_id]),
        )
        for row in rows
    ]


def _details(clip_path: Callable[[str], Path], tags: list[TagView], frames: list) -> dict:
    """A shown moment's tags and what its freeze-frames give: their times, pictures and marks."""
    return dict(
        tags=tuple(tags),
        freeze_frames=tuple(f.at_s for f in frames),
        stills=tuple(clip_path(f.still_name) for f in frames if f.still_name),
        marks=tuple(FrameMark(f.at_s, f.caption or "", f.chain_part) for f in frames),
    )


def shown_moments(store: Store, workshop_id: int, details: bool = True) -> list[ShownMoment]:
    """What the workshop may show, in running order: the one answer for every screen and export.

    Read as plain rows on a reading connection (no ORM session): the room's screens and Plan ask on
    every run. Without ``details`` the moments' tags and freeze-frames are left unread (empty): Plan
    lists its moments closed, and reads one's details when it is opened (:func:`with_details`)."""
    with store.reading_connection() as connection:
        return shown_in(connection, store.clip_path, workshop_id, details)


def with_details(store: Store, moment: ShownMoment) -> ShownMoment:
    """A moment read without its details (``shown_moments(..., details=False)``), with its tags and
    freeze-frames."""
    with store.reading_connection() as connection:
        tags, frames = tags_and_frames(connection, [moment.moment_id])
    return replace(moment, **_details(store.clip_path, tags[moment.moment_id], frames[moment.moment_id]))


def shown_moment_ids_query(workshop_id: int) -> Select[int]:
    """The ids of the moments :func:`shown_moments` would return, as a query to use inside another."""
    return (
        select(Share.moment_id)
        .join(Moment, Moment.id == Share.moment_id)
        .join(Clip, Clip.id == Moment.clip_id)
        .where(Share.workshop_id == workshop_id, visible())
    )


def shown_moment_ids(s: Session, workshop_id: int) -> set[int]:
    """The ids of the moments :func:`shown_moments` would return (one small query)."""
    return set(s.scalars(shown_moment_ids_query(workshop_id)))


# The workshop of a statement built once and run for any workshop (``{"workshop_id": ...}``): every screen
# of a live room, and the room's follow route, runs a few of them on each redraw, and building one of
# these statements cost more than running it.
THIS_WORKSHOP: BindParameter[int] = bindparam("workshop_id")


def about_shown(workshop_id: int | BindParameter[int]) -> ColumnElement[bool]:
    """Reflections that may be seen: about the whole session, or about a moment still shown and written
    while its share stands (in a statement over ``Reflection``).

    A reflection about a moment that was withdrawn, removed, deleted or expired never comes back: not
    when the moment is shared again (it starts afresh, its old reflections stay with the old share) and
    not once the moment is deleted (its link is cleared but its title is kept, and that title marks it).
    """
    about_nothing = and_(
        Reflection.moment_id.is_(None), or_(Reflection.moment_title.is_(None), Reflection.moment_title == "")
    )
    while_shown = (
        select(Share.id)
        .join(Moment, Moment.id == Share.moment_id)
        .join(Clip, Clip.id == Moment.clip_id)
        .where(
            Share.workshop_id == workshop_id,
            Share.moment_id == Reflection.moment_id,
            Share.shared_at <= Reflection.created_at,
            visible(),
        )
        .exists()
    )
    return or_(about_nothing, while_shown)


def may_watch(
    s: Session,
    viewer: Viewer,
    moment_id: int,
    workshop_id: int | None = None,
    one_to_one_id: int | None = None,
) -> bool:
    """May ``viewer`` watch this moment now? Its owner may; a facilitator may while it is shown in a
    planned or live workshop of theirs (and while they keep the role); a projector may while it is shown
    in its own workshop (and while that workshop's facilitator keeps the role); a guider may while it is
    chosen for a one-to-one review they guide (and while they keep the facilitator's role).

    ``workshop_id`` (or ``one_to_one_id``) narrows the answer to the one a link was given for.
    """
    if one_to_one_id is not None:
        return viewer.person_id is not None and _guides_review_of(
            s, viewer.person_id, moment_id, one_to_one_id
        )
    row = s.execute(
        select(Clip.owner_id, not_expired())
        .select_from(Moment)
        .join(Clip, Clip.id == Moment.clip_id)
        .where(Moment.id == int(moment_id))
    ).first()
    if row is None or not row[1]:
        return False
    if viewer.person_id is not None and viewer.person_id == row[0] and workshop_id is None:
        return True
    query = (
        select(Share.id)
        .join(Workshop, Workshop.id == Share.workshop_id)
        .where(Share.moment_id == int(moment_id), Share.withdrawn_at.is_(None))
        .where(Workshop.status.in_(OPEN_STATUSES))
    )
    if workshop_id is not None:
        query = query.where(Workshop.id == int(workshop_id))
    if viewer.projector_of is not None:
        query = query.where(Workshop.id == int(viewer.projector_of))
    elif viewer.person_id is not None:
        query = query.where(Workshop.facilitator_id == int(viewer.person_id))
    else:
        return False
    # while the workshop's facilitator holds the role (the projector's link is theirs too): an
    # administrator's removal takes it away at once
    query = query.join(Person, Person.id == Workshop.facilitator_id).where(Person.is_facilitator.is_(True))
    return s.scalar(query.limit(1)) is not None


def _guides_review_of(s: Session, person_id: int, moment_id: int, one_to_one_id: int) -> bool:
    """The moment is chosen, and not taken back, for a one-to-one review this person guides."""
    found = s.scalar(
        select(OneToOneMoment.id)
        .join(OneToOne, OneToOne.id == OneToOneMoment.one_to_one_id)
        .join(Moment, Moment.id == OneToOneMoment.moment_id)
        .join(Clip, Clip.id == Moment.clip_id)
        .where(OneToOneMoment.moment_id == int(moment_id), OneToOneMoment.withdrawn_at.is_(None))
        .join(Person, Person.id == OneToOne.guider_id)
        .where(OneToOne.id == int(one_to_one_id), OneToOne.guider_id == int(person_id), not_expired())
        .where(Person.is_facilitator.is_(True))  # guiding is a facilitator's: a removed role takes it away
        .limit(1)
    )
    return found is not None


def may_watch_clip(s: Session, person_id: int, clip_id: str) -> bool:
    """Only the owner watches a whole clip, and not once it is past its delete-by date."""
    found = s.scalar(
        select(true())
        .select_from(Clip)
        .where(Clip.id == str(clip_id), Clip.owner_id == int(person_id), not_expired())
    )
    return bool(found)
