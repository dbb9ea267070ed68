"""Moments: a few seconds of one's own clip, with a private note, principle tags and freeze-frames.

Every function takes the owner's id and refuses anyone else's clip or moment with the same plain message
as a missing one. Files made from a moment live in the clip's folder: ``moments/<id>.mp4`` (the cut
the group sees) and ``stills/`` (freeze-frames); ``thumbs/`` holds the clip's thumbnail strip.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Connection, CursorResult, bindparam, delete, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from verp.core import audit
from verp.core.errors import NotYours, VerpError
from verp.core.models import Clip, FreezeFrame, Moment, MomentTag
from verp.core.store import Store
from verp.core.text import TextError, clean_text
from verp.media import processing
from verp.media.processing import strip_paths
from verp.review import freeze_stills, moment_cuts
from verp.review.clips import ClipView, owned_clip
from verp.room import room_state
from verp.room.principles import CHAIN_KEYS, catalogue
from verp.room.shown import TagView, tags_and_frames

__all__ = ["TagView"]  # the tag as the room shows it; set_tags takes the same

ABOUT_S = 10.0  # the method's "about ten seconds"
WARN_S = 30.0
MAX_S = 120.0
MIN_S = 0.5
TOLERANCE_S = 0.05
NOT_YOURS = "There is no moment of yours here. Moments can only be opened by their owner."


class MomentError(VerpError):
    """A moment problem, worded for a teacher."""


@dataclass(frozen=True)
class FreezeFrameView:
    id: int
    at_s: float
    still: Path | None
    caption: str = ""  # what the owner sees in it, e.g. "looks up — an initiative"
    chain_part: str | None = None  # initiative | reception | response
    still_status: str = freeze_stills.READY  # a worker makes the picture: ready | making | failed
    still_detail: str = ""  # why the picture could not be made

    @property
    def making(self) -> bool:
        return self.still_status == freeze_stills.MAKING

    @property
    def failed(self) -> bool:
        return self.still_status == freeze_stills.FAILED


@dataclass(frozen=True)
class MomentView:
    id: int
    clip_id: str
    title: str
    start_s: float
    end_s: float
    note: str
    share_note: bool
    cut: Path | None
    tags: tuple[TagView, ...]
    freeze_frames: tuple[FreezeFrameView, ...]
    created_at: datetime
    captions: str = ""  # "start end words" lines, checked by verp.review.captions
    cut_status: str = moment_cuts.READY  # a worker cuts it: ready | cutting | failed
    cut_detail: str = ""  # how far the cut has got, or why it could not be made

    @property
    def cutting(self) -> bool:
        return self.cut_status == moment_cuts.CUTTING

    @property
    def cut_failed(self) -> bool:
        return self.cut_status == moment_cuts.FAILED

    @property
    def length_s(self) -> float:
        return round(self.end_s - self.start_s, 2)


def length_advice(start_s: float, end_s: float) -> str | None:
    """A gentle nudge toward the method's short moments, or None when the length is fine."""
    length = end_s - start_s
    if length > WARN_S:
        return (
            f"This moment is {length:.0f} s long. "
            f"Moments of about {ABOUT_S:.0f} s are easier to look at together."
        )
    return None


# ---------------------------------------------------------------- ownership and views


def owned_moment(s, owner_id: int, moment_id: int) -> tuple[Moment, Clip]:
    """The owner's moment and its clip, in the caller's transaction; anyone else's reads as missing."""
    row = s.execute(
        select(Moment, Clip).join(Clip, Clip.id == Moment.clip_id).where(Moment.id == int(moment_id))
    ).first()
    if row is None or row[1].owner_id != owner_id:
        raise NotYours(NOT_YOURS)
    return row[0], row[1]


def source_of(store: Store, clip: Clip) -> Path:
    """The file to cut and freeze from: the browser-playable copy when there is one."""
    return store.clip_path(clip.playable_name or clip.stored_name)


def _file(store: Store, name: str | None) -> Path | None:
    if not name:
        return None
    path = store.clip_path(name)
    return path if path.exists() else None


def _view(store: Store, s, m: Moment) -> MomentView:
    return _views(store, s, [m])[0]


