"""Helpers for the review tests: a real little clip of one's own, and a workshop to share with."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import text

from tests.support.media import make_clip
from tests.support.waiting import wait_until
from verp.core.models import Workshop, today
from verp.core.store import Store
from verp.review import clips, moments
from verp.review.consent import record_consent
from verp.worker import run_pending


def add_test_clip(store: Store, owner_id: int, tmp: Path, seconds: float = 6, name: str = "lesson.mp4"):
    """A real H.264 clip of ``seconds`` owned by ``owner_id``, added the way an upload is and prepared
    the way a worker prepares it."""
    src = make_clip(tmp / f"src-{owner_id}-{name}", seconds=seconds, fps=10, audio=False)
    with open(src, "rb") as f:
        clip = clips.add_clip(store, owner_id, name, f)
    run_pending(store)
    return clips.get_clip(store, owner_id, clip.id)


def cut_moment(store: Store, owner_id: int, clip_id: str, title: str, start_s: float, end_s: float):
    """A moment saved as Review saves it, and cut to its own video as a worker cuts it (here, or by the
    worker of an app started beside the test, whichever takes the job first)."""
    made = moments.create_moment(store, owner_id, clip_id, title, start_s, end_s)

    def cut() -> bool:
        run_pending(store)
        return not moments.get_moment(store, owner_id, made.id).cutting

    wait_until(cut, 120, "the moment was never cut")
    return moments.get_moment(store, owner_id, made.id)


def freeze_frame(store: Store, owner_id: int, moment_id: int, at_s: float):
    """A freeze-frame taken as Review takes it, its picture made as a worker makes it (here, or by the
    worker of an app started beside the test)."""
    made = moments.add_freeze_frame(store, owner_id, moment_id, at_s)
    frame_id = next(f.id for f in made.freeze_frames if f.at_s == round(at_s, 3))

    def pictured() -> bool:
        run_pending(store)
        frames = moments.get_moment(store, owner_id, moment_id).freeze_frames
        return not next(f for f in frames if f.id == frame_id).making

    wait_until(pictured, 120, "the freeze-frame's picture was never made")
    return moments.get_moment(store, owner_id, moment_id)


def add_consent(store: Store, owner_id: int, clip_id: str, delete_by: date | None = None):
    return record_consent(
        store,
        owner_id,
        clip_id,
        filmed_group="Year 3 reading group",
        basis="public_task",
        recorded_by="Head teacher",
        consent_date=today(),
        children_agreement="agreed",
        no_child_without_consent=True,
        delete_by=delete_by,
    )


def add_workshop(store: Store, facilitator_id: int, code: str = "ABCD23", status: str = "live") -> int:
    with store.transaction() as s:
        w = Workshop(
            title="Spring group",
            held_on=today(),
            facilitator_id=facilitator_id,
            join_code=code,
            status=status,
        )
        s.add(w)
        s.flush()
        return w.id


def waiting_jobs(store: Store, task: str) -> int:
    """How many jobs of ``task`` wait for a worker, on whichever queue serves the store."""
    if store.engine.dialect.name == "postgresql":
        query = "SELECT count(*) FROM procrastinate_jobs WHERE task_name = :task AND status = 'todo'"
    else:
        query = "SELECT count(*) FROM task WHERE name = :task AND status = 'queued'"
    with store.engine.connect() as c:
        return c.execute(text(query), {"task": task}).scalar_one()
