"""Getting a clip ready to play in every browser, in a worker, without making anyone wait at the screen.

An upload is stored and probed by the web server, then handed to the task queue (``enqueue_prepare``);
a ``python -m verp worker`` process prepares it in a child process with limits (``verp.media.sandbox``).
A clip that is already H.264/AAC is remuxed (about a second even for a long phone video); anything else
is transcoded: first a small review copy, so the owner can start finding moments, then the full-quality
copy; then the strip of pictures across the clip that Review shows. Progress is written to the clip's
row, so every page on every instance can show it.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select

from verp.core import queues, tasks
from verp.core.config import Settings, load_settings
from verp.core.models import Clip
from verp.core.store import Store, make_engine
from verp.media import jobs as media
from verp.media import pictures, sandbox
from verp.media.pictures import NO_STRIP, STRIP_COUNT

PLAYABLE = "playable.mp4"
PROXY = "proxy.mp4"
STRIP = "thumbs"  # the Review page's strip of pictures across the clip, made here with the playable copy
STRIP_TASK = "clip_strip"
ASKED = ".asked"  # in the strip's folder: when a worker was last asked for the strip
STRIP_ASKED_S = 600
STRIP_CHILD = "verp.media.pictures:strip"
PREPARE = "prepare_clip"
COULD_NOT = "This clip could not be prepared."
CHILD = "verp.media.processing:prepare_clip_in_child"


def enqueue_prepare(store: Store, clip_id: str) -> None:
    """Hand a stored, probed clip (status ``processing``) to the workers. Returns at once."""
    queues.enqueue(store, PREPARE, {"clip_id": clip_id}, key=f"{PREPARE}:{clip_id}")


def requeue_unfinished(store: Store) -> int:
    """Queue again every clip still waiting (from before an upgrade, a restore or a lost job).

    Harmless when its job is already queued: one job per clip waits at a time, and a job finds a
    clip that is already prepared and ends.
    """
    with store.transaction() as s:
        waiting = list(s.scalars(select(Clip.id).where(Clip.status == "processing")))
    for clip_id in waiting:
        enqueue_prepare(store, clip_id)
    return len(waiting)


# ---------------------------------------------------------------- the job, in the worker


def prepare_task(settings: Settings) -> tasks.Task:
    """The task a worker registers for preparing clips."""
    return tasks.Task(PREPARE, run_prepare_job, settings.task_attempts, on_give_up=give_up)


def run_prepare_job(store: Store, job: tasks.Job) -> None:
    """Prepare one clip in a limited child process; say on the clip's row when it will be tried again."""
    clip_id = job.args["clip_id"]
    with store.transaction() as s:
        clip = s.get(Clip, clip_id)
        if clip is None or clip.status != "processing":
            raise tasks.Cancelled("the clip was deleted or is already prepared")
        limits = sandbox.Limits.for_clip(store.settings, clip.duration_s)
    try:
        sandbox.run_limited(
            CHILD, [clip_id], limits, lambda: _exists(store, clip_id), settings=store.settings
        )
    except (tasks.Cancelled, tasks.GiveUp):
        raise
    except Exception as exc:  # the owner reads the reason: keep it in their words
        reason = str(exc) if isinstance(exc, sandbox.LimitExceeded) else COULD_NOT
        if not job.is_last:
            again = f"Trying again ({job.attempt + 1} of {job.max_attempts})…"
            _update(store, clip_id, status_detail=f"{reason} {again}")
        raise RuntimeError(reason) from exc


def give_up(store: Store, job: tasks.Job, reason: str) -> None:
    """After the last attempt: the owner sees why on My clips."""
    message = COULD_NOT if reason == tasks.WORKER_STOPPED else reason
    _update(store, job.args["clip_id"], status="failed", status_detail=message)


def prepare_clip_in_child(clip_id: str) -> None:
    """The child process's side: the worker's settings (from the environment), its own engine."""
    settings = load_settings()
    engine = make_engine(settings.database_url)
    try:
        prepare_clip(Store(settings, engine), clip_id)
    finally:
        engine.dispose()


def prepare_clip(store: Store, clip_id: str) -> None:
    """Make the clip's playable copy (and first its review copy when a transcode is needed).

    A ``MediaError`` is the file's fault and propagates (its message is for the owner).
    """
    with store.transaction() as s:
        clip = s.get(Clip, clip_id)
        if clip is None:
            return
        original = store.clip_path(clip.stored_name)
        needs_proxy = clip.proxy_name is None
    folder = original.parent
    try:
        info = media.probe(original, media.MediaLimits.from_settings(store.settings))
        if media.needs_transcode(info) and needs_proxy:
            media.make_review_proxy(original, folder / PROXY, _reporter(store, clip_id, "Review copy"))
            _update(store, clip_id, proxy_name=f"{clip_id}/{PROXY}", status_detail="Review copy ready")
        label = "Full-quality copy" if media.needs_transcode(info) else "Preparing"
        media.prepare(original, folder / PLAYABLE, _reporter(store, clip_id, label))
        _strip(folder)
    except FileNotFoundError:
        return  # the clip was deleted while it was being prepared
    _update(store, clip_id, playable_name=f"{clip_id}/{PLAYABLE}", status="ready", status_detail="")


