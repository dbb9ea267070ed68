"""Background jobs: one small interface, two back ends.

Clips are prepared, and the retention purge runs, in ``python -m verp worker`` processes, never in the web
server. A caller names a task and gives it JSON-able arguments (``enqueue``); a worker runs the task's
function (``work``). Which back end serves a store depends on its database:

- PostgreSQL: procrastinate (``verp.core.pg_tasks``), a well-kept queue on the same database: jobs wake
  workers at once (LISTEN/NOTIFY), retries, periodic jobs deferred once per period whoever defers them.
- SQLite, the embedded default: rows of the ``task`` table (``DatabaseQueue`` below). A worker claims a
  job with one conditional UPDATE, so two workers never take the same job; a claimed job has a lease its
  worker renews, so the job of a worker that died is taken over when the lease runs out; each claim is an
  attempt, and a job stops after its task's attempt limit.

A task's function gets the store and a ``Job`` (its arguments, which attempt this is). It raises
``Cancelled`` when there is nothing left to do (a deleted clip), ``GiveUp`` when trying again cannot help,
and any other exception to be tried again; after the last attempt the task's ``on_give_up`` is called
with the reason, so the person waiting is told.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Protocol, cast

from sqlalchemy import CursorResult, and_, delete, exists, insert, literal, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import BindParameter

from verp.core.models import Task as TaskRow
from verp.core.models import utcnow
from verp.core.store import Store

log = logging.getLogger(__name__)
DEFAULT_ATTEMPTS = 3
WORKER_STOPPED = "The worker stopped before this job was finished."


class Cancelled(Exception):
    """Nothing left to do (say, the clip was deleted): the job ends quietly, without a retry."""


class GiveUp(Exception):
    """Trying again cannot help (the file itself is the problem): the job fails at once."""


@dataclass(frozen=True)
class Job:
    """One attempt at a job, as its task's function sees it."""

    task: str
    args: dict
    attempt: int  # 1 for the first try
    max_attempts: int

    @property
    def is_last(self) -> bool:
        return self.attempt >= self.max_attempts


Handler = Callable[[Store, Job], None]
GiveUpHandler = Callable[[Store, Job, str], None]


@dataclass(frozen=True)
class Task:
    """A kind of job a worker can run; ``every_s`` makes it periodic (once per period, service-wide)."""

    name: str
    run: Handler
    max_attempts: int = DEFAULT_ATTEMPTS
    every_s: int | None = None
    on_give_up: GiveUpHandler | None = None
    # A short job somebody waits for on a page (a freeze-frame's picture, a moment's cut): besides its
    # ``concurrency``, every worker keeps a slot for these alone, so one never waits behind a transcode.
    quick: bool = False


@dataclass(frozen=True)
class Claimed:
    """A job a worker of the embedded queue has taken: its row and attempt, and what its task sees."""

    id: int
    job: Job


@dataclass(frozen=True)
class Outcome:
    status: str  # done | cancelled | failed | retry
    error: str = ""


class TaskQueue(Protocol):
    """What the app asks of a queue; both back ends provide it."""

    def enqueue(
        self, task: str, args: dict, key: str | None = None, started_counts: bool = True, quick: bool = False
    ) -> None:
        """Add a job; with ``key``, not when a job with that key is already waiting, and never run while
        another job of that key runs (jobs of one key take turns, whatever the number of workers).
        ``quick``: the job of a ``Task`` with ``quick`` set (its worker slot of its own; see ``Task``).

        ``started_counts=False``: only a job that has not started yet counts as waiting, for a job that
        reads what to do when it starts (a moment's cut reads the moment's times then), so a change made
        while one runs is never left without a job. (procrastinate's queueing lock always works so.)
        """

    def work(self, tasks: Sequence[Task], concurrency: int = 1, stop: threading.Event | None = None) -> None:
        """Run jobs of ``tasks`` until ``stop`` is set (or the process is told to stop)."""

    def run_pending(self, tasks: Sequence[Task]) -> int | None:
        """Run the jobs that are ready now, here, and return when none is left (tests, ``--once``).

        Returns how many ran where the back end counts them (the embedded queue), else None.
        """


