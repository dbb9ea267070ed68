"""Keeping nothing longer than the service promised.

- **Clips**: every clip has a delete-by date from the moment it exists (``VERP_RETENTION_DAYS`` after it
  was added; its consent record may move it, up to ``VERP_RETENTION_MAX_DAYS``). On that day or after, the
  clip is deleted for good — its row (moments, shares, tags, freeze frames, consent go with it) and its
  folder of files (original, playable and review copies, thumbnails, cuts, stills) — shared or not.
- **Join and sign-in attempts** (typed names, phone addresses) after a day.
- **A workshop's records** (its reflections, participants, next steps and the workshop itself)
  ``VERP_RECORDS_DAYS`` after it closed (or after its date, if it never was).
- **Audit rows** after ``VERP_AUDIT_DAYS``.
- **Whole interventions**: a one-to-one untouched for ``VERP_RECORDS_DAYS`` (with the clips its guider
  held for it), a guider's log entry that long after its review, a group with no session left.

:func:`purge` does all of it, and is safe to run on several instances at once (each deletion checks the
row is still there). It runs when an app process opens its store, on a schedule while the app runs, and
whenever ``python -m verp admin purge`` runs.
"""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import cast

from sqlalchemy import CursorResult, delete, or_, select
from sqlalchemy.orm import Session

from verp.core import audit
from verp.core.models import Attempt, AuditEvent, Clip, NextStep, Reflection, Workshop, utcnow
from verp.core.store import Store
from verp.review import uploads
from verp.room import room_state

ACTOR = "retention"
ORPHAN_GRACE_S = 3600  # a folder without a row may be an upload still in progress on another instance
ATTEMPTS_KEPT = timedelta(days=1)

_purged_this_process: set[str] = set()


@dataclass(frozen=True)
class Purged:
    clip_id: str
    delete_by: date


@dataclass(frozen=True)
class PurgeReport:
    """What one purge deleted."""

    clips: list[Purged] = field(default_factory=list)
    workshops: int = 0
    attempts: int = 0
    audit_rows: int = 0
    orphan_folders: list[str] = field(default_factory=list)
    stale_parts: int = 0
    stale_uploads: int = 0  # files of uploads given up part-way (or never collected)
    interventions: int = 0  # one-to-ones, log entries and groups


def purge(store: Store, now: datetime | None = None) -> PurgeReport:
    """Delete everything past its retention period: clips, attempts, workshop records, audit rows.

    One call does it all, so a scheduler, the start of the app and the command line run the same thing.
    """
    now = now or utcnow()
    clips = purge_expired(store, now.date())
    return PurgeReport(
        clips=clips,
        workshops=purge_workshop_records(store, now.date()),
        attempts=forget_attempts(store, now),
        audit_rows=purge_audit(store, now),
        orphan_folders=remove_orphan_folders(store),
        stale_parts=remove_stale_parts(store),
        stale_uploads=uploads.remove_stale_uploads(store),
        interventions=purge_interventions(store, now.date()),
    )


def purge_interventions(store: Store, on: date) -> int:
    """One-to-ones, guider's log entries and empty groups past the records period."""
    from verp.records import guider_log
    from verp.workshop import groups, one_to_one

    return (
        one_to_one.purge_one_to_ones(store, on)
        + guider_log.purge_log(store, on)
        + groups.purge_groups(store, on, store.settings.records_days)
    )


# ---------------------------------------------------------------- clips


def expired_clips(store: Store, today: date | None = None) -> list[tuple[str, int, date]]:
    """(clip id, owner id, delete_by) of every clip that must be gone by ``today``, shared or not."""
    today = today or utcnow().date()
    with store.transaction() as s:
        rows = s.execute(
            select(Clip.id, Clip.owner_id, Clip.delete_by)
            .where(Clip.delete_by <= today)
            .order_by(Clip.delete_by, Clip.id)
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
            audit.record(s, ACTOR, "purge", f"clip:{clip_id}", f"delete-by date {delete_by}")
            room_state.bump(s, room_state.workshops_showing(s, clip_id=clip_id))  # projectors redraw
            s.delete(clip)  # moments, tags, freeze-frames, shares and consent go with it
        shutil.rmtree(store.clip_path(clip_id), ignore_errors=True)
        purged.append(Purged(clip_id, delete_by))
    return purged


# ---------------------------------------------------------------- derived data


def records_end(workshop: Workshop, records_days: int) -> date:
    """The day a workshop's records go: ``records_days`` after it closed (or after its date, if never)."""
    start = workshop.closed_at.date() if workshop.closed_at else workshop.held_on
    return start + timedelta(days=records_days)


def purge_workshop_records(store: Store, today: date | None = None) -> int:
    """Delete workshops past the records period with their reflections, participants and next steps."""
    today = today or utcnow().date()
    keep = store.settings.records_days
    oldest = today - timedelta(days=keep)
    with store.transaction() as s:
        candidates = s.scalars(
            select(Workshop).where(or_(Workshop.held_on <= oldest, Workshop.closed_at.is_not(None)))
        )
        due = [w.id for w in candidates if records_end(w, keep) <= today]
    for workshop_id in due:
        with store.transaction() as s:
            if s.get(Workshop, workshop_id) is None:
                continue
            delete_workshop(s, workshop_id)
            audit.record(s, ACTOR, "purge", f"workshop:{workshop_id}", f"records kept {keep} days")
    return len(due)


def delete_workshop(s: Session, workshop_id: int) -> None:
    """A workshop with its reflections, participants, next steps and shares (the moments stay)."""
    s.execute(delete(NextStep).where(NextStep.workshop_id == workshop_id))
    s.execute(delete(Reflection).where(Reflection.workshop_id == workshop_id))
    s.execute(delete(Workshop).where(Workshop.id == workshop_id))  # participants, shares cascade


def forget_attempts(store: Store, now: datetime | None = None) -> int:
    """Forget failed sign-in and join tries (typed names, addresses) once they are a day old."""
    cutoff = (now or utcnow()) - ATTEMPTS_KEPT
    with store.transaction() as s:
        gone = s.execute(delete(Attempt).where(Attempt.at < cutoff))
        return cast(CursorResult, gone).rowcount or 0


def purge_audit(store: Store, now: datetime | None = None) -> int:
    """Delete audit rows older than ``VERP_AUDIT_DAYS``."""
    cutoff = (now or utcnow()) - timedelta(days=store.settings.audit_days)
    with store.transaction() as s:
        gone = s.execute(delete(AuditEvent).where(AuditEvent.at < cutoff))
        return cast(CursorResult, gone).rowcount or 0


# ---------------------------------------------------------------- leftovers on disk


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
    """Remove half-written files (``.<name>.<hex>.part.mp4``) a killed transcode, cut or strip left in
    clip folders, their ``moments/``, ``stills/`` and ``thumbs/``."""
    removed = 0
    now = time.time()
    for pattern in ("*/.*.part*", "*/moments/.*.part*", "*/stills/.*.part*", "*/thumbs/.*.part*"):
        for part in store.settings.clips_dir.glob(pattern):
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
    return purge(store).clips