def _views(
    store: Store, s: Session | Connection | None, rows: Sequence[Any], details: bool = True
) -> list[MomentView]:
    """The moments (ORM rows or plain rows of their columns) as views, their tags and freeze-frames read
    in one query each (not two a moment); without ``details``, none are read (see :func:`with_details`)."""
    tags: defaultdict[int, list[TagView]] = defaultdict(list)
    frames: defaultdict[int, list] = defaultdict(list)
    if details and s is not None:
        tags, frames = tags_and_frames(s, [m.id for m in rows])
    return [
        MomentView(
            id=m.id,
            clip_id=m.clip_id,
            title=m.title,
            start_s=m.start_s,
            end_s=m.end_s,
            note=m.note,
            share_note=m.share_note,
            cut=_file(store, m.cut_name),
            tags=tuple(tags[m.id]),
            freeze_frames=_frame_views(store, frames[m.id]),
            created_at=m.created_at,
            captions=m.captions or "",
            cut_status=m.cut_status,
            cut_detail=m.cut_detail or "",
        )
        for m in rows
    ]


def _frame_views(store: Store, frames: list) -> tuple[FreezeFrameView, ...]:
    return tuple(
        FreezeFrameView(
            f.id,
            f.at_s,
            _file(store, f.still_name),
            f.caption or "",
            f.chain_part,
            f.still_status,
            f.still_detail or "",
        )
        for f in frames
    )


def _check_bounds(clip: Clip, start_s: float, end_s: float) -> tuple[float, float]:
    start_s, end_s = round(float(start_s), 2), round(float(end_s), 2)
    inside = start_s >= 0 and end_s <= clip.duration_s + TOLERANCE_S  # false for a time that is no number
    if not inside:
        raise MomentError(f"A moment must lie inside the clip (0 to {clip.duration_s:.1f} s).")
    if start_s >= end_s:
        raise MomentError("A moment must end after it starts.")
    if end_s - start_s < MIN_S:
        raise MomentError(f"A moment needs at least {MIN_S} s.")
    if end_s - start_s > MAX_S:
        raise MomentError(f"Please keep a moment under {MAX_S:.0f} s: about {ABOUT_S:.0f} s works best.")
    return start_s, min(end_s, clip.duration_s)


MAX_NOTE = 2000


def _note(note: str) -> str:
    """The owner's own note: plain text, NUL and control characters removed, of a readable length."""
    try:
        return clean_text(note, MAX_NOTE, what="the note")
    except TextError as exc:
        raise MomentError(str(exc)) from None


def _title(title: str) -> str:
    try:
        title = clean_text(title, 200, what="the title", one_line=True)
    except TextError:
        title = ""
    if not title:
        raise MomentError("Please give the moment a short title (up to 200 characters).")
    return title


# ---------------------------------------------------------------- reading


def list_moments(store: Store, owner_id: int, clip_id: str) -> list[MomentView]:
    """The moments of one of the owner's clips, in clip order."""
    with store.transaction() as s:
        owned_clip(s, owner_id, clip_id)
        return moments_of(store, s, clip_id)


_MOMENTS_OF = (
    select(Moment.__table__).where(Moment.clip_id == bindparam("clip_id")).order_by(Moment.start_s, Moment.id)
)


def moments_of(store: Store, s: Session | Connection, clip_id: str) -> list[MomentView]:
    """The clip's moments in clip order, read where the caller reads (which checked the clip is theirs)."""
    return _views(store, s, s.execute(_MOMENTS_OF, {"clip_id": clip_id}).all())


def listed(store: Store, rows: Sequence[Any]) -> list[MomentView]:
    """Moments read by a caller's own statement (rows with every column of ``moment``), as views
    without their details (see :func:`with_details`)."""
    return _views(store, None, rows, details=False)


def with_details(store: Store, moment: MomentView) -> MomentView:
    """A moment read without its details (:func:`listed`), with its tags and freeze-frames: for a
    moment its owner has open."""
    with store.reading_connection() as connection:
        tags, frames = tags_and_frames(connection, [moment.id])
    return replace(moment, tags=tuple(tags[moment.id]), freeze_frames=_frame_views(store, frames[moment.id]))


def get_moment(store: Store, owner_id: int, moment_id: int) -> MomentView:
    with store.transaction() as s:
        moment, _ = owned_moment(s, owner_id, moment_id)
        return _view(store, s, moment)


def clip_fps(store: Store, owner_id: int, clip_id: str) -> float:
    """Frames per second of the clip, as read when it came in (25 when the file did not say, or for a
    clip from before it was kept), for stepping frame by frame: the web server never opens the file."""
    with store.transaction() as s:
        return owned_clip(s, owner_id, clip_id).fps or 25.0