def perform(store: Store, task: Task, job: Job) -> Outcome:
    """Run one attempt and decide what follows; on a final failure tell ``task.on_give_up``."""
    try:
        if job.attempt > job.max_attempts:  # its worker died on the last attempt
            raise GiveUp(WORKER_STOPPED)
        task.run(store, job)
    except Cancelled as exc:
        log.info("%s %s cancelled: %s", job.task, job.args, exc)
        return Outcome("cancelled", str(exc))
    except Exception as exc:  # noqa: BLE001 - any failure is the job's outcome, never the worker's end
        error = str(exc) or type(exc).__name__
        if isinstance(exc, GiveUp) or job.is_last:
            log.warning("%s %s failed for good: %s", job.task, job.args, error)
            if task.on_give_up is not None:
                task.on_give_up(store, job, error)
            return Outcome("failed", error)
        log.warning("%s %s failed (attempt %d), will retry: %s", job.task, job.args, job.attempt, error)
        return Outcome("retry", error)
    return Outcome("done")


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass
class DatabaseQueue:
    """The embedded queue: jobs are rows of the ``task`` table (works on any SQL database)."""

    store: Store
    lease_s: float = 60.0  # a job whose worker has not renewed its lease for this long is taken over
    poll_s: float = 0.5
    retry_wait_s: float = 5.0  # times the attempt number
    keep_finished_s: float = 7 * 24 * 3600
    name: str = field(default_factory=worker_name)

    def __post_init__(self) -> None:
        self._mine: set[tuple[int, int]] = set()  # (job id, attempt) this worker is running
        self._lock = threading.Lock()
        self._periods: dict[str, int] = {}

    # ------------------------------------------------------------ adding jobs

    def enqueue(
        self, task: str, args: dict, key: str | None = None, started_counts: bool = True, quick: bool = False
    ) -> None:
        """(``quick`` needs nothing here: a worker's quick slot takes the jobs of its quick tasks.)"""
        row: dict[str, BindParameter[Any]] = {"name": literal(task), "key": literal(key)}
        row |= {"args": literal(json.dumps(args, sort_keys=True))}
        row |= {"status": literal("queued"), "attempts": literal(0), "error": literal("")}
        row |= {"run_after": literal(utcnow(), TaskRow.run_after.type)}
        row |= {"created_at": literal(utcnow(), TaskRow.created_at.type)}
        query = select(*[value.label(name) for name, value in row.items()])
        if key is not None:  # one statement, so two callers at once still add one job
            statuses = ("queued", "running") if started_counts else ("queued",)
            waiting = select(TaskRow.id).where(TaskRow.key == key, TaskRow.status.in_(statuses))
            query = query.where(~exists(waiting))
        with self.store.transaction() as s:
            s.execute(insert(TaskRow).from_select(list(row), query))

    def add_periodic(self, tasks: Iterable[Task], now: float | None = None) -> None:
        """Add this period's job of each periodic task, unless any worker already has."""
        now = time.time() if now is None else now
        for task in tasks:
            if not task.every_s:
                continue
            period = int(now // task.every_s)
            if self._periods.get(task.name) == period:
                continue
            try:
                with self.store.transaction() as s:
                    s.add(TaskRow(name=task.name, args="{}", period=str(period), status="queued", error=""))
            except IntegrityError:
                pass  # another worker added it first: once per period, service-wide
            self._periods[task.name] = period

    # ------------------------------------------------------------ taking and finishing jobs

    def _ready(self, now):
        """Due, and no other job of its key at work: jobs of one key take turns (two workers never cut
        one moment at once; the later job reads the moment's times when its turn comes)."""
        other = aliased(TaskRow)
        at_work = select(other.id).where(
            other.key == TaskRow.key,
            other.id != TaskRow.id,
            other.status == "running",
            other.lease_until >= now,
        )
        return and_(
            or_(
                and_(TaskRow.status == "queued", TaskRow.run_after <= now),
                and_(TaskRow.status == "running", TaskRow.lease_until < now),  # its worker went quiet
            ),
            or_(TaskRow.key.is_(None), ~exists(at_work)),
        )

    def claim(self, tasks: dict[str, Task]) -> Claimed | None:
        """Take the next ready job, or None. The UPDATE is conditional: of two workers, one wins."""
        now = utcnow()
        with self.store.transaction() as s:
            candidates = list(
                s.scalars(
                    select(TaskRow.id)
                    .where(self._ready(now), TaskRow.name.in_(list(tasks)))
                    .order_by(TaskRow.run_after, TaskRow.id)
                    .limit(5)
                )
            )
        for job_id in candidates:
            with self.store.transaction() as s:
                won = s.execute(
                    update(TaskRow)
                    .where(TaskRow.id == job_id, self._ready(now))
                    .values(
                        status="running",
                        worker=self.name,
                        attempts=TaskRow.attempts + 1,
                        lease_until=now + timedelta(seconds=self.lease_s),
                    )
                )
                if cast(CursorResult, won).rowcount == 1:
                    row = s.get_one(TaskRow, job_id)
                    with self._lock:
                        self._mine.add((row.id, row.attempts))
                    job = Job(row.name, json.loads(row.args), row.attempts, tasks[row.name].max_attempts)
                    return Claimed(row.id, job)
        return None

    def execute(self, task: Task, claimed: Claimed) -> Outcome:
        """Run a claimed job and record how it ended."""
        job_id, job = claimed.id, claimed.job
        outcome = perform(self.store, task, job)
        values: dict = {"error": outcome.error[:2000], "lease_until": None}
        if outcome.status == "retry":
            wait = timedelta(seconds=self.retry_wait_s * job.attempt)
            values |= {"status": "queued", "run_after": utcnow() + wait}
        else:
            values |= {"status": outcome.status, "finished_at": utcnow()}
        with self.store.transaction() as s:  # only if the job is still ours (not taken over meanwhile)
            s.execute(
                update(TaskRow)
                .where(TaskRow.id == job_id, TaskRow.worker == self.name, TaskRow.attempts == job.attempt)
                .where(TaskRow.status == "running")
                .values(**values)
            )
        with self._lock:
            self._mine.discard((job_id, job.attempt))
        return outcome

    def renew_leases(self) -> None:
        """Tell other workers this one is alive and still at its jobs."""
        with self._lock:
            ids = [job_id for job_id, _ in self._mine]
        if ids:
            with self.store.transaction() as s:
                s.execute(
                    update(TaskRow)
                    .where(TaskRow.id.in_(ids), TaskRow.worker == self.name, TaskRow.status == "running")
                    .values(lease_until=utcnow() + timedelta(seconds=self.lease_s))
                )

    def release(self) -> None:
        """On a clean stop: hand this worker's unfinished jobs back without counting the attempt."""
        with self._lock:
            mine, self._mine = set(self._mine), set()
        with self.store.transaction() as s:
            for job_id, attempt in mine:
                s.execute(
                    update(TaskRow)
                    .where(TaskRow.id == job_id, TaskRow.worker == self.name, TaskRow.attempts == attempt)
                    .where(TaskRow.status == "running")
                    .values(status="queued", attempts=attempt - 1, lease_until=None, run_after=utcnow())
                )

    def forget_finished(self) -> None:
        """Finished jobs are kept a week (to see what happened), then removed."""
        before = utcnow() - timedelta(seconds=self.keep_finished_s)
        with self.store.transaction() as s:
            s.execute(delete(TaskRow).where(TaskRow.finished_at < before))

    # ------------------------------------------------------------ the worker

    def _start(self, task: Task, claimed: Claimed) -> threading.Thread:
        thread = threading.Thread(target=self.execute, args=(task, claimed), daemon=True)
        thread.start()
        return thread

    def run_pending(self, tasks: Sequence[Task]) -> int:
        """Run every ready job here and now, one after another; return how many ran (tests, tools)."""
        registry = {t.name: t for t in tasks}
        count = 0
        while (claimed := self.claim(registry)) is not None:
            self.execute(registry[claimed.job.task], claimed)
            count += 1
        return count

    def work(self, tasks: Sequence[Task], concurrency: int = 1, stop: threading.Event | None = None) -> None:
        registry = {t.name: t for t in tasks}
        quick = {name: t for name, t in registry.items() if t.quick}
        stop = stop or threading.Event()
        running: list[threading.Thread] = []
        lane: threading.Thread | None = None  # the slot kept for quick jobs
        renewed = tidied = 0.0
        try:
            while not stop.is_set():
                self.add_periodic(registry.values())
                running = [t for t in running if t.is_alive()]
                while len(running) < concurrency and (claimed := self.claim(registry)) is not None:
                    running.append(self._start(registry[claimed.job.task], claimed))
                if quick and (lane is None or not lane.is_alive()):
                    claimed = self.claim(quick)
                    lane = None if claimed is None else self._start(quick[claimed.job.task], claimed)
                if time.monotonic() - renewed > self.lease_s / 4:
                    self.renew_leases()
                    renewed = time.monotonic()
                if time.monotonic() - tidied > 3600:
                    self.forget_finished()
                    tidied = time.monotonic()
                stop.wait(self.poll_s)
        finally:
            self.release()
