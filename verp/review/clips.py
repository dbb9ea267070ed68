"""A person's clips: bring one in, find it again, rename it, delete it for good.

Each clip lives in its own folder under the data directory (``clips/<id>/``): the original, the
browser-playable copy, thumbnails, moment cuts and stills. Deleting a clip removes the whole folder.
"""

from __future__ import annotations

import logging
import os
import shutil
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path, PurePath
from types import SimpleNamespace
from typing import BinaryIO, cast

from sqlalchemy import Row, bindparam, delete, exists, select

from verp.core import audit
from verp.core.errors import NotYours, VerpError
from verp.core.models import Clip, HeldClip, today
from verp.core.store import FileTooLarge, Store
from verp.core.tasks import Cancelled, GiveUp
from verp.core.text import clean_text
from verp.media import jobs as media
from verp.media import processing, sandbox
from verp.room import room_state

VIDEO_EXTENSIONS = ("mp4", "mov", "m4v", "webm", "mkv", "avi", "mpg", "mpeg")
THUMB_NAME = "thumb.jpg"
LOOK_CHILD = "verp.media.pictures:look"
LOOK_CPU_S = 30  # the headers and two frames: well under a second even for 4K HEVC
LOOK_WALL_S = 120  # however busy the machine, a look that takes longer than this has stuck
LOOK_STOPPED = "Reading this file stopped unexpectedly. Please try again, or try another file."
log = logging.getLogger(__name__)


class ClipError(VerpError):
    """A clip problem, worded for a teacher."""


@dataclass(frozen=True)
class ClipView:
    id: str
    owner_id: int
    title: str
    original_filename: str
    duration_s: float
    width: int
    height: int
    size_bytes: int
    video_codec: str
    audio_codec: str | None
    source: str
    status: str
    status_detail: str
    created_at: datetime
    delete_by: date
    stored_name: str  # its files, as stored names: the paths are made when asked for (a list of a
    playable_name: str | None  # person's clips draws their titles, and only the chosen one plays)
    proxy_name: str | None
    path_of: Callable[[str], Path] = field(repr=False)  # the store's ``clip_path``

    @property
    def original(self) -> Path:
        return self.path_of(self.stored_name)

    @property
    def playable(self) -> Path | None:
        return self.path_of(self.playable_name) if self.playable_name else None

    @property
    def proxy(self) -> Path | None:
        return self.path_of(self.proxy_name) if self.proxy_name else None

    @property
    def folder(self) -> Path:
        """The clip's own folder of files."""
        return self.path_of(self.id)

    @property
    def thumbnail(self) -> Path | None:
        """The still made of the clip as it came in, once made: looked for when asked (a list of clips
        shows a few pictures, and Review none)."""
        path = self.folder / THUMB_NAME
        return path if path.exists() else None

    @property
    def past_its_date(self) -> bool:
        """Its delete-by date has come: gone from every view, and deleted for good by the next purge."""
        return self.delete_by <= today()


def safe_display_name(filename: str) -> str:
    """The uploaded name as text to show: no folders, no control characters, not too long."""
    name = PurePath(filename.replace("\\", "/")).name
    name = "".join(ch for ch in name if ch.isprintable()).strip() or "clip"
    if len(name) > 120:  # shorten the stem, keep the extension
        suffix = PurePath(name).suffix[:12]
        name = name[: 120 - len(suffix)] + suffix
    return name


def extension_of(filename: str) -> str:
    return PurePath(safe_display_name(filename)).suffix.lower().lstrip(".")


def clip_view(store: Store, clip: Clip | Row | SimpleNamespace) -> ClipView:
    """A clip as the pages see it, from its ORM object or a row with its columns."""
    return ClipView(
        id=clip.id,
        owner_id=clip.owner_id,
        title=clip.title,
        original_filename=clip.original_filename,
        duration_s=clip.duration_s,
        width=clip.width,
        height=clip.height,
        size_bytes=clip.size_bytes,
        video_codec=clip.video_codec,
        audio_codec=clip.audio_codec,
        source=clip.source,
        status=clip.status,
        status_detail=clip.status_detail,
        created_at=clip.created_at,
        delete_by=clip.delete_by,
        stored_name=clip.stored_name,
        playable_name=clip.playable_name,
        proxy_name=clip.proxy_name,
        path_of=store.clip_path,
    )