def clip_thumbnails(store: Store, owner_id: int, clip_id: str) -> list[tuple[float, Path]]:
    """An evenly spaced strip of (time, picture) across the clip, made by a worker with its playable
    copy (none until then). A prepared clip without its strip asks a worker for it, and has none
    meanwhile: the web server never decodes a clip to draw Review."""
    with store.transaction() as s:
        clip = owned_clip(s, owner_id, clip_id)
        duration, playable = clip.duration_s, clip.playable_name is not None
    return _strip(store, clip_id, duration, playable)


def thumbnails_of(store: Store, clip: ClipView) -> list[tuple[float, Path]]:
    """As :func:`clip_thumbnails`, for a clip the page already read from its owner's own list (Review
    draws the strip on every run: the clip need not be read a second time)."""
    return _strip(store, clip.id, clip.duration_s, clip.playable is not None)


def _strip(store: Store, clip_id: str, duration: float, playable: bool) -> list[tuple[float, Path]]:
    folder = store.clip_path(clip_id)
    paths = strip_paths(folder)
    if not all(p.exists() for p in paths):
        if playable and not processing.strip_cannot_be_made(folder):
            processing.ask_for_strip(store, clip_id)
        return []
    return [(round(duration * (i + 0.5) / len(paths), 2), p) for i, p in enumerate(paths)]


# ---------------------------------------------------------------- making and changing


def create_moment(
    store: Store, owner_id: int, clip_id: str, title: str, start_s: float, end_s: float
) -> MomentView:
    """Mark a moment of one's own clip; a worker cuts it to its own file (``verp.review.moment_cuts``)."""
    title = _title(title)
    with store.transaction() as s:
        clip = owned_clip(s, owner_id, clip_id)
        start_s, end_s = _check_bounds(clip, start_s, end_s)
        moment = Moment(
            clip_id=clip_id, title=title, start_s=start_s, end_s=end_s, cut_status=moment_cuts.CUTTING
        )
        s.add(moment)
        s.flush()
        view = _view(store, s, moment)
    moment_cuts.enqueue_cut(store, view.id)
    return view


def store_captions(store: Store, owner_id: int, moment_id: int, lines: str) -> None:
    """Keep captions already checked by ``verp.review.captions``; the room's screens redraw with them."""
    with store.transaction() as s:
        moment, _ = owned_moment(s, owner_id, moment_id)
        moment.captions = lines
        room_state.bump(s, room_state.workshops_showing(s, [moment.id]))


def caption_text(store: Store, moment_id: int) -> tuple[str, float]:
    """A moment's caption lines and its length, for a screen that may already show the moment."""
    with store.transaction() as s:
        moment = s.get(Moment, int(moment_id))
        if moment is None:
            return "", 0.0
        return moment.captions or "", moment.end_s - moment.start_s


def update_moment(
    store: Store,
    owner_id: int,
    moment_id: int,
    *,
    title: str | None = None,
    note: str | None = None,
    share_note: bool | None = None,
    start_s: float | None = None,
    end_s: float | None = None,
) -> MomentView:
    """Change a moment's words or its times; new times (or the same ones after a cut that failed) are
    cut again by a worker, and freeze-frames outside them go.

    New times take effect at once: the cut of the old times goes with them (an owner narrows a moment to
    leave someone out of it), so a room shows no video of the moment until the new cut is ready.
    """
    new_title = _title(title) if title is not None else None
    new_note = _note(note) if note is not None else None
    gone: list[str | None] = []
    gone_frames: list[int] = []
    with store.transaction() as s:
        moment, clip = owned_moment(s, owner_id, moment_id)
        start = moment.start_s if start_s is None else start_s
        end = moment.end_s if end_s is None else end_s
        start, end = _check_bounds(clip, start, end)
        moved = (start, end) != (moment.start_s, moment.end_s)
        clip_id = clip.id
        times_given = start_s is not None or end_s is not None
        again = moved or (times_given and _needs_a_cut(store, moment))
        if new_title is not None:
            moment.title = new_title
        if new_note is not None:
            moment.note = new_note
        if share_note is not None:
            moment.share_note = bool(share_note)
        if moved:
            moment.start_s, moment.end_s = start, end
            gone.append(moment.cut_name)
            moment.cut_name = None
            room_state.bump(s, room_state.workshops_showing(s, [moment.id]))
            outside = s.scalars(
                select(FreezeFrame).where(
                    FreezeFrame.moment_id == moment.id,
                    (FreezeFrame.at_s < start) | (FreezeFrame.at_s > end),
                )
            ).all()
            for frame in outside:
                gone.append(frame.still_name)
                gone_frames.append(frame.id)
                s.delete(frame)
        if again:
            moment.cut_status, moment.cut_detail = moment_cuts.CUTTING, ""
            # written even where unchanged from what was read: a cut a worker recorded in the meantime
            # (of the old times) must not stay on the row with the new ones
            for column in ("cut_name", "cut_status", "cut_detail"):
                flag_modified(moment, column)
    for file_name in gone:
        _unlink(store, file_name)
    for frame_id in gone_frames:  # with any picture a worker finished for it meanwhile
        freeze_stills.remove_still_files(store, clip_id, moment_id, frame_id)
    if moved:  # no cut now: any cut of it is of old times (even one a worker recorded as this ran)
        _remove_cut_files(store, clip_id, moment_id, half_made_too=False)
    if again:
        moment_cuts.enqueue_cut(store, moment_id)
    return get_moment(store, owner_id, moment_id)


