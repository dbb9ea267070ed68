"""The embedded task queue (the ``task`` table): claims, retries, dead workers, cancels, periodic jobs."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from tests.support.database import SERVER_URL
from tests.support.media import make_clip, make_text_file
from tests.support.queueing import a_quick_job_runs_beside_a_long_one, jobs_of_one_key_take_turns
from tests.support.waiting import wait_until
from verp.core import tasks
from verp.core.models import Clip, utcnow
from verp.core.models import Task as TaskRow
from verp.core.tasks import DatabaseQueue, Task
from verp.media import copies, processing, sandbox
from verp.media.child import MEDIA_NICE
from verp.review import clips
from verp.worker import PURGE, all_tasks

# The embedded queue serves SQLite; on PostgreSQL procrastinate does (tests/unit/test_pg_tasks.py).
pytestmark = pytest.mark.skipif(bool(SERVER_URL), reason="the embedded queue serves SQLite only")


def _rows(store) -> list[TaskRow]:
    with store.transaction() as s:
        return list(s.scalars(select(TaskRow).order_by(TaskRow.id)))


def _queue(store, name: str, **kwargs) -> DatabaseQueue:
    return DatabaseQueue(store, name=name, retry_wait_s=0, **kwargs)


def test_two_workers_never_take_the_same_job(store):
    for n in range(30):
        _queue(store, "web").enqueue("note", {"n": n})
    registry = {"note": Task("note", lambda store, job: None)}
    taken: dict[str, list[int]] = {}
    start = threading.Barrier(4)

    def worker(name: str) -> None:
        queue, mine = _queue(store, name), []
        start.wait()
        while (claimed := queue.claim(registry)) is not None:
            mine.append(claimed.job.args["n"])
        taken[name] = mine

    threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    every = [n for mine in taken.values() for n in mine]
    assert sorted(every) == list(range(30))  # each job once, none lost
    assert {r.worker for r in _rows(store)} <= set(taken)


def test_a_failing_job_is_tried_up_to_its_attempt_limit_then_given_up(store):
    runs, given_up = [], []

    def broken(store, job):
        runs.append(job.attempt)
        raise RuntimeError("disk on fire")

    task = Task("broken", broken, max_attempts=3, on_give_up=lambda s, job, why: given_up.append(why))
    queue = _queue(store, "w")
    queue.enqueue("broken", {})
    assert queue.run_pending([task]) == 3
    assert runs == [1, 2, 3] and given_up == ["disk on fire"]
    [row] = _rows(store)
    assert (row.status, row.attempts, row.error) == ("failed", 3, "disk on fire")


def test_give_up_fails_at_once_and_cancelled_ends_quietly(store):
    given_up = []

    def hopeless(store, job):
        raise tasks.GiveUp("This is not a video file we can read.")

    def nothing_to_do(store, job):
        raise tasks.Cancelled("the clip was deleted")

    registry = [
        Task("hopeless", hopeless, on_give_up=lambda s, job, why: given_up.append(why)),
        Task("nothing", nothing_to_do, on_give_up=lambda s, job, why: given_up.append(why)),
    ]
    queue = _queue(store, "w")
    queue.enqueue("hopeless", {})
    queue.enqueue("nothing", {})
    assert queue.run_pending(registry) == 2
    assert [(r.name, r.status, r.attempts) for r in _rows(store)] == [
        ("hopeless", "failed", 1),
        ("nothing", "cancelled", 1),
    ]
    assert given_up == ["This is not a video file we can read."]


def test_the_job_of_a_worker_that_died_is_taken_over_when_its_lease_runs_out(store):
    done = []
    registry = {"note": Task("note", lambda store, job: done.append(job.attempt))}
    dead, alive = _queue(store, "dead"), _queue(store, "alive")
    dead.enqueue("note", {})
    assert dead.claim(registry) is not None  # ... and its process is killed here
    assert alive.claim(registry) is None  # the lease still holds
    with store.transaction() as s:
        s.execute(update(TaskRow).values(lease_until=utcnow() - timedelta(seconds=1)))
    claimed = alive.claim(registry)
    assert claimed is not None and claimed.job.attempt == 2  # the lost attempt counts
    alive.execute(registry["note"], claimed)
    assert done == [2] and _rows(store)[0].status == "done"


def test_a_job_whose_worker_died_on_the_last_attempt_is_given_up(store):
    given_up = []
    task = Task(
        "note", lambda store, job: None, max_attempts=1, on_give_up=lambda s, j, why: given_up.append(why)
    )
    dead, alive = _queue(store, "dead"), _queue(store, "alive")
    dead.enqueue("note", {})
    dead.claim({"note": task})
    with store.transaction() as s:
        s.execute(update(TaskRow).values(lease_until=utcnow() - timedelta(seconds=1)))
    assert alive.run_pending([task]) == 1
    assert given_up == [tasks.WORKER_STOPPED] and _rows(store)[0].status == "failed"


def test_a_live_worker_renews_its_lease_and_a_stopping_one_hands_its_jobs_back(store):
    registry = {"note": Task("note", lambda store, job: None)}
    worker = _queue(store, "w", lease_s=30)
    worker.enqueue("note", {})
    worker.claim(registry)
    with store.transaction() as s:
        s.execute(update(TaskRow).values(lease_until=utcnow() + timedelta(seconds=1)))
    worker.renew_leases()
    assert _rows(store)[0].lease_until > utcnow() + timedelta(seconds=20)
    worker.release()
    [row] = _rows(store)
    assert (row.status, row.attempts) == ("queued", 0)  # a clean stop costs no attempt


def test_one_waiting_job_per_key(store):
    queue = _queue(store, "w")
    for _ in range(3):
        queue.enqueue("note", {"clip_id": "a"}, key="prepare:a")
    queue.enqueue("note", {"clip_id": "b"}, key="prepare:b")
    assert [r.key for r in _rows(store)] == ["prepare:a", "prepare:b"]
    queue.run_pending([Task("note", lambda store, job: None)])
    queue.enqueue("note", {"clip_id": "a"}, key="prepare:a")  # finished: a new one may wait again
    assert len(_rows(store)) == 3


def test_a_periodic_job_runs_once_per_period_however_many_workers(store):
    ran = []
    task = Task("tidy", lambda store, job: ran.append(job.attempt), every_s=3600)
    first, second = _queue(store, "first"), _queue(store, "second")
    hour = 1_000 * 3600
    for worker in (first, second, first, second):
        worker.add_periodic([task], now=hour + 10)
    for worker in (first, second):
        worker.run_pending([task])
    assert ran == [1]
    for worker in (second, first):
        worker.add_periodic([task], now=hour + 3600 + 5)  # the next hour
        worker.run_pending([task])
    assert ran == [1, 1]
    assert [r.period for r in _rows(store)] == ["1000", "1001"]


def test_the_worker_runs_jobs_side_by_side_until_told_to_stop(store):
    both_running = threading.Barrier(2, timeout=20)
    finished = []

    def meet(store, job):
        both_running.wait()  # only passes when two jobs run at once
        finished.append(job.args["n"])

    queue = _queue(store, "w", poll_s=0.05)
    queue.enqueue("meet", {"n": 1})
    queue.enqueue("meet", {"n": 2})
    stop = threading.Event()
    runner = threading.Thread(target=queue.work, args=([Task("meet", meet)], 2, stop))
    runner.start()
    deadline = utcnow() + timedelta(seconds=30)
    while len(finished) < 2 and utcnow() < deadline:
        stop.wait(0.05)
    stop.set()
    runner.join(10)
    assert sorted(finished) == [1, 2] and not runner.is_alive()
    assert {r.status for r in _rows(store)} == {"done"}


def test_a_quick_job_never_waits_behind_a_long_one(store):
    """A freeze-frame's picture asked for while the only worker transcodes a long clip is made at once."""
    assert a_quick_job_runs_beside_a_long_one(_queue(store, "w", poll_s=0.05))


