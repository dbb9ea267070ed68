"""The task queue on PostgreSQL: procrastinate, on the service's own database.

procrastinate keeps its jobs in its own tables (applied by migration ``queue_task_table``), wakes workers
with LISTEN/NOTIFY, and defers each periodic job once per period however many workers run (a unique row
per task and time). A failed attempt queues the next as a new job of its key, up to the task's attempt
limit (``_try_again``). A job whose worker stopped sending heartbeats is put back by a small periodic job
(``requeue_stalled``), which counts it as an attempt. Jobs of one key (a clip, a moment, a freeze-frame)
take turns: at most one waits (procrastinate's ``queueing_lock``) and one runs (its ``lock``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Sequence
from typing import Any, ClassVar

import procrastinate
from procrastinate.exceptions import AlreadyEnqueued, ConnectorException, UniqueViolation
from procrastinate.jobs import Job as QueuedJob
from procrastinate.jobs import Status
from procrastinate.schema import SchemaManager
from sqlalchemy import Connection, make_url, text

from verp.core.store import Store
from verp.core.tasks import Job, Task, perform

log = logging.getLogger(__name__)
QUICK_QUEUE = "quick"  # the jobs of quick tasks (``Task.quick``), which a worker's own slot serves too
STALLED_AFTER_S = 60  # a worker silent this long (it beats every 10 s) is gone; its jobs are put back
REQUEUE_STALLED = "requeue_stalled"


TRIED = "_tried"  # in the arguments of a job queued as a retry: the attempts made before it


def _at_work(store: Store, key: str) -> bool:
    """Whether a job of this key is running now."""
    with store.engine.connect() as c:
        doing = "SELECT 1 FROM procrastinate_jobs WHERE lock = :key AND status = 'doing' LIMIT 1"
        return c.execute(text(doing), {"key": key}).first() is not None


class Failed(Exception):
    """The job failed for good (its task was told why)."""


def libpq_url(database_url: str) -> str:
    """The SQLAlchemy URL as psycopg's own connection string (options such as search_path kept)."""
    return make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)


def apply_procrastinate_schema(connection: Connection) -> None:
    """procrastinate's tables, types and functions, once per database schema (idempotent)."""
    if connection.execute(text("SELECT to_regclass('procrastinate_jobs')")).scalar() is not None:
        return
    raw = connection.connection.driver_connection  # psycopg: without parameters, many statements at once
    if raw is None:  # only a connection already given back to the pool has none
        raise RuntimeError("The database connection was closed before procrastinate's schema was applied.")
    raw.execute(SchemaManager.get_schema())


def drop_procrastinate_schema(connection: Connection) -> None:
    """Remove procrastinate's tables, types and functions from the current schema (restore --force)."""
    schema = connection.execute(text("SELECT current_schema()")).scalar()
    if schema is None:  # an empty search_path: no current schema, so nothing of procrastinate's to drop
        return
    for kind, catalog in (("TABLE", "pg_tables"), ("TYPE", "pg_type"), ("FUNCTION", "pg_proc")):
        names = _procrastinate_objects(connection, catalog, schema)
        for name in names:
            connection.execute(text(f'DROP {kind} IF EXISTS "{schema}".{name} CASCADE'))


def _procrastinate_objects(connection: Connection, catalog: str, schema: str) -> list[str]:
    queries = {
        "pg_tables": "SELECT quote_ident(tablename) FROM pg_tables WHERE schemaname = :s",
        # asked after the tables are gone: what is left are its enums and its composite types
        "pg_type": "SELECT quote_ident(t.typname) FROM pg_type t"
        " JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = :s AND t.typtype IN ('e', 'c')",
        "pg_proc": "SELECT quote_ident(p.proname) || '(' || pg_get_function_identity_arguments(p.oid) || ')'"
        " FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = :s",
    }
    rows = connection.execute(text(queries[catalog]), {"s": schema}).scalars()
    return [name for name in rows if name.strip('"').startswith("procrastinate_")]


