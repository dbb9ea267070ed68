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
import dataclasses
import logging
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from verp.core import queues, tasks
from verp.core.config import Settings
from verp.core.models import Clip
from verp.core.store import Store
from verp.media import copies, sandbox
from verp.media import jobs as media
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
CHILD = "verp.media.copies:prepare"
log = logging.getLogger(__name__)


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
    """Prepare one clip in a limited child process, writing on the clip's row what the child tells (how
    far it has got, its review copy ready); say on the row when it will be tried again."""
    clip_id = job.args["clip_id"]
    with store.transaction() as s:
        clip = s.get(Clip, clip_id)
        if clip is None or clip.status != "processing":
            raise tasks.Cancelled("the clip was deleted or is already prepared")
        limits = sandbox.Limits.for_clip(store.settings, clip.duration_s)
        original = store.clip_path(clip.stored_name)
        needs_review_copy = clip.proxy_name is None
    folder = original.parent
    review_copy = folder / PROXY if needs_review_copy else None
    paths = [
        str(original),
        str(review_copy) if review_copy else None,
        str(folder / PLAYABLE),
        str(folder / STRIP),
    ]
    media_limits = dataclasses.asdict(media.MediaLimits.from_settings(store.settings))
    try:
        with _gone_with_its_clip(store, clip_id):
            done = sandbox.run_limited(
                CHILD,
                [*paths, media_limits],
                limits,
                lambda: _exists(store, clip_id),
                heard=_heard(store, clip_id, review_copy),
            )
    except (tasks.Cancelled, tasks.GiveUp):
        raise
    except Exception as exc:  # the owner reads the reason: keep it in their words
        reason = str(exc) if isinstance(exc, sandbox.LimitExceeded) else COULD_NOT
        if not job.is_last:
            again = f"Trying again ({job.attempt + 1} of {job.max_attempts})…"
            _update(store, clip_id, status_detail=f"{reason} {again}")
        raise RuntimeError(reason) from exc
    if done == copies.READY:  # not when the clip was deleted meanwhile
        _update(store, clip_id, playable_name=f"{clip_id}/{PLAYABLE}", status="ready", status_detail="")


def _heard(store: Store, clip_id: str, review_copy: Path | None) -> Callable[[list], None]:
    """What the child tells, checked, written on the clip's row, where every page on every instance reads
    it. A progress write that fails (a busy database) is only logged: the copy goes on."""
    labels = (copies.REVIEW_COPY, copies.FULL_COPY, copies.REMUX)

    def write(what: list) -> None:
        if progress := copies.told_progress(what, labels):
            try:
                _update(store, clip_id, status_detail=f"{progress[0]}: {progress[1]}")
            except SQLAlchemyError:
                log.warning("the progress of clip %s could not be written", clip_id, exc_info=True)
        elif what == [copies.REVIEW_COPY_READY] and review_copy is not None and review_copy.is_file():
            _update(store, clip_id, proxy_name=f"{clip_id}/{PROXY}", status_detail="Review copy ready")

    return write


def give_up(store: Store, job: tasks.Job, reason: str) -> None:
    """After the last attempt: the owner sees why on My clips."""
    message = COULD_NOT if reason == tasks.WORKER_STOPPED else reason
    _update(store, job.args["clip_id"], status="failed", status_detail=message)


def strip_paths(folder: Path) -> list[Path]:
    """Where a clip's strip of pictures is kept, in order across the clip."""
    return [folder / STRIP / f"thumb_{i:02d}.jpg" for i in range(STRIP_COUNT)]


def strip_cannot_be_made(folder: Path) -> bool:
    """A worker tried and the playable copy gave no pictures: nobody asks for them again."""
    return (folder / STRIP / NO_STRIP).exists()


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
    with _gone_with_its_clip(store, clip_id):
        sandbox.run_limited(
            STRIP_CHILD,
            [str(folder / PLAYABLE), str(folder / STRIP)],
            limits,
            lambda: _exists(store, clip_id),
        )


@contextlib.contextmanager
def _gone_with_its_clip(store: Store, clip_id: str) -> Iterator[None]:
    """Around a child writing into a clip's folder: if the clip was deleted meanwhile, the folder goes
    again once the child has stopped. The child makes the folders it writes into, so a copy or a
    picture it finished after the delete would otherwise wait for the orphan sweep, an hour or more."""
    try:
        yield
    finally:
        with contextlib.suppress(SQLAlchemyError):  # the database away: the orphan sweep does it later
            if not _exists(store, clip_id):
                shutil.rmtree(store.clip_path(clip_id), ignore_errors=True)


def _exists(store: Store, clip_id: str) -> bool:
    with store.transaction() as s:
        return s.get(Clip, clip_id) is not None


def _update(store: Store, clip_id: str, **values) -> None:
    with store.transaction() as s:
        clip = s.get(Clip, clip_id)
        if clip is not None:  # deleted meanwhile: nothing to record
            for key, value in values.items():
                setattr(clip, key, value)
