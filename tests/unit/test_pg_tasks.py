"""The task queue on PostgreSQL (procrastinate), on a real server: run with VERP_TEST_DATABASE_URL."""

from __future__ import annotations

import asyncio
import time

import pytest
from procrastinate.periodic import PeriodicDeferrer
from sqlalchemy import text

from tests.support.database import SERVER_URL
from tests.support.media import make_clip
from tests.support.queueing import a_quick_job_runs_beside_a_long_one, jobs_of_one_key_take_turns
from verp.core import queues
from verp.core.pg_tasks import REQUEUE_STALLED, ProcrastinateQueue, apply_procrastinate_schema
from verp.core.store import migrate
from verp.core.tasks import Task
from verp.media import processing
from verp.review import clips
from verp.worker import PURGE, all_tasks, run_pending

pytestmark = pytest.mark.skipif(
    not SERVER_URL, reason="procrastinate needs PostgreSQL: VERP_TEST_DATABASE_URL"
)


def _jobs(store, task: str | None = None) -> list[tuple[str, str, int]]:
    query = "SELECT task_name, status::text, attempts FROM procrastinate_jobs"
    with store.engine.connect() as c:
        rows = c.execute(text(query + " ORDER BY id")).all()
    return [tuple(r) for r in rows if task is None or r[0] == task]


def _queue(store) -> ProcrastinateQueue:
    queue = ProcrastinateQueue(store)
    queue.retry_wait_s = 0
    return queue


def test_the_store_applies_procrastinates_schema_once(store):
    assert isinstance(queues.queue_for(store), ProcrastinateQueue)
    migrate(store.engine)  # again: nothing to do
    with store.engine.begin() as c:
        apply_procrastinate_schema(c)  # and directly: still nothing to do
        assert c.execute(text("SELECT count(*) FROM procrastinate_jobs")).scalar() == 0


def test_an_uploaded_clip_is_prepared_by_a_procrastinate_worker(store, teacher, tmp_path):
    with make_clip(tmp_path / "a.mp4").open("rb") as f:
        clip = clips.add_clip(store, teacher.id, "a.mp4", f)
    processing.enqueue_prepare(store, clip.id)  # a second call while it waits adds nothing
    assert _jobs(store) == [(processing.PREPARE, "todo", 0)]
    run_pending(store)
    assert clips.get_clip(store, teacher.id, clip.id).status == "ready"


def test_a_deleted_clip_cancels_its_job_on_postgresql(store, teacher, tmp_path):
    with make_clip(tmp_path / "a.mp4").open("rb") as f:
        clip = clips.add_clip(store, teacher.id, "a.mp4", f)
    clips.delete_clip(store, teacher.id, clip.id)
    run_pending(store)
    assert _jobs(store, processing.PREPARE) == []  # ended without error (finished jobs are removed)


def test_a_failing_job_is_tried_up_to_its_attempt_limit_on_postgresql(store):
    runs, given_up = [], []

    def broken(store, job):
        runs.append(job.attempt)
        raise RuntimeError("disk on fire")

    task = Task("broken", broken, max_attempts=3, on_give_up=lambda s, job, why: given_up.append(why))
    queue = _queue(store)
    queue.enqueue("broken", {"n": 1})
    queue.run_pending([task])
    assert runs == [1, 2, 3] and given_up == ["disk on fire"]
    assert [status for _, status, _ in _jobs(store, "broken")] == ["failed"]  # each try its own job