def strip_paths(folder: Path) -> list[Path]:
    """Where a clip's strip of pictures is kept, in order across the clip."""
    return [folder / STRIP / f"thumb_{i:02d}.jpg" for i in range(STRIP_COUNT)]


def strip_cannot_be_made(folder: Path) -> bool:
    """A worker tried and the playable copy gave no pictures: nobody asks for them again."""
    return (folder / STRIP / NO_STRIP).exists()


def _strip(folder: Path) -> None:
    """The strip of pictures, from the playable copy: made by the worker, so the web server never
    decodes a clip to draw Review. A strip that cannot be made is marked so, and Review goes without."""
    pictures.strip(str(folder / PLAYABLE), str(folder / STRIP))


def ask_for_strip(store: Store, clip_id: str) -> None:
    """A prepared clip without its strip (prepared before workers made strips, or its folder restored
    without it): a worker makes it, never the web server. Returns at once; asks at most once in
    ``STRIP_ASKED_S`` (every Review rerun of the clip comes here until the strip is made)."""
    asked = store.clip_path(clip_id) / STRIP / ASKED
    with contextlib.suppress(OSError):
        if time.time() - asked.stat().st_mtime < STRIP_ASKED_S:
            return
    with contextlib.suppress(OSError):  # a clip deleted meanwhile: nothing to ask for
        asked.parent.mkdir(exist_ok=True)
        asked.touch()
        queues.enqueue(store, STRIP_TASK, {"clip_id": clip_id}, key=f"{STRIP_TASK}:{clip_id}", quick=True)


def strip_task(settings: Settings) -> tasks.Task:
    """The task a worker registers for making a prepared clip's missing strip."""
    return tasks.Task(STRIP_TASK, run_strip_job, settings.task_attempts, on_give_up=_no_strip, quick=True)


def _no_strip(store: Store, job: tasks.Job, reason: str) -> None:
    """Its last try failed (past a limit, say): Review goes without, and stops asking. (Not when its
    worker was stopped: Review asks again later.)"""
    if reason == tasks.WORKER_STOPPED:
        return
    with contextlib.suppress(OSError):
        (store.clip_path(job.args["clip_id"]) / STRIP / NO_STRIP).touch()


def run_strip_job(store: Store, job: tasks.Job) -> None:
    clip_id = job.args["clip_id"]
    with store.transaction() as s:
        clip = s.get(Clip, clip_id)
        if clip is None or clip.playable_name is None:
            raise tasks.Cancelled("the clip was deleted, or its preparation makes the strip")
        limits = sandbox.Limits.for_clip(store.settings, clip.duration_s)
    folder = store.clip_path(clip_id)
    if all(p.exists() for p in strip_paths(folder)) or strip_cannot_be_made(folder):
        raise tasks.Cancelled("the strip is already made")
    sandbox.run_limited(
        STRIP_CHILD,
        [str(folder / PLAYABLE), str(folder / STRIP)],
        limits,
        lambda: _exists(store, clip_id),
        settings=store.settings,
    )


def _exists(store: Store, clip_id: str) -> bool:
    with store.transaction() as s:
        return s.get(Clip, clip_id) is not None


def _update(store: Store, clip_id: str, **values) -> None:
    with store.transaction() as s:
        clip = s.get(Clip, clip_id)
        if clip is not None:  # deleted meanwhile: nothing to record
            for key, value in values.items():
                setattr(clip, key, value)


def _reporter(store: Store, clip_id: str, label: str) -> Callable[[float], None]:
    """A progress callback that writes to the clip's row."""
    return at_most_twice_a_second(
        lambda fraction: _update(store, clip_id, status_detail=f"{label}: {round(fraction * 100)}%")
    )


def at_most_twice_a_second(write: Callable[[float], None]) -> Callable[[float], None]:
    """A media job's progress callback that passes a fraction on to ``write`` (a database write) at most
    twice a second, however often the job reports."""
    last = [0.0]

    def report(fraction: float) -> None:
        now = time.monotonic()
        if now - last[0] >= 0.5:
            last[0] = now
            write(fraction)

    return report
