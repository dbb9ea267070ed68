"""What both task queues must do, proved the same way on each (tests/unit/test_tasks.py on SQLite,
tests/unit/test_pg_tasks.py on PostgreSQL)."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

from verp.core.tasks import Task, TaskQueue


@contextlib.contextmanager
def working(queue: TaskQueue, tasks: list[Task], slots: int, held: threading.Event) -> Iterator[None]:
    """A worker of ``queue`` at work for the block; on leaving, ``held`` is set (the job it holds may
    end) and the worker is told to stop, and must."""
    stop = threading.Event()
    runner = threading.Thread(target=queue.work, args=(tasks, slots, stop))
    runner.start()
    try:
        yield
    finally:
        held.set()
        stop.set()
        runner.join(30)
    if runner.is_alive():
        raise AssertionError("the worker did not stop when told")


def a_quick_job_runs_beside_a_long_one(queue: TaskQueue) -> bool:
    """Whether a worker of ``queue`` with one slot, busy with a long job while another long one waits,
    still runs a quick job at once (a freeze-frame's picture asked for during a transcode)."""
    transcoding, let_it_finish, pictured = threading.Event(), threading.Event(), threading.Event()

    def transcode(store, job) -> None:
        transcoding.set()
        let_it_finish.wait(30)

    tasks = [Task("transcode", transcode), Task("picture", lambda store, job: pictured.set(), quick=True)]
    queue.enqueue("transcode", {})
    with working(queue, tasks, 1, let_it_finish):
        if not transcoding.wait(30):
            raise AssertionError("the worker never started the long job")
        queue.enqueue("transcode", {"n": 2})  # a long job waiting takes no quick job's place
        queue.enqueue("picture", {}, quick=True)
        return pictured.wait(30) and not let_it_finish.is_set()


def jobs_of_one_key_take_turns(queue: TaskQueue) -> bool:
    """Whether a worker of ``queue`` with two slots leaves a job waiting while another job of its key
    runs (a moment's new times saved while its cut is made), takes a later job of another key meanwhile,
    and runs the waiting one once the first is done."""
    first_runs, let_first_finish = threading.Event(), threading.Event()
    second_ran, other_ran, overlapped = threading.Event(), threading.Event(), threading.Event()
    running: set[int] = set()
    guard = threading.Lock()

    def cut(store, job) -> None:
        n = job.args["n"]
        with guard:
            if running & {1, 2} and n in (1, 2):
                overlapped.set()
            running.add(n)
        try:
            if n == 1:
                first_runs.set()
                let_first_finish.wait(30)
            (second_ran if n == 2 else other_ran).set()
        finally:
            with guard:
                running.discard(n)

    queue.enqueue("cut", {"n": 1}, key="cut:7", started_counts=False)
    with working(queue, [Task("cut", cut)], 2, let_first_finish):
        if not first_runs.wait(30):
            raise AssertionError("the worker never started the first job")
        queue.enqueue("cut", {"n": 2}, key="cut:7", started_counts=False)
        queue.enqueue("cut", {"n": 3}, key="cut:8", started_counts=False)  # added after, free to run
        if not other_ran.wait(30):
            raise AssertionError("the worker's free slot never took the job of another key")
        waited = not second_ran.is_set()
        let_first_finish.set()
        took_its_turn = second_ran.wait(30)
    return waited and took_its_turn and not overlapped.is_set()
