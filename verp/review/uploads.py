"""Resumable uploads: a clip arrives in chunks, straight to a file in the data folder, and survives a dropped
connection.

Each upload is two files under ``tmp/uploads/``: ``<id>.part`` (the bytes so far; its size is the offset
the sender resumes from) and ``<id>.json`` (who sends it, the file's name, its announced length, and how
it ended). Nothing is held in memory and nothing lives only in one process, so any instance sharing the
data folder can take the next chunk. The size limit is checked when the upload is announced and again as
every byte arrives. A complete upload is handed to :func:`verp.review.clips.add_clip_from_file`, which
moves the file into the clip's folder.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from verp.core.errors import VerpError
from verp.core.store import Store
from verp.review import clips

RECEIVING, FINISHING, DONE, FAILED = "receiving", "finishing", "done", "failed"
# A check of a complete upload takes at most ``clips.LOOK_WALL_S`` and a move: "finishing" for longer
# than that and this margin means the server stopped while checking it, and nothing will finish it.
FINISH_MARGIN_S = 60
CUT_OFF = (
    "The server restarted while it was checking this clip, so it was not saved. Please choose the file again."
)
STALE_S = 24 * 3600  # an upload nobody has touched for a day is abandoned
ID_PATTERN = re.compile(r"[0-9a-f]{32}")


class UploadError(VerpError):
    """An upload problem, worded for a teacher. ``status`` is the HTTP status that fits it."""

    status = 400


class UploadTooLarge(UploadError):
    status = 413


class UploadNotFound(UploadError):
    status = 404


class UploadBusy(UploadError):
    """Another request is still writing this upload (a retry that came too soon)."""

    status = 423


class OffsetMismatch(UploadError):
    status = 409


@dataclass(frozen=True)
class UploadStatus:
    upload_id: str
    owner_id: int
    filename: str
    length: int
    offset: int
    state: str
    clip_id: str | None = None
    message: str = ""


def too_large_message(limit_bytes: int) -> str:
    return f"This file is larger than the {limit_bytes // (1024 * 1024)} MB limit for a clip."


def _uploads_dir(store: Store) -> Path:
    return store.settings.tmp_dir / "uploads"


def _folder(store: Store) -> Path:
    folder = _uploads_dir(store)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _paths(store: Store, upload_id: str) -> tuple[Path, Path]:
    if not ID_PATTERN.fullmatch(upload_id):
        raise UploadNotFound("There is no such upload. Please choose the file again.")
    folder = _folder(store)
    return folder / f"{upload_id}.part", folder / f"{upload_id}.json"


def _write_meta(path: Path, meta: dict) -> None:
    tmp = path.with_name(f"{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    tmp.write_text(json.dumps(meta))
    os.replace(tmp, path)


def create_upload(store: Store, owner_id: int, filename: str, length: int) -> UploadStatus:
    """Announce an upload of ``length`` bytes; refuse at once what could never be kept."""
    limit = store.settings.max_upload_bytes
    if length > limit:
        raise UploadTooLarge(too_large_message(limit))
    if length <= 0:
        raise UploadError("This file is empty.")
    try:
        display, _ = clips.check_video_name(filename)
    except clips.ClipError as exc:
        raise UploadError(str(exc)) from exc
    remove_stale_uploads(store)
    upload_id = uuid.uuid4().hex
    part, meta = _paths(store, upload_id)
    part.touch()
    _write_meta(meta, {"owner": owner_id, "filename": display, "length": length, "state": RECEIVING})
    return status(store, owner_id, upload_id)


def status(store: Store, owner_id: int, upload_id: str) -> UploadStatus:
    """Where an upload stands. Someone else's upload is answered exactly like a missing one."""
    part, meta_path = _paths(store, upload_id)
    try:
        meta = json.loads(meta_path.read_text())
    except (FileNotFoundError, ValueError):
        raise UploadNotFound("There is no such upload. Please choose the file again.") from None
    if meta.get("owner") != owner_id:
        raise UploadNotFound("There is no such upload. Please choose the file again.")
    offset = part.stat().st_size if part.exists() else meta["length"]
    if meta["state"] == FINISHING and _cut_off(meta_path):
        meta = {**meta, "state": FAILED, "message": CUT_OFF}
    return UploadStatus(
        upload_id=upload_id,
        owner_id=owner_id,
        filename=meta["filename"],
        length=meta["length"],
        offset=offset,
        state=meta["state"],
        clip_id=meta.get("clip_id"),
        message=meta.get("message", ""),
    )