def _remove_cut_files(store: Store, clip_id: str, moment_id: int, half_made_too: bool) -> None:
    cuts = store.clip_path(clip_id) / "moments"
    found = [*cuts.glob(f"{int(moment_id)}_*")]
    if half_made_too:
        found += cuts.glob(f".{int(moment_id)}_*")
    for path in found:
        path.unlink(missing_ok=True)


def _needs_a_cut(store: Store, moment: Moment) -> bool:
    """Its cut failed, or went missing: saving the same times again tries once more."""
    if moment.cut_status == moment_cuts.FAILED:
        return True
    return moment.cut_status == moment_cuts.READY and _file(store, moment.cut_name) is None


def set_tags(store: Store, owner_id: int, moment_id: int, tags: Iterable[TagView]) -> MomentView:
    """Replace the moment's principle tags (one per principle)."""
    known = catalogue()
    chosen: dict[str, TagView] = {}
    for tag in tags:
        if tag.principle_key not in known.keys:
            raise MomentError("Please choose principles from the list.")
        if tag.chain_part and tag.chain_part not in CHAIN_KEYS:
            raise MomentError("Say whether it shows an initiative, a reception or a response.")
        chosen[tag.principle_key] = tag
    with store.transaction() as s:
        moment, _ = owned_moment(s, owner_id, moment_id)
        s.execute(delete(MomentTag).where(MomentTag.moment_id == moment.id))
        for tag in chosen.values():
            behaviour = clean_text(str(tag.behaviour or "")[:1000], 1000, one_line=True)[:200] or None
            s.add(
                MomentTag(
                    moment_id=moment.id,
                    principle_key=tag.principle_key,
                    behaviour=behaviour,
                    chain_part=tag.chain_part or None,
                )
            )
        s.flush()
        return _view(store, s, moment)


# ---------------------------------------------------------------- freeze-frames


def _unlink(store: Store, name: str | None) -> None:
    if name:
        store.clip_path(name).unlink(missing_ok=True)


def add_freeze_frame(store: Store, owner_id: int, moment_id: int, at_s: float) -> MomentView:
    """Freeze the frame shown at ``at_s`` (a time in the clip, inside the moment). The frame is kept at
    once; a worker makes its picture (``verp.review.freeze_stills``)."""
    at_s = round(float(at_s), 3)
    with store.transaction() as s:
        moment, _ = owned_moment(s, owner_id, moment_id)
        if not moment.start_s <= at_s <= moment.end_s:
            raise MomentError(f"Choose a time inside the moment ({moment.start_s:.1f}–{moment.end_s:.1f} s).")
        frame = FreezeFrame(moment_id=moment.id, at_s=at_s, still_status=freeze_stills.MAKING)
        s.add(frame)
        s.flush()
        frame_id = frame.id
        room_state.bump(s, room_state.workshops_showing(s, [moment.id]))  # its mark on the room's timeline
    freeze_stills.enqueue_still(store, frame_id)
    return get_moment(store, owner_id, moment_id)


def _frame(s, owner_id: int, frame_id: int) -> tuple[FreezeFrame, Moment, Clip]:
    frame = s.get(FreezeFrame, int(frame_id))
    if frame is None:
        raise NotYours(NOT_YOURS)
    moment, clip = owned_moment(s, owner_id, frame.moment_id)
    return frame, moment, clip


