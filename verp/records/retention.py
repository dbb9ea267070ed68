"""Keeping clips no longer than their consent allows.

Each clip's consent record says the date by which its video must be gone (``delete_by``). On that day or
after, the clip is deleted for good — its row (moments, shares, tags, freeze frames go with it), its
folder of files (original, playable copy, cuts, stills) — and the deletion is written to the audit log.

This runs once when an app process opens its store and whenever ``python -m verp admin purge`` runs
(schedule that daily with cron on a service that is rarely restarted).
"""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from verp.core import audit
from verp.core.models import Clip, Consent, utcnow
from verp.core.store import Store
from verp.room import room_state

ACTOR = "retention"
ORPHAN_GRACE_S = 3600  # a folder without a row may be an upload still in progress on another instance

_purged_this_process: set[str] = set()


@dataclass(frozen=True)
class Purged:
    clip_id: str
    delete_by: date


def expired_clips(store: Store, today: date | None = None) -> list[tuple[str, int, date]]:
    """(clip id, owner id, delete_by) of every clip whose consent says it must be gone by ``today``."""
    today = today or utcnow().date()
    with store.transaction() as s:
        rows = s.execute(
            select(Clip.id, Clip.owner_id, Consent.delete_by)
            .join(Consent, Consent.clip_id == Clip.id)
            .where(Consent.delete_by <= today)
            .order_by(Consent.delete_by, Clip.id)
        )
        return [(r.id, r.owner_id, r.delete_by) for r in rows]


def purge_expired(store: Store, today: date | None = None) -> list[Purged]:
    """Delete every expired clip with its files; return what went. One failure does not stop the rest."""
    purged = []
    for clip_id, _owner_id, delete_by in expired_clips(store, today):
        with store.transaction() as s:
            clip = s.get(Clip, clip_id)
            if clip is None:
                continue  # deleted meanwhile by its owner or another instance
            audit.record(s, ACTOR, "purge", f"clip:{clip_id}", f"consent delete-by date {delete_by}")
            room_state.bump(s, room_state.workshops_showing(s, clip_id=clip_id))  # projectors redraw
            s.delete(clip)  # moments, tags, freeze-frames, shares and consent go with it
        shutil.rmtree(store.clip_path(clip_id), ignore_errors=True)
        purged.append(Purged(clip_id, delete_by))
    return purged


def remove_orphan_folders(store: Store, grace_s: float = ORPHAN_GRACE_S) -> list[str]:
    """Remove clip folders that no clip row owns (left by a crash between copying and recording).

    Folders younger than ``grace_s`` are left alone: another instance may be halfway through an upload.
    """
    with store.transaction() as s:
        known = set(s.scalars(select(Clip.id)))
    removed = []
    now = time.time()
    for folder in store.settings.clips_dir.iterdir():
        if folder.name in known or now - folder.stat().st_mtime < grace_s:
            continue
        if folder.is_dir():
            shutil.rmtree(folder, ignore_errors=True)
        else:
            folder.unlink(missing_ok=True)
        removed.append(folder.name)
    return removed


def remove_stale_parts(store: Store, grace_s: float = ORPHAN_GRACE_S) -> int:
    """Remove half-written copies (``.<name>.<hex>.part.mp4``) a killed transcode left in clip folders."""
    removed = 0
    now = time.time()
    for part in store.settings.clips_dir.glob("*/.*.part*"):
        if part.is_file() and now - part.stat().st_mtime > grace_s:
            part.unlink(missing_ok=True)
            removed += 1
    return removed


def purge_at_start(store: Store) -> list[Purged]:
    """Run the retention purge once per process and store (call it right after ``Store.open``)."""
    key = f"{store.settings.database_url}|{store.settings.data_dir}"
    if key in _purged_this_process:
        return []
    _purged_this_process.add(key)
    purged = purge_expired(store)
    remove_orphan_folders(store)
    remove_stale_parts(store)
    return purged