def _cut_off(meta_path: Path) -> bool:
    """Has this upload said "finishing" for longer than any check of it can run?"""
    try:
        since = meta_path.stat().st_mtime  # written as the check began
    except FileNotFoundError:
        return False
    return time.time() - since > clips.LOOK_WALL_S + FINISH_MARGIN_S


@contextlib.contextmanager
def open_for_append(store: Store, owner_id: int, upload_id: str, offset: int) -> Iterator[BinaryIO]:
    """The upload's file, locked for this writer and positioned at ``offset`` (which must be its end).

    The lock keeps a retried chunk from interleaving with one still being written by an earlier request.
    """
    current = status(store, owner_id, upload_id)
    if current.state != RECEIVING:
        raise OffsetMismatch("This upload is already complete.")
    part, _ = _paths(store, upload_id)
    with open(part, "ab") as out:
        try:
            fcntl.flock(out.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise UploadBusy(
                "This upload is still receiving an earlier chunk. Trying again shortly."
            ) from None
        if os.fstat(out.fileno()).st_size != offset:
            raise OffsetMismatch("The upload and this chunk disagree on where to continue.")
        try:
            yield out
        finally:  # what arrived before a dropped connection is kept: the sender resumes after it
            out.flush()
            os.fsync(out.fileno())


def finish_upload(store: Store, owner_id: int, upload_id: str) -> UploadStatus:
    """Turn a complete upload into a clip (moved, not copied); the outcome is kept for the sender to ask."""
    current = status(store, owner_id, upload_id)
    if current.offset != current.length or current.state != RECEIVING:
        return current
    part, meta_path = _paths(store, upload_id)
    meta = {"owner": owner_id, "filename": current.filename, "length": current.length}
    _write_meta(meta_path, {**meta, "state": FINISHING})
    try:
        clip = clips.add_clip_from_file(store, owner_id, current.filename, part)
    except clips.ClipError as exc:
        _write_meta(meta_path, {**meta, "state": FAILED, "message": str(exc)})
    except BaseException:
        part.unlink(missing_ok=True)
        _write_meta(meta_path, {**meta, "state": FAILED, "message": "This clip could not be saved."})
        raise
    else:
        _write_meta(meta_path, {**meta, "state": DONE, "clip_id": clip.id})
    return status(store, owner_id, upload_id)


def discard_upload(store: Store, upload_id: str) -> None:
    """Remove an upload that can never succeed (or was given up)."""
    for path in _paths(store, upload_id):
        path.unlink(missing_ok=True)


def discard_uploads_of(store: Store, owner_id: int) -> int:
    """Remove every upload of this person, however far it got: their account is being deleted."""
    removed = 0
    for meta_path in _uploads_dir(store).glob("*.json"):  # none there: nothing to discard
        try:
            owner = json.loads(meta_path.read_text()).get("owner")
        except (FileNotFoundError, ValueError, AttributeError):
            continue
        if owner == owner_id:
            discard_upload(store, meta_path.stem)
            removed += 1
    return removed


def remove_stale_uploads(store: Store, max_age_s: float = STALE_S) -> int:
    """Remove uploads untouched for ``max_age_s``: abandoned halves, and outcomes nobody came back for."""
    removed = 0
    now = time.time()
    folder = _uploads_dir(store)
    for path in folder.iterdir() if folder.is_dir() else ():  # the purge makes no folder
        with contextlib.suppress(FileNotFoundError):
            if now - path.stat().st_mtime > max_age_s:
                path.unlink()
                removed += 1
    return removed