def step_freeze_frame(store: Store, owner_id: int, frame_id: int, frames: int) -> MomentView:
    """Move a freeze-frame by whole frames (±1 to look just before or after), staying in the moment.

    The picture of the old time goes at once; a worker makes the new one. The move is one conditional
    UPDATE on the row as it was read, so a picture a worker records in the same instant is never left
    on the new time (it is taken away with the old one: the step reads the row again and moves that)."""
    for _ in range(3):
        with store.transaction() as s:
            frame, moment, clip = _frame(s, owner_id, frame_id)
            moment_id, old, now_at = moment.id, frame.still_name, frame.at_s
            at_s = round(min(max(now_at + frames / (clip.fps or 25.0), moment.start_s), moment.end_s), 3)
            if at_s == now_at:
                break
            as_read = (
                (FreezeFrame.id == frame.id)
                & (FreezeFrame.at_s == now_at)
                & (FreezeFrame.still_status == frame.still_status)
                & (FreezeFrame.still_name.is_(None) if old is None else FreezeFrame.still_name == old)
            )
            step = update(FreezeFrame).where(as_read)
            moving = step.values(
                at_s=at_s, still_name=None, still_status=freeze_stills.MAKING, still_detail=""
            )
            if cast(CursorResult, s.execute(moving)).rowcount != 1:
                continue  # a worker recorded its picture as this read the row: read it again
            room_state.bump(s, room_state.workshops_showing(s, [moment_id]))
        _unlink(store, old)
        freeze_stills.enqueue_still(store, int(frame_id))
        break
    else:
        raise MomentError("This freeze-frame was changing as you stepped it. Please try again.")
    return get_moment(store, owner_id, moment_id)


MAX_CAPTION = 200


def caption_freeze_frame(
    store: Store, owner_id: int, frame_id: int, caption: str, chain_part: str | None = None
) -> MomentView:
    """Say what the frame shows ("looks up — an initiative") and, if it is one, its place in the chain
    of initiative, reception and response. The room sees both on its timeline, in time order."""
    caption = clean_text(caption, None, one_line=True)
    if len(caption) > MAX_CAPTION:
        raise MomentError(f"Please keep a caption under {MAX_CAPTION} characters.")
    if chain_part not in (None, *CHAIN_KEYS):
        raise MomentError("Choose initiative, reception or response, or none.")
    with store.transaction() as s:
        frame, moment, _ = _frame(s, owner_id, frame_id)
        frame.caption, frame.chain_part = caption, chain_part
        room_state.bump(s, room_state.workshops_showing(s, [moment.id]))  # the rooms redraw the timeline
    return get_moment(store, owner_id, moment.id)


def remove_freeze_frame(store: Store, owner_id: int, frame_id: int) -> MomentView:
    """Remove a freeze-frame and every picture of it, even one a worker finished as this ran."""
    with store.transaction() as s:
        frame, moment, clip = _frame(s, owner_id, frame_id)
        name = frame.still_name
        s.delete(frame)
        room_state.bump(s, room_state.workshops_showing(s, [moment.id]))  # its mark leaves the timeline
    _unlink(store, name)
    freeze_stills.remove_still_files(store, clip.id, moment.id, int(frame_id))
    return get_moment(store, owner_id, moment.id)


# ---------------------------------------------------------------- deleting


def delete_moment(store: Store, owner_id: int, moment_id: int) -> None:
    """Delete a moment for good: its cut, its stills, its tags and shares (it leaves every workshop).

    Reflections others wrote about it keep their text and title but are never shown again. Every
    workshop showing it redraws at once, and a room on a later step stays on that step.
    """
    with store.transaction() as s:
        moment, _ = owned_moment(s, owner_id, moment_id)
        room_state.bump(s, room_state.workshops_showing(s, [moment.id]))
        names = [
            moment.cut_name,
            *s.scalars(select(FreezeFrame.still_name).where(FreezeFrame.moment_id == moment.id)),
        ]
        audit.record(s, audit.actor_of(owner_id), "delete", f"moment:{moment.id}", f"clip:{moment.clip_id}")
        clip_id, number = moment.clip_id, moment.id
        s.delete(moment)
    for name in names:
        _unlink(store, name)
    # A worker may have put a new cut in place while this ran (or been stopped half-way through one):
    # every file of the moment goes, whatever its row last said.
    _remove_cut_files(store, clip_id, number, half_made_too=True)
    freeze_stills.remove_still_files(store, clip_id, number)