def test_jobs_of_one_key_take_turns(store):
    """Two slots never cut one moment at once: new times saved while its cut is made wait their turn."""
    assert jobs_of_one_key_take_turns(_queue(store, "w", poll_s=0.05))


def test_the_worker_adds_the_hourly_purge_once(store):
    queue = _queue(store, "w")
    queue.add_periodic(all_tasks(store.settings))
    _queue(store, "other").add_periodic(all_tasks(store.settings))
    assert [r.name for r in _rows(store)] == [PURGE]


# ---------------------------------------------------------------- preparing clips through the queue


def _upload(store, owner, path):
    with open(path, "rb") as f:
        return clips.add_clip(store, owner.id, path.name, f)


def test_a_deleted_clip_cancels_its_job(store, teacher, tmp_path):
    clip = _upload(store, teacher, make_clip(tmp_path / "a.mp4"))
    clips.delete_clip(store, teacher.id, clip.id)
    assert _queue(store, "w").run_pending(all_tasks(store.settings)) == 1
    [row] = [r for r in _rows(store) if r.name == processing.PREPARE]
    assert row.status == "cancelled"


@pytest.mark.parametrize("job", ["prepare", "strip"])
def test_a_clip_deleted_while_a_worker_copies_it_leaves_no_folder_behind(
    store, teacher, tmp_path, monkeypatch, job
):
    """The owner deletes the clip while a child writes its copies: the child makes the folders it
    writes into, so what it wrote after the delete goes at once, not with the orphan sweep an hour on."""
    clip = _upload(store, teacher, make_clip(tmp_path / "a.mp4"))
    if job == "strip":  # prepared before strips were made: Review asks a worker for its strip
        _queue(store, "w").run_pending(all_tasks(store.settings))
        for path in processing.strip_paths(store.clip_path(clip.id)):
            path.unlink()
        processing.ask_for_strip(store, clip.id)

    def deleted_while_the_child_writes(target, args, *rest, **kwargs):
        clips.delete_clip(store, teacher.id, clip.id)
        strip = store.clip_path(clip.id) / processing.STRIP
        strip.mkdir(parents=True, exist_ok=True)
        (strip / "thumb_00.jpg").write_bytes(b"a picture of the class")
        return copies.READY

    monkeypatch.setattr(sandbox, "run_limited", deleted_while_the_child_writes)
    _queue(store, "w").run_pending(all_tasks(store.settings))
    assert not store.clip_path(clip.id).exists()