def test_the_hourly_purge_is_deferred_once_however_many_workers(store):
    hour = (int(time.time()) // 3600) * 3600
    for _ in range(3):  # three workers' periodic deferrers, a few seconds after the hour
        app = _queue(store).worker_app(all_tasks(store.settings))

        async def defer(app=app) -> None:
            async with app.open_async():
                deferrer = PeriodicDeferrer(app.periodic_registry)
                jobs = [(p, t) for p, t in deferrer.get_previous_tasks(at=hour + 5) if p.task.name == PURGE]
                await deferrer.defer_jobs(jobs)

        asyncio.run(defer())
    assert _jobs(store, PURGE) == [(PURGE, "todo", 0)]
    run_pending(store)
    assert _jobs(store, PURGE) == []  # ran and succeeded


def _taken(app, jobs: int, then_switched_off: bool = False) -> None:
    """The next ``jobs`` jobs taken by a worker (whose machine is then switched off, if so)."""

    async def take() -> None:
        async with app.open_async():
            worker_id = await app.job_manager.register_worker()
            for _ in range(jobs):
                assert await app.job_manager.fetch_job(queues=None, worker_id=worker_id) is not None
            if then_switched_off:
                await app.connector.execute_query_async(
                    "UPDATE procrastinate_workers SET last_heartbeat = now() - interval '1 hour'"
                )

    asyncio.run(take())


def _requeue_stalled(app) -> None:
    """What the periodic job of any living worker does every minute."""

    async def requeue() -> None:
        async with app.open_async():
            await app.tasks[REQUEUE_STALLED].func(timestamp=0)

    asyncio.run(requeue())


def test_the_job_of_a_worker_that_stopped_is_put_back(store):
    queue = _queue(store)
    app = queue.worker_app([Task("note", lambda store, job: None)])
    queue.enqueue("note", {"n": 1})
    _taken(app, 1, then_switched_off=True)
    _requeue_stalled(app)
    assert _jobs(store, "note") == [("note", "todo", 1)]  # back in the queue, the lost attempt counted


def test_a_stopped_workers_job_ends_when_a_job_with_its_key_waits_and_the_others_go_back(store):
    """A moment's cut on a machine switched off while new times were saved: the waiting job cuts them
    (the first cannot go back beside it), and the stopped worker's other jobs still go back."""
    queue = _queue(store)
    app = queue.worker_app([Task("cut", lambda store, job: None), Task("note", lambda store, job: None)])
    queue.enqueue("cut", {"n": 1}, key="cut:7", started_counts=False)
    queue.enqueue("note", {"n": 1})
    _taken(app, 2, then_switched_off=True)
    queue.enqueue("cut", {"n": 2}, key="cut:7", started_counts=False)  # saved while the machine was off
    _requeue_stalled(app)
    assert _jobs(store) == [("note", "todo", 1), ("cut", "todo", 0)]
    queue.run_pending([Task("cut", lambda store, job: None), Task("note", lambda store, job: None)])
    assert _jobs(store) == []


def test_a_job_at_work_counts_as_waiting_unless_the_job_reads_its_work_when_it_starts(store):
    """The hourly requeue never queues a second preparation of a clip being transcoded; a moment's new
    times saved during its cut do get a job of their own."""
    queue = _queue(store)
    app = queue.worker_app([Task("prepare", lambda store, job: None)])
    queue.enqueue("prepare", {"clip_id": "a"}, key="prepare:a")
    _taken(app, 1)
    queue.enqueue("prepare", {"clip_id": "a"}, key="prepare:a")
    assert _jobs(store) == [("prepare", "doing", 0)]
    queue.enqueue("prepare", {"clip_id": "a"}, key="prepare:a", started_counts=False)
    assert _jobs(store) == [("prepare", "doing", 0), ("prepare", "todo", 0)]


def test_a_retry_ends_when_a_job_with_its_key_was_queued_meanwhile_on_postgresql(store):
    """A moment's new times saved while its cut job fails: the queued job cuts them; the failed one
    cannot go back to the queue beside it (procrastinate keeps one queued job per key)."""
    queue, runs = _queue(store), []

    def fails_while_a_new_job_is_added(store, job):
        runs.append(job.args["n"])
        if job.args["n"] == 1:
            queue.enqueue("keyed", {"n": 2}, key="keyed:1", started_counts=False)
            raise RuntimeError("the file went away")

    queue.enqueue("keyed", {"n": 1}, key="keyed:1", started_counts=False)
    queue.run_pending([Task("keyed", fails_while_a_new_job_is_added, max_attempts=3)])
    assert runs == [1, 2]
    assert _jobs(store, "keyed") == []  # both ended well (finished jobs are removed)


def test_a_quick_job_never_waits_behind_a_long_one_on_postgresql(store):
    """The worker's own slot for quick jobs (its own procrastinate queue) makes a freeze-frame's picture
    while its only other slot transcodes a long clip."""
    assert a_quick_job_runs_beside_a_long_one(_queue(store))


def test_jobs_of_one_key_take_turns_on_postgresql(store):
    """procrastinate's lock: two workers never cut one moment at once; the later job waits its turn."""
    assert jobs_of_one_key_take_turns(_queue(store))