def add_clip(store: Store, owner_id: int, filename: str, source: BinaryIO, how: str = "upload") -> ClipView:
    """Store a video someone brought, after checking it really is one.

    The bytes are copied to disk in chunks (never held whole in memory), probed with PyAV, and kept
    under a generated name. Anything that is not a usable video is removed again and explained.
    The playable copy is made by a worker process (see ``verp.media.processing``), so the page never
    blocks and the web server never transcodes.
    """
    display, ext = check_video_name(filename)
    clip_id = uuid.uuid4().hex
    stored_name = f"{clip_id}/original.{ext}"
    try:
        store.write_file(stored_name, source, limit=store.settings.max_upload_bytes)
    except FileTooLarge as exc:
        _remove_folder(store, clip_id)
        raise ClipError(str(exc)) from exc
    except BaseException:  # the upload broke off: keep nothing
        _remove_folder(store, clip_id)
        raise
    return _take_in(store, owner_id, clip_id, display, stored_name, how)


def add_clip_from_file(
    store: Store, owner_id: int, filename: str, path: Path, how: str = "upload"
) -> ClipView:
    """Make a clip of a complete file already in the data folder (a finished upload), as ``add_clip`` does.

    The file is moved into the clip's folder, never copied: a rename on the same filesystem, so a
    500 MB upload costs no second write. On any refusal the file is gone too.
    """
    try:
        display, ext = check_video_name(filename)
        if path.stat().st_size > store.settings.max_upload_bytes:
            raise ClipError(str(FileTooLarge(store.settings.max_upload_bytes)))
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    clip_id = uuid.uuid4().hex
    stored_name = f"{clip_id}/original.{ext}"
    final = store.clip_path(stored_name)
    try:
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(path, final)
    except BaseException:
        path.unlink(missing_ok=True)
        _remove_folder(store, clip_id)
        raise
    return _take_in(store, owner_id, clip_id, display, stored_name, how)


def check_video_name(filename: str) -> tuple[str, str]:
    """The name to show and the extension to keep, or a ClipError for a file that is not a video."""
    display = safe_display_name(filename)
    ext = extension_of(filename)
    if ext not in VIDEO_EXTENSIONS:
        allowed = ", ".join(VIDEO_EXTENSIONS)
        raise ClipError(f"“{display}” is not a video file this app takes ({allowed}).")
    return display, ext


def _take_in(store: Store, owner_id: int, clip_id: str, display: str, stored_name: str, how: str) -> ClipView:
    """Probe a stored original, make its thumbnail, record it, and start its preparation."""
    path = store.clip_path(stored_name)
    try:
        info = _look_at(store, path)  # hostile files end here, in a child
    except media.MediaError as exc:
        _remove_folder(store, clip_id)
        raise ClipError(f"“{display}”: {exc}") from exc
    except Exception as exc:  # a reader bug on a strange file must still leave nothing behind
        _remove_folder(store, clip_id)
        raise ClipError(f"“{display}”: {media.NOT_MEDIA}") from exc
    except BaseException:
        _remove_folder(store, clip_id)
        raise
    try:
        _record_clip(store, clip_id, owner_id, display, stored_name, info, how)
        processing.enqueue_prepare(store, clip_id)  # a worker makes the playable copy, never the web server
    except Exception as exc:  # no half-saved clip: neither a stray file nor a row stuck "processing"
        log.exception("saving clip %s failed", clip_id)
        _forget(store, clip_id)
        raise ClipError(f"“{display}” could not be saved. Please try again, or try another file.") from exc
    except BaseException:
        _forget(store, clip_id)
        raise
    return get_clip(store, owner_id, clip_id)


def _look_at(store: Store, path: Path) -> media.ClipInfo:
    """Read the file's headers and make its thumbnail in a limited child process (``verp.media.sandbox``),
    never in the web server: a file built to crash a decoder or flood its memory takes only the child,
    and the person is told the file cannot be used."""
    limits = media.MediaLimits.from_settings(store.settings)
    deadline = time.monotonic() + LOOK_WALL_S
    try:
        found = sandbox.run_limited(
            LOOK_CHILD,
            [str(path), str(path.parent / THUMB_NAME), asdict(limits)],
            sandbox.Limits.of(store.settings, LOOK_CPU_S),
            lambda: time.monotonic() < deadline,
        )
    except GiveUp as exc:  # the file's own problem, in the reader's words
        raise media.MediaError(str(exc)) from exc
    except Cancelled as exc:  # waiting, not working: a reader stuck on the file
        raise media.MediaError(sandbox.TOO_MUCH_TIME) from exc
    except sandbox.WorkFailed as exc:  # the reader choked on something in the file
        raise media.MediaError(media.NOT_MEDIA) from exc
    except sandbox.LimitExceeded as exc:
        raise media.MediaError(LOOK_STOPPED if str(exc) == sandbox.STOPPED else str(exc)) from exc
    return media.ClipInfo(**cast(dict, found))