def test_a_clip_is_prepared_by_the_queue_and_its_job_is_done(store, teacher, tmp_path):
    clip = _upload(store, teacher, make_clip(tmp_path / "a.mp4"))
    _queue(store, "w").run_pending(all_tasks(store.settings))
    assert clips.get_clip(store, teacher.id, clip.id).status == "ready"
    assert [r.status for r in _rows(store) if r.name == processing.PREPARE] == ["done"]


def test_a_clip_that_fails_every_attempt_says_why_on_my_clips(store, teacher, tmp_path, monkeypatch):
    clip = _upload(store, teacher, make_clip(tmp_path / "a.mp4"))

    def too_big(*args, **kwargs):
        raise sandbox.LimitExceeded(sandbox.TOO_MUCH_MEMORY)

    monkeypatch.setattr(sandbox, "run_limited", too_big)
    assert _queue(store, "w").run_pending(all_tasks(store.settings)) == store.settings.task_attempts
    failed = clips.get_clip(store, teacher.id, clip.id)
    assert failed.status == "failed" and failed.status_detail == sandbox.TOO_MUCH_MEMORY


# ---------------------------------------------------------------- the child process and its limits


def _limits(memory_mb: int = 1024, cpu_s: int = 60, spare_cores: int = 0) -> sandbox.Limits:
    return sandbox.Limits(memory_mb * sandbox.MB, cpu_s, spare_cores)


def test_a_child_that_is_no_longer_wanted_is_stopped(store):
    with pytest.raises(tasks.Cancelled):
        sandbox.run_limited("time:sleep", [60], _limits(), still_wanted=lambda: False, poll_s=0.05)