def cron_for(every_s: int) -> str:
    """A cron line for a period in whole minutes or hours (procrastinate's periodic jobs speak cron)."""
    minutes = max(1, every_s // 60)
    if minutes % 60 == 0:
        return f"0 */{minutes // 60} * * *" if minutes > 60 else "0 * * * *"
    return f"*/{minutes} * * * *"


class ProcrastinateQueue:
    """The PostgreSQL back end of ``verp.core.tasks``."""

    _by_database: ClassVar[dict[str, ProcrastinateQueue]] = {}
    _lock: ClassVar[threading.Lock] = threading.Lock()
    retry_wait_s: int = 5  # times nothing: a failed clip is tried again a few seconds later

    def __init__(self, store: Store) -> None:
        self.store = store
        self.conninfo = libpq_url(store.settings.database_url)

    @classmethod
    def for_store(cls, store: Store) -> ProcrastinateQueue:
        """One per database in a process, so web sessions share one small connection pool for deferring."""
        with cls._lock:
            queue = cls._by_database.get(store.settings.database_url)
            if queue is None:
                queue = cls._by_database[store.settings.database_url] = cls(store)
            return queue

    def enqueue(
        self, task: str, args: dict, key: str | None = None, started_counts: bool = True, quick: bool = False
    ) -> None:
        """(See ``TaskQueue.enqueue``.) With ``started_counts``, a job of the key at work counts as
        waiting: the hourly requeue never queues a second preparation of a clip being transcoded. Should
        one slip in at the same instant, the key's lock keeps it waiting, and it finds the clip prepared."""
        if key is not None and started_counts and _at_work(self.store, key):
            return
        with contextlib.suppress(AlreadyEnqueued):  # that job is already waiting
            self._defer(task, args, key, quick)

    def _defer(self, task: str, args: dict, key: str | None, quick: bool, wait_s: float = 0) -> None:
        """Defer one job over a connection of its own, closed again at once: jobs are deferred when a clip
        arrives, a few times an hour, so a pool kept open per database would only hold connections idle
        (and a server's connection slots are shared by every instance). ``queueing_lock``: one job of a
        key waits at a time (``AlreadyEnqueued`` otherwise); ``lock``: jobs of one key take turns."""
        connector = procrastinate.SyncPsycopgConnector(conninfo=self.conninfo, min_size=0, max_size=1)
        app = procrastinate.App(connector=connector)
        options: dict[str, Any] = {"lock": key, "queueing_lock": key}
        options |= {"queue": QUICK_QUEUE if quick else "default"}
        if wait_s:
            options["schedule_in"] = {"seconds": wait_s}
        with app.open():
            app.configure_task(name=task, **options).defer(**args)

    def work(self, tasks: Sequence[Task], concurrency: int = 1, stop: threading.Event | None = None) -> None:
        app = self.worker_app(tasks)
        lanes: list[dict[str, Any]] = [{"concurrency": concurrency}]  # every queue
        if any(t.quick for t in tasks):  # and a slot of its own for the quick jobs
            lanes.append({"concurrency": 1, "queues": [QUICK_QUEUE], "name": "quick"})
        asyncio.run(self._work(app, lanes, stop or threading.Event()))

    def run_pending(self, tasks: Sequence[Task]) -> None:
        app = self.worker_app(tasks)

        async def drain() -> None:
            async with app.open_async():
                await app.run_worker_async(
                    wait=False, install_signal_handlers=False, listen_notify=False, delete_jobs="successful"
                )

        asyncio.run(drain())

    def worker_app(self, tasks: Sequence[Task]) -> procrastinate.App:
        connector = procrastinate.PsycopgConnector(conninfo=self.conninfo, min_size=1, max_size=6)
        app = procrastinate.App(connector=connector)
        for task in tasks:
            self._register(app, task)
        self._register_requeue(app, {t.name: t for t in tasks})
        return app

    async def _work(self, app: procrastinate.App, lanes: list[dict[str, Any]], stop: threading.Event) -> None:
        """One procrastinate worker a lane, until ``stop`` is set (the command line sets it on SIGINT and
        SIGTERM) or one of them ends; then a graceful stop: running jobs finish."""
        options: dict[str, Any] = {"update_heartbeat_interval": 10, "install_signal_handlers": False}
        options |= {"stalled_worker_timeout": STALLED_AFTER_S, "delete_jobs": "successful"}
        async with app.open_async():
            workers = [asyncio.create_task(app.run_worker_async(**options, **lane)) for lane in lanes]
            while not any(w.done() for w in workers) and not stop.is_set():
                await asyncio.sleep(0.2)
            for worker in workers:
                worker.cancel()
            for worker in workers:
                with contextlib.suppress(asyncio.CancelledError):
                    await worker

    def _register(self, app: procrastinate.App, task: Task) -> None:
        store = self.store

        def run(context: procrastinate.JobContext, **args: Any) -> None:
            tried = int(args.pop(TRIED, 0))
            job = Job(task.name, args, tried + context.job.attempts + 1, task.max_attempts)
            outcome = perform(store, task, job)
            if outcome.status == "retry":
                self._try_again(task, job, context.job.queueing_lock)
            elif outcome.status == "failed":
                raise Failed(outcome.error)

        registered = app.task(name=task.name, pass_context=True)(run)
        if task.every_s:
            # procrastinate's stubs want a positional ``timestamp: int`` first; it passes it by keyword,
            # which ``run``'s ``**args`` takes, so the task is fine and only the stub is too narrow.
            app.periodic(cron=cron_for(task.every_s), periodic_id=task.name)(registered)  # type: ignore[arg-type]

    def _try_again(self, task: Task, job: Job, key: str | None) -> None:
        """Queue the next attempt as a new job of the same key, due after a short wait and, by the key's
        lock, not before this one has ended. If a job of the key already waits (a moment's new times
        saved meanwhile), that one does the work: the unique index of waiting jobs decides, in one
        statement, however close together the two arrive. (A retry by procrastinate itself would put
        this job back beside the waiting one, which that index refuses, and leave it running for good.)"""
        try:
            self._defer(task.name, {**job.args, TRIED: job.attempt}, key, task.quick, self.retry_wait_s)
        except AlreadyEnqueued:
            log.info("%s %s: a job with its key waits, and does this work", task.name, job.args)
        except Exception:
            # The database is away: this job ends as failed, and what it was for still waits on its row,
            # where the hourly purge's requeue (or the next worker's start) finds it.
            log.exception("%s %s: the next try could not be queued", task.name, job.args)
            raise

    @staticmethod
    async def _put_back(app: procrastinate.App, job: QueuedJob) -> None:
        """A stopped worker's job goes back to the queue, its lost try counted; unless a job of its key
        waits (new times saved meanwhile): that one does the work, and this one ends."""
        try:
            await app.job_manager.retry_job(job)
            log.warning("job %s of a stopped worker is put back", job.id)
        except UniqueViolation:
            await app.job_manager.finish_job(job, status=Status.ABORTED, delete_job=True)
            log.warning("job %s of a stopped worker ends: a job with its key waits", job.id)

    def _register_requeue(self, app: procrastinate.App, tasks: dict[str, Task]) -> None:
        async def requeue_stalled(timestamp: int) -> None:
            """Put back the jobs of workers that died; the next attempt gives up past the limit."""
            stalled = await app.job_manager.get_stalled_jobs(seconds_since_heartbeat=STALLED_AFTER_S)
            for job in stalled:
                if job.task_name not in tasks:
                    continue
                try:
                    await self._put_back(app, job)
                except ConnectorException:  # changed meanwhile (another worker's requeue): go on
                    log.warning("job %s of a stopped worker could not be put back", job.id, exc_info=True)

        registered = app.task(name=REQUEUE_STALLED)(requeue_stalled)
        app.periodic(cron="* * * * *", periodic_id=REQUEUE_STALLED)(registered)
