"""Getting a clip ready to play in every browser, without making anyone wait at the screen.

A clip that is already H.264/AAC is remuxed at once (about a second even for a long phone video).
Anything else is transcoded in the background: first a small review copy, so the owner can start finding
moments within moments, then the full-quality copy. Progress is written to the clip's row, so every page
(and every app instance) can show it, and work left unfinished by a restart is picked up again at start.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import timedelta
from typing import cast

from sqlalchemy import CursorResult, or_, select, update

from verp.core.models import Clip, utcnow
from verp.core.store import Store
from verp.media import jobs as media

log = logging.getLogger(__name__)
PLAYABLE = "playable.mp4"
PROXY = "proxy.mp4"
_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="verp-media")
LEASE_S = 120  # a worker that has not reported for this long is taken to be gone
WORKER = f"{socket.gethostname()}:{os.getpid()}"
_queued: set[str] = set()
_lock = threading.Lock()


def _update(store: Store, clip_id: str, **values) -> None:
    with store.transaction() as s:
        clip = s.get(Clip, clip_id)
        if clip is not None:  # deleted meanwhile: nothing to record
            for key, value in values.items():
                setattr(clip, key, value)


def _reporter(store: Store, clip_id: str, label: str) -> Callable[[float], None]:
    """A progress callback that writes to the database at most twice a second."""
    last = [0.0]

    def report(fraction: float) -> None:
        now = time.monotonic()
        if now - last[0] >= 0.5:
            last[0] = now
            percent = round(fraction * 100)
            _update(store, clip_id, status_detail=f"{label}: {percent}%", worker_seen_at=utcnow())

    return report


def prepare_clip(store: Store, clip_id: str) -> None:
    """Make the clip's playable copy (and first its review copy when a transcode is needed)."""
    with store.transaction() as s:
        clip = s.get(Clip, clip_id)
        if clip is None:
            return
        original = store.clip_path(clip.stored_name)
        needs_proxy = clip.proxy_name is None
    folder = original.parent
    try:
        info = media.probe(original)
        if media.needs_transcode(info) and needs_proxy:
            media.make_review_proxy(original, folder / PROXY, _reporter(store, clip_id, "Review copy"))
            _update(store, clip_id, proxy_name=f"{clip_id}/{PROXY}", status_detail="Review copy ready")
        label = "Full-quality copy" if media.needs_transcode(info) else "Preparing"
        media.prepare(original, folder / PLAYABLE, _reporter(store, clip_id, label))
    except media.MediaError as exc:
        _update(store, clip_id, status="failed", status_detail=str(exc))
        return
    except FileNotFoundError:
        return  # the clip was deleted while it was being prepared
    _update(store, clip_id, playable_name=f"{clip_id}/{PLAYABLE}", status="ready", status_detail="")


def claim(store: Store, clip_id: str, worker: str = WORKER) -> bool:
    """Take the lease on preparing a clip: free, ours already, or left by a worker gone quiet.

    One conditional UPDATE, so two instances asking at once cannot both win.
    """
    now = utcnow()
    stale = now - timedelta(seconds=LEASE_S)
    with store.transaction() as s:
        result = s.execute(
            update(Clip)
            .where(
                Clip.id == clip_id,
                Clip.status == "processing",
                or_(Clip.worker.is_(None), Clip.worker == worker, Clip.worker_seen_at < stale),
            )
            .values(worker=worker, worker_seen_at=now)
        )
        return cast(CursorResult, result).rowcount == 1  # an UPDATE's result counts its rows


def prepare_in_background(store: Store, clip_id: str) -> Future | None:
    """Queue ``prepare_clip`` on the one media worker of this process (once per clip, and only when no
    other instance holds the clip's lease)."""
    if not claim(store, clip_id):
        return None
    with _lock:
        if clip_id in _queued:
            return None
        _queued.add(clip_id)

    def job() -> None:
        try:
            prepare_clip(store, clip_id)
        except Exception:  # a worker thread must never die silently
            log.exception("preparing clip %s failed", clip_id)
            _update(store, clip_id, status="failed", status_detail="This clip could not be prepared.")
        finally:
            with _lock:
                _queued.discard(clip_id)

    return _executor.submit(job)


def resume_unfinished(store: Store) -> int:
    """Queue again every clip a restart interrupted. Called once when the app opens its store."""
    with store.transaction() as s:
        waiting = list(s.scalars(select(Clip.id).where(Clip.status == "processing")))
    for clip_id in waiting:
        prepare_in_background(store, clip_id)
    return len(waiting)