def test_a_child_past_its_memory_limit_is_refused_with_a_message():
    with pytest.raises(sandbox.LimitExceeded, match="more memory"):
        sandbox.run_limited("builtins:bytearray", [2 << 30], _limits(memory_mb=512), lambda: True)


def test_a_child_past_its_cpu_budget_is_stopped_with_a_message():
    with pytest.raises(sandbox.LimitExceeded, match="far longer"):
        sandbox.run_limited("math:factorial", [10**7], _limits(cpu_s=2), lambda: True)


def test_a_child_hands_back_what_its_work_returned_and_nothing_json_cannot_carry(tmp_path):
    assert sandbox.run_limited("builtins:divmod", [7, 2], _limits(), lambda: True) == [3, 1]
    clip = make_clip(tmp_path / "a.mp4")  # probe returns a ClipInfo: the work is done, its value left out
    assert sandbox.run_limited("verp.media.jobs:probe", [str(clip)], _limits(), lambda: True) is None


def test_a_child_works_below_the_pages_cpu_priority(tmp_path):
    """A transcode beside the app takes the cores only while no page needs them."""
    import os

    seen = tmp_path / "nice.txt"
    sandbox.run_limited("tests.support.media:write_niceness", [str(seen)], _limits(), lambda: True)
    nice, policy = map(int, seen.read_text().split())
    assert nice == min(os.nice(0) + MEDIA_NICE, 19)
    assert policy == os.SCHED_IDLE  # Linux: the job gets a core only while no page wants it


def _cores_of_a_child(tmp_path: Path, spare_cores: int) -> set[int]:
    seen = tmp_path / f"cores-{spare_cores}.txt"
    limits = _limits(spare_cores=spare_cores)
    sandbox.run_limited("tests.support.media:write_cores", [str(seen)], limits, lambda: True)
    return set(map(int, seen.read_text().split()))


def test_a_child_leaves_the_spare_cores_to_the_pages(tmp_path):
    """Beside the app, a transcode on every core slowed the pages' reruns by up to twice even at the
    lowest priority (bench/pages_bench.py --during-transcode); on all cores but one, hardly at all."""
    import os

    machine = os.sched_getaffinity(0)
    leaving_one = _cores_of_a_child(tmp_path, spare_cores=1)
    assert leaving_one < machine or len(machine) == 1
    assert len(leaving_one) == max(1, len(machine) - 1)
    assert _cores_of_a_child(tmp_path, spare_cores=0) == machine  # a machine that only runs workers
    assert len(_cores_of_a_child(tmp_path, spare_cores=len(machine) + 3)) == 1  # never none


def test_media_jobs_leave_one_core_to_the_pages_unless_the_machine_only_runs_workers(tmp_path):
    from verp.core.config import load_settings

    beside_the_app = load_settings({"VERP_DATA_DIR": str(tmp_path)})
    workers_only = load_settings({"VERP_DATA_DIR": str(tmp_path), "VERP_MEDIA_SPARE_CORES": "0"})
    assert sandbox.Limits.for_clip(beside_the_app, 30).spare_cores == 1
    assert sandbox.Limits.for_clip(workers_only, 30).spare_cores == 0
    negative = load_settings({"VERP_DATA_DIR": str(tmp_path), "VERP_MEDIA_SPARE_CORES": "-2"})
    assert negative.media_spare_cores == 0  # a slip of the sign spares nothing, and asks for no core twice
    memory = workers_only.media_memory_mb * sandbox.MB
    assert sandbox.Limits.of(workers_only, cpu_s=10) == sandbox.Limits(memory, 10, 0)


def test_a_child_on_a_one_core_machine_keeps_its_core(tmp_path):
    import os

    machine = os.sched_getaffinity(0)
    one = min(machine)
    os.sched_setaffinity(0, {one})  # the child is started from this thread and inherits its cores
    try:
        assert _cores_of_a_child(tmp_path, spare_cores=1) == {one}
    finally:
        os.sched_setaffinity(0, machine)