def _record_clip(
    store: Store, clip_id: str, owner_id: int, display: str, stored_name: str, info: media.ClipInfo, how: str
) -> None:
    with store.transaction() as s:
        clip = Clip(
            id=clip_id,
            owner_id=owner_id,
            title=PurePath(display).stem[:200] or "Untitled clip",
            original_filename=display,
            stored_name=stored_name,
            status="processing",
            source=how,
            duration_s=info.duration_s,
            width=info.width,
            height=info.height,
            size_bytes=info.size_bytes,
            video_codec=info.video_codec,
            audio_codec=info.audio_codec,
            fps=info.fps or 0.0,
            delete_by=today() + timedelta(days=store.settings.retention_days),
        )
        s.add(clip)
        audit.record(
            s, audit.actor_of(owner_id), "upload" if how == "upload" else "record", f"clip:{clip_id}"
        )


def _remove_folder(store: Store, clip_id: str) -> None:
    shutil.rmtree(store.clip_path(clip_id), ignore_errors=True)


def _forget(store: Store, clip_id: str) -> None:
    """Remove a clip that was never fully saved: its row (if any) and its folder."""
    try:
        with store.transaction() as s:
            s.execute(delete(Clip).where(Clip.id == clip_id))
    finally:
        _remove_folder(store, clip_id)


def deletion_countdown(delete_by: date, on: date | None = None) -> str:
    """How long a clip has left, in words a teacher reads at a glance."""
    days = (delete_by - (on or today())).days
    when = f"{delete_by.day} {delete_by:%b %Y}"
    if days > 1:
        return f"Deleted for good in {days} days, on {when}."
    if days == 1:
        return f"Deleted for good tomorrow, {when}."
    return f"Past its delete-by date ({when}): being deleted for good."


# A person's clips, newest first, as rows: My clips reads them on every run of the page.
_CLIPS_OF = (
    select(Clip.__table__)
    .where(Clip.owner_id == bindparam("owner_id"))
    .order_by(Clip.created_at.desc(), Clip.id)
)
_OWN_CLIPS_OF = _CLIPS_OF.where(~exists().where(HeldClip.clip_id == Clip.id))


def list_clips(store: Store, owner_id: int, held: bool = False) -> list[ClipView]:
    """The owner's clips, newest first. Nobody else's, ever. Clips a guider keeps for a participant
    without an account (they live under that one-to-one) only with ``held``."""
    with store.reading_connection() as c:
        rows = c.execute(_CLIPS_OF if held else _OWN_CLIPS_OF, {"owner_id": owner_id}).all()
    return [clip_view(store, row) for row in rows]


NOT_YOUR_CLIP = "There is no clip of yours here. Clips can only be opened by their owner."


def owned_clip(s, owner_id: int, clip_id: str) -> Clip:
    """The owner's clip, in the caller's transaction; anyone else's is refused like a missing one."""
    clip = s.get(Clip, clip_id) if isinstance(clip_id, str) else None
    if clip is None or clip.owner_id != owner_id:
        raise NotYours(NOT_YOUR_CLIP)
    return clip


def get_clip(store: Store, owner_id: int, clip_id: str) -> ClipView:
    """One of the owner's clips; someone else's id is refused the same way as a missing one."""
    with store.transaction() as s:
        return clip_view(store, owned_clip(s, owner_id, clip_id))


def rename_clip(store: Store, owner_id: int, clip_id: str, title: str) -> ClipView:
    title = clean_text(title, None, one_line=True)
    if not title or len(title) > 200:
        raise ClipError("Please give the clip a name of up to 200 characters.")
    with store.transaction() as s:
        clip = owned_clip(s, owner_id, clip_id)
        clip.title = title
        return clip_view(store, clip)


def delete_clip(store: Store, owner_id: int, clip_id: str) -> None:
    """Delete a clip for good: its row, moments, shares and every file made from it.

    Reflections others wrote about its moments keep their text but are never shown again. Every
    workshop showing one of its moments redraws at once; a room on a later step stays on that step.
    """
    with store.transaction() as s:
        clip = owned_clip(s, owner_id, clip_id)
        room_state.bump(s, room_state.workshops_showing(s, clip_id=clip.id))
        audit.record(s, audit.actor_of(owner_id), "delete", f"clip:{clip_id}")
        s.delete(clip)
    _remove_folder(store, clip_id)
