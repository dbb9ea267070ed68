"""What both task queues must do, proved the same way on each (tests/unit/test_tasks.py on SQLite,
tests/unit/test_pg_tasks.py on PostgreSQL)."""

from __future__ import annotations

import threading

from verp.core.tasks import Task, TaskQueue


def a_quick_job_runs_beside_a_long_one(queue: TaskQueue) -> bool:
    """Whether a worker of ``queue`` with one slot, busy with a long job while another long one waits,
    still runs a quick job at once (a freeze-frame's picture asked for during a transcode)."""
    transcoding, let_it_finish, pictured = threading.Event(), threading.Event(), threading.Event()

    def transcode(store, job) -> None:
        transcoding.set()
        let_it_finish.wait(30)

    tasks = [Task("transcode", transcode), Task("picture", lambda store, job: pictured.set(), quick=True)]
    stop = threading.Event()
    runner = threading.Thread(target=queue.work, args=(tasks, 1, stop))
    queue.enqueue("transcode", {})
    runner.start()
    try:
        if not transcoding.wait(30):
            raise AssertionError("the worker never started the long job")
        queue.enqueue("transcode", {"n": 2})  # a long job waiting takes no quick job's place
        queue.enqueue("picture", {}, quick=True)
        beside = pictured.wait(30) and not let_it_finish.is_set()
    finally:
        let_it_finish.set()
        stop.set()
        runner.join(30)
    if runner.is_alive():
        raise AssertionError("the worker did not stop when told")
    return beside