def test_a_child_is_handed_none_of_the_services_settings(tmp_path, monkeypatch):
    """A file that got the better of a decoder is handed no database address, password or signing key."""
    for name in ("VERP_DATABASE_URL", "VERP_SECRET_KEY", "PGPASSWORD", "DATABASE_URL"):
        monkeypatch.setenv(name, "postgresql://verp:hunter2@db/verp")
    seen = tmp_path / "environment.txt"
    sandbox.run_limited("tests.support.media:write_environment", [str(seen)], _limits(), lambda: True)
    names = set(seen.read_text().split())
    assert "PATH" in names and not names & {"VERP_DATABASE_URL", "VERP_SECRET_KEY", "PGPASSWORD"}
    assert not any(name.startswith("VERP_") or "DATABASE" in name for name in names)


def test_nothing_a_child_starts_keeps_its_caller_waiting_or_outlives_it(tmp_path):
    """A process the child started, holding its output open, is killed with it: the web server's look at
    a new clip, or a worker's job, returns and leaves nothing running."""
    seen = tmp_path / "grandchild.txt"
    sandbox.run_limited("tests.support.media:leave_a_grandchild", [str(seen)], _limits(), lambda: True)
    pid = int(seen.read_text())

    def gone() -> bool:
        try:
            return Path(f"/proc/{pid}/stat").read_text().split(") ")[1].startswith("Z")
        except (FileNotFoundError, ProcessLookupError):
            return True

    wait_until(gone, 30, "the child's own child was left running")


@pytest.mark.parametrize(
    "what",
    [
        ["progress", "Review copy", float("nan")],
        ["progress", "Review copy", float("inf")],
        ["progress", "<img src=x>", 0.5],
        ["progress", "Review copy"],
        ["progress", "Review copy", "half"],
        ["something else", "Review copy", 0.5],
    ],
)
def test_a_tell_that_is_not_a_progress_of_a_known_step_is_ignored(what):
    """What a child tells is checked, not trusted: a child that a hostile file got the better of could
    tell anything."""
    assert copies.told_progress(what, (copies.REVIEW_COPY,)) is None


def test_a_told_fraction_is_shown_as_a_percentage_within_0_and_100():
    assert copies.told_progress(["progress", "Review copy", 0.424], ("Review copy",)) == (
        "Review copy",
        "42%",
    )
    assert copies.told_progress(["progress", "Review copy", 7], ("Review copy",)) == ("Review copy", "100%")
    assert copies.told_progress(["progress", "Review copy", -1], ("Review copy",)) == ("Review copy", "0%")


def test_what_a_child_tells_reaches_its_caller_and_then_its_result(tmp_path):
    """A transcode's progress, told by the child, is written on the row by the worker: the child opens
    no database."""
    heard: list[list] = []
    done = sandbox.run_limited(
        "tests.support.media:tell_how_far", [4], _limits(), lambda: True, heard=heard.append
    )
    assert done == "counted"
    assert heard == [["progress", "Counting", f] for f in (0.25, 0.5, 0.75, 1.0)]


def test_a_file_the_child_cannot_read_is_given_up_with_its_message(tmp_path):
    text = make_text_file(tmp_path / "notes.mp4")
    with pytest.raises(tasks.GiveUp, match="not a video"):
        sandbox.run_limited("verp.media.jobs:probe", [str(text)], _limits(), lambda: True)


def test_preparing_never_starts_a_clip_already_prepared(store, teacher, tmp_path):
    clip = _upload(store, teacher, make_clip(tmp_path / "a.mp4"))
    _queue(store, "w").run_pending(all_tasks(store.settings))
    processing.enqueue_prepare(store, clip.id)  # a stray second job
    _queue(store, "w").run_pending(all_tasks(store.settings))
    assert [r.status for r in _rows(store) if r.name == processing.PREPARE] == ["done", "cancelled"]
    with store.transaction() as s:
        assert s.get(Clip, clip.id).status == "ready"
