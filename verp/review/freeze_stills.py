"""The picture of a freeze-frame, made by a worker, never in the web server.

Freezing a frame decodes the clip from the keyframe before it up to that frame, and a clip is a file
somebody brought: the web server never opens one (``verp.review.clips`` looks at a new clip in a limited
child too). Freezing a frame (or stepping it a frame on) therefore records the frame's time at once with
``still_status = "making"`` and hands the picture to the task queue; a ``python -m verp worker`` makes it
in a limited child process (``verp.media.sandbox``) and records it with one conditional UPDATE that
holds only if the frame still has the time that was pictured. Review says the picture is being made and
shows it as soon as it is ready; the room and the exports show the frame's picture once there is one.

A picture's file is named after its moment and its frame (``stills/<moment>_<frame>_<random>.jpg``), so
removing a frame or a moment removes every picture a worker made for it, even one it finished meanwhile.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import cast

from sqlalchemy import CursorResult, select, update

from verp.core import queues, tasks
from verp.core.config import Settings
from verp.core.models import Clip, FreezeFrame, Moment
from verp.core.store import Store
from verp.media import sandbox
from verp.room import room_state

STILL = "freeze_still"
MAKING, READY, FAILED = "making", "ready", "failed"
COULD_NOT = "The picture of this frame could not be made. Step it a frame on or back to try again."
MAKING_WORDS = "Making the picture of this frame…"
CHILD = "verp.media.pictures:freeze_frame"
STILL_CPU_S = 60  # up to a keyframe interval of 4K decoded: a few seconds at most
TRIES_WHILE_MOVING = 3  # the owner stepped the frame again while its picture was being made
# The time this worker process last pictured, per frame: a final failure is reported only if the frame
# still has it (``give_up`` runs in the same process, straight after the failed attempt).
_last_tried: dict[int, float] = {}


def enqueue_still(store: Store, frame_id: int) -> None:
    """Hand the frame to the workers; the job pictures whatever time the frame has when it runs."""
    queues.enqueue(
        store, STILL, {"frame_id": frame_id}, key=f"{STILL}:{frame_id}", started_counts=False, quick=True
    )


def requeue_unfinished(store: Store) -> int:
    """Queue again every frame still waiting for its picture (a lost job, a restore)."""
    with store.transaction() as s:
        waiting = list(s.scalars(select(FreezeFrame.id).where(FreezeFrame.still_status == MAKING)))
    for frame_id in waiting:
        enqueue_still(store, frame_id)
    return len(waiting)


def still_files(store: Store, clip_id: str, moment_id: int, frame_id: int | None = None) -> list[Path]:
    """Every picture file of the frame (or of all the moment's frames), half-written ones included."""
    folder = store.clip_path(f"{clip_id}/stills")
    stem = f"{moment_id}_" if frame_id is None else f"{moment_id}_{frame_id}_"
    return [*folder.glob(f"{stem}*"), *folder.glob(f".{stem}*")]


def remove_still_files(store: Store, clip_id: str, moment_id: int, frame_id: int | None = None) -> None:
    for path in still_files(store, clip_id, moment_id, frame_id):
        path.unlink(missing_ok=True)


# ---------------------------------------------------------------- the job, in the worker


def still_task(settings: Settings) -> tasks.Task:
    """The task a worker registers for the pictures of freeze-frames."""
    return tasks.Task(STILL, run_still_job, settings.task_attempts, on_give_up=give_up, quick=True)


def run_still_job(store: Store, job: tasks.Job) -> None:
    """Picture the frame's current time in a limited child; record it if the frame still has that time.

    Whatever fails, the owner reads it in their words: the file's own problem (``GiveUp``, not tried
    again) or ``COULD_NOT``, never a technical message."""
    frame_id = int(job.args["frame_id"])
    try:
        _picture_the_frame(store, frame_id)
    except tasks.Cancelled:
        _last_tried.pop(frame_id, None)
        raise
    except tasks.GiveUp:
        raise
    except Exception as exc:
        raise RuntimeError(COULD_NOT) from exc
    _last_tried.pop(frame_id, None)


def _picture_the_frame(store: Store, frame_id: int) -> None:
    for _ in range(TRIES_WHILE_MOVING):
        clip_id, moment_id, source, at_s = _wanted(store, frame_id)
        _last_tried[frame_id] = at_s
        name = f"{clip_id}/stills/{moment_id}_{frame_id}_{uuid.uuid4().hex[:10]}.jpg"
        try:
            fps = _picture_in_a_child(store, frame_id, name, source, at_s, _fps_unknown(store, clip_id))
        except tasks.Cancelled:
            raise
        except Exception:
            if _time_now(store, frame_id) != at_s:
                continue  # stepped meanwhile: that is the time to picture
            raise
        if fps:
            _keep_fps(store, clip_id, fps)
        if _put_in_place(store, frame_id, moment_id, name, at_s):
            return
    raise RuntimeError(COULD_NOT)


def _wanted(store: Store, frame_id: int) -> tuple[str, int, Path, float]:
    with store.transaction() as s:
        row = s.execute(
            select(FreezeFrame, Clip)
            .join(Moment, Moment.id == FreezeFrame.moment_id)
            .join(Clip, Clip.id == Moment.clip_id)
            .where(FreezeFrame.id == frame_id)
        ).first()
        if row is None or row[0].still_status != MAKING:
            raise tasks.Cancelled("the frame was removed or already has its picture")
        frame, clip = row[0], row[1]
        source = store.clip_path(clip.playable_name or clip.stored_name)
        return clip.id, frame.moment_id, source, frame.at_s


def _time_now(store: Store, frame_id: int) -> float | None:
    with store.transaction() as s:
        return s.scalar(select(FreezeFrame.at_s).where(FreezeFrame.id == frame_id))


def _fps_unknown(store: Store, clip_id: str) -> bool:
    with store.transaction() as s:
        return not s.scalar(select(Clip.fps).where(Clip.id == clip_id))


def _keep_fps(store: Store, clip_id: str, fps: float) -> None:
    """A clip from before its frame rate was kept learns it here, for the next step a frame on."""
    with store.transaction() as s:
        s.execute(update(Clip).where(Clip.id == clip_id, Clip.fps == 0).values(fps=fps))


def _picture_in_a_child(
    store: Store, frame_id: int, name: str, source: Path, at_s: float, want_fps: bool = False
) -> float | None:
    """Make the picture in a limited child (and read the clip's frame rate, if asked); whatever stops it,
    nothing of it is left behind."""
    limits = sandbox.Limits.of(store.settings, STILL_CPU_S)
    dst = store.clip_path(name)
    try:
        fps = sandbox.run_limited(
            CHILD,
            [str(source), str(dst), at_s, want_fps],
            limits,
            lambda: _still_making(store, frame_id),
        )
    except BaseException:
        dst.unlink(missing_ok=True)
        for part in dst.parent.glob(f".{dst.stem}.*"):
            part.unlink(missing_ok=True)
        raise
    return float(fps) if isinstance(fps, int | float) else None


def _put_in_place(store: Store, frame_id: int, moment_id: int, name: str, at_s: float) -> bool:
    """Record the picture only if the frame (of this moment) still waits for a picture of this time, in
    one conditional UPDATE; a frame removed meanwhile keeps no file. The rooms are told in a transaction
    of their own, so this never holds the frame's row while waiting for a workshop's (a moment deleted
    at the same instant takes them the other way round)."""
    frame = FreezeFrame
    of_this_time = (
        (frame.id == frame_id)
        & (frame.moment_id == moment_id)
        & (frame.at_s == at_s)
        & (frame.still_status == MAKING)
    )
    with store.transaction() as s:
        swap = update(frame).where(of_this_time).values(still_name=name, still_status=READY, still_detail="")
        kept = cast(CursorResult, s.execute(swap)).rowcount == 1
        there = s.scalar(select(frame.id).where(frame.id == frame_id, frame.moment_id == moment_id))
    if not kept:
        store.clip_path(name).unlink(missing_ok=True)
    if there is None:
        raise tasks.Cancelled("the frame was removed while its picture was being made")
    if kept:
        with store.transaction() as s:
            room_state.bump(s, room_state.workshops_showing(s, [moment_id]))  # screens redraw with it
    return kept


def give_up(store: Store, job: tasks.Job, reason: str) -> None:
    """After the last attempt: the owner reads why on Review, and a step tries again. The frame is marked
    only if it still has the time that failed, in one conditional UPDATE: a frame stepped meanwhile was
    not what failed, and its new time is queued instead."""
    frame_id = int(job.args["frame_id"])
    tried = _last_tried.pop(frame_id, None)
    message = COULD_NOT if reason == tasks.WORKER_STOPPED else reason
    this = (FreezeFrame.id == frame_id) & (FreezeFrame.still_status == MAKING)
    if tried is not None:
        this &= FreezeFrame.at_s == tried
    with store.transaction() as s:
        marked = update(FreezeFrame).where(this).values(still_status=FAILED, still_detail=message[:300])
        failed = cast(CursorResult, s.execute(marked)).rowcount == 1
        status = s.scalar(select(FreezeFrame.still_status).where(FreezeFrame.id == frame_id))
    if not failed and status == MAKING:
        enqueue_still(store, frame_id)


def _still_making(store: Store, frame_id: int) -> bool:
    with store.transaction() as s:
        return s.scalar(select(FreezeFrame.still_status).where(FreezeFrame.id == frame_id)) == MAKING
