"""Cutting a moment to its own short video, in a worker, never in the web server.

A moment's cut is frame-exact, so it re-encodes the moment: for ten seconds of a 1080p phone clip that is
about eight seconds of both cores here, and a moment may run to two minutes. Saving a moment (or new
times for it) therefore records it at once with ``cut_status = "cutting"`` and hands the cut to the task
queue; a ``python -m verp worker`` cuts it in a limited child process (``verp.media.sandbox``) and then
puts the new file in place with one conditional UPDATE that marks the moment ready only if it still has
the times that were cut. New times take the cut of the old ones away at once (``update_moment``), so a
room shows no video of the moment until the new cut is ready; Review says the moment is being cut, with
its progress, and shows it as soon as it is ready.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.exc import SQLAlchemyError

from verp.core import queues, tasks
from verp.core.config import Settings
from verp.core.models import Clip, Moment
from verp.core.store import Store
from verp.media import copies, sandbox
from verp.room import room_state

CUT = "cut_moment"
CUTTING, READY, FAILED = "cutting", "ready", "failed"
COULD_NOT = "This moment could not be cut to its own video."
PROGRESS = "Cutting this moment to its own short video"
TOO_BIG = "Cutting this moment needed more memory or time than the server allows. Try a shorter moment."
KEPT_MOVING = "This moment's start and end kept changing while it was being cut. Save them again to cut it."
CHILD = "verp.media.copies:cut"
log = logging.getLogger(__name__)
TRIES_WHILE_MOVING = 3  # the owner changed the times again while it was being cut: cut again
# The times this worker process last tried to cut, per moment: a final failure is reported only if the
# moment still has them (``give_up`` runs in the same process, straight after the failed attempt).
_last_tried: dict[int, tuple[float, float]] = {}


def enqueue_cut(store: Store, moment_id: int) -> None:
    """Hand the moment to the workers; the job cuts whatever times the moment has when it runs."""
    queues.enqueue(
        store, CUT, {"moment_id": moment_id}, key=f"{CUT}:{moment_id}", started_counts=False, quick=True
    )


def requeue_unfinished(store: Store) -> int:
    """Queue again every moment still waiting for its cut (a lost job, a restore): harmless when its job
    is already queued, as a job finds a moment already cut and ends."""
    with store.transaction() as s:
        waiting = list(s.scalars(select(Moment.id).where(Moment.cut_status == CUTTING)))
    for moment_id in waiting:
        enqueue_cut(store, moment_id)
    return len(waiting)


def not_cut_yet(moment: Moment, cutting_will_do: bool = False) -> str | None:
    """Why a moment cannot be shown to anyone yet (it has no cut), in the owner's words; None if it can.

    ``cutting_will_do``: a moment whose cut is under way may be chosen (a one-to-one guider marks and
    chooses in one step; the review plays it once it is cut)."""
    if moment.cut_name is not None or (cutting_will_do and moment.cut_status == CUTTING):
        return None
    if moment.cut_status == CUTTING:
        return "This moment is still being cut to its own short video. Try again once it plays on Review."
    return "This moment has no video cut yet. Please save its start and end again."


def new_cut_name(clip_id: str, moment_id: int) -> str:
    """A fresh name for each cut, so a new cut never overwrites the one a screen may be playing."""
    return f"{clip_id}/moments/{moment_id}_{uuid.uuid4().hex[:10]}.mp4"


# ---------------------------------------------------------------- the job, in the worker


def cut_task(settings: Settings) -> tasks.Task:
    """The task a worker registers for cutting moments."""
    return tasks.Task(CUT, run_cut_job, settings.task_attempts, on_give_up=give_up, quick=True)


def run_cut_job(store: Store, job: tasks.Job) -> None:
    """Cut the moment's current times in a limited child; put the cut in place if they still hold.

    Whatever fails, the owner reads it in their words, never a technical message."""
    try:
        _cut_the_moment(store, job)
    except (tasks.Cancelled, tasks.GiveUp):
        raise
    except Exception as exc:
        if str(exc) in (COULD_NOT, TOO_BIG, KEPT_MOVING):
            raise
        raise RuntimeError(COULD_NOT) from exc


def _cut_the_moment(store: Store, job: tasks.Job) -> None:
    moment_id = int(job.args["moment_id"])
    for _ in range(TRIES_WHILE_MOVING):
        clip_id, source, start_s, end_s = _wanted(store, moment_id)
        _last_tried[moment_id] = (start_s, end_s)
        name = new_cut_name(clip_id, moment_id)
        try:
            _cut_in_a_child(store, moment_id, name, source, start_s, end_s)
        except tasks.Cancelled:
            _last_tried.pop(moment_id, None)
            raise
        except Exception as exc:
            if _times_now(store, moment_id) != (start_s, end_s):
                continue  # the owner chose other times meanwhile: those are the ones to cut
            raise _for_the_owner(store, moment_id, job, exc) from exc
        if _put_in_place(store, moment_id, name, start_s, end_s):
            _last_tried.pop(moment_id, None)
            return
    raise RuntimeError(KEPT_MOVING)


def _wanted(store: Store, moment_id: int) -> tuple[str, Path, float, float]:
    with store.transaction() as s:
        row = s.get(Moment, moment_id)
        if row is None or row.cut_status != CUTTING:
            raise tasks.Cancelled("the moment was deleted or is already cut")
        clip = s.get_one(Clip, row.clip_id)
        source = store.clip_path(clip.playable_name or clip.stored_name)
        return clip.id, source, row.start_s, row.end_s


def _times_now(store: Store, moment_id: int) -> tuple[float, float] | None:
    with store.transaction() as s:
        row = s.get(Moment, moment_id)
        return None if row is None else (row.start_s, row.end_s)


def _cut_in_a_child(
    store: Store, moment_id: int, name: str, source: Path, start_s: float, end_s: float
) -> None:
    """Make the cut in a limited child; whatever stops it, nothing of it is left behind (a child that
    was stopped, or went past a limit, had no chance to remove its half-written file)."""
    limits = sandbox.Limits.for_clip(store.settings, end_s - start_s)
    dst = store.clip_path(name)
    try:
        sandbox.run_limited(
            CHILD,
            [str(source), str(dst), start_s, end_s],
            limits,
            lambda: _still_cutting(store, moment_id),
            heard=_heard(store, moment_id),
        )
    except BaseException:
        dst.unlink(missing_ok=True)
        for part in dst.parent.glob(f".{dst.stem}.*.part*"):
            part.unlink(missing_ok=True)
        raise


def _for_the_owner(store: Store, moment_id: int, job: tasks.Job, exc: Exception) -> Exception:
    """The failure as the owner reads it; the moment says when it will be tried again."""
    if isinstance(exc, tasks.GiveUp):  # the file itself is the problem: its words, no retry
        return exc
    too_big = isinstance(exc, sandbox.LimitExceeded) and str(exc) != sandbox.STOPPED
    reason = TOO_BIG if too_big else COULD_NOT
    if not job.is_last:
        again = f"Trying again ({job.attempt + 1} of {job.max_attempts})…"
        _set(store, moment_id, cut_detail=f"{reason} {again}")
    return RuntimeError(reason)


def _put_in_place(store: Store, moment_id: int, name: str, start_s: float, end_s: float) -> bool:
    """Record the new cut only if the moment still waits for a cut of the times it was cut at, in one
    conditional UPDATE (an owner saving other times at the same instant wins, whichever commits first);
    drop whichever file is not kept: this one, or the one it replaces."""
    cut_of_these_times = (
        (Moment.id == moment_id)
        & (Moment.start_s == start_s)
        & (Moment.end_s == end_s)
        & (Moment.cut_status == CUTTING)
    )
    with store.transaction() as s:
        replaced = s.scalar(select(Moment.cut_name).where(cut_of_these_times))
        swap = update(Moment).where(cut_of_these_times).values(cut_name=name, cut_status=READY, cut_detail="")
        kept = cast(CursorResult, s.execute(swap)).rowcount == 1
        gone = s.get(Moment, moment_id) is None
    dropped = replaced if kept else name
    if dropped:
        store.clip_path(dropped).unlink(missing_ok=True)
    if gone:
        raise tasks.Cancelled("the moment was deleted while it was being cut")
    if kept:  # in a transaction of its own: never the moment's row held while waiting for a workshop's
        with store.transaction() as s:
            room_state.bump(s, room_state.workshops_showing(s, [moment_id]))  # screens redraw with it
    return kept


def give_up(store: Store, job: tasks.Job, reason: str) -> None:
    """After the last attempt: the owner reads why on Review, and can save the times again. Times the
    owner saved during that attempt were not what failed: those are queued to be cut instead."""
    moment_id = int(job.args["moment_id"])
    tried = _last_tried.pop(moment_id, None)
    message = COULD_NOT if reason == tasks.WORKER_STOPPED else reason
    this = (Moment.id == moment_id) & (Moment.cut_status == CUTTING)
    if tried is not None:  # only the times that failed: new ones saved meanwhile are cut instead
        this &= (Moment.start_s == tried[0]) & (Moment.end_s == tried[1])
    with store.transaction() as s:
        marked = update(Moment).where(this).values(cut_status=FAILED, cut_detail=message[:300])
        failed = cast(CursorResult, s.execute(marked)).rowcount == 1
        status = s.scalar(select(Moment.cut_status).where(Moment.id == moment_id))
    if not failed and status == CUTTING:
        enqueue_cut(store, moment_id)


def _still_cutting(store: Store, moment_id: int) -> bool:
    with store.transaction() as s:
        row = s.get(Moment, moment_id)
        return row is not None and row.cut_status == CUTTING


def _set(store: Store, moment_id: int, **values) -> None:
    with store.transaction() as s:
        row = s.get(Moment, moment_id)
        if row is not None and row.cut_status == CUTTING:
            for key, value in values.items():
                setattr(row, key, value)


def _heard(store: Store, moment_id: int) -> Callable[[list], None]:
    """How far the child has got, written on the moment's row (Review shows it)."""

    def write(what: list) -> None:
        if progress := copies.told_progress(what, ("",)):
            try:
                _set(store, moment_id, cut_detail=f"{PROGRESS}: {progress[1]}")
            except SQLAlchemyError:  # a busy database: the cut goes on
                log.warning("the progress of moment %s could not be written", moment_id, exc_info=True)

    return write
