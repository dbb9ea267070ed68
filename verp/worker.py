"""``python -m verp worker``: the process that runs the app's background jobs, beside the web server.

It prepares clips, cuts moments and makes the pictures of freeze-frames (each in a child process with
limits), and runs the periodic jobs: the retention purge every hour, once per hour for the whole service
however many workers and instances run. ``start.sh`` starts one beside the app; a service runs as many
as it likes, on any machine that reaches the database and the clip volume.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import threading

from verp.core import queues, tasks
from verp.core.config import Settings, load_settings
from verp.core.store import Store
from verp.media import processing
from verp.records import admin
from verp.review import freeze_stills, moment_cuts

log = logging.getLogger(__name__)
PURGE = "retention_purge"
PURGE_EVERY_S = 3600


def purge_job(store: Store, job: tasks.Job) -> None:
    """Delete what is past its delete-by date (the purge itself belongs to ``verp.records``), and queue
    again anything still waiting without a job: a job lost between a save and its enqueue (the database
    went away in between) is found within the hour, not only when a worker starts. Each runs whatever
    the other does."""
    try:
        report = admin.purge(store)
        log.info(
            "retention purge: %d clip(s), %d workshop(s), %d attempt(s), %d audit row(s) deleted",
            len(report.clips),
            report.workshops,
            report.attempts,
            report.audit_rows,
        )
    finally:
        _requeue_unfinished(store)


def all_tasks(settings: Settings) -> list[tasks.Task]:
    """Everything a worker can run."""
    return [
        processing.prepare_task(settings),
        processing.strip_task(settings),
        moment_cuts.cut_task(settings),
        freeze_stills.still_task(settings),
        tasks.Task(PURGE, purge_job, max_attempts=1, every_s=PURGE_EVERY_S),
    ]


def run_worker(store: Store, concurrency: int | None = None, stop: threading.Event | None = None) -> None:
    """Work until ``stop`` is set, or until SIGINT/SIGTERM when run from the command line."""
    _requeue_unfinished(store)
    concurrency = concurrency or store.settings.worker_concurrency
    queues.queue_for(store).work(all_tasks(store.settings), concurrency, stop)


def _requeue_unfinished(store: Store) -> None:
    """Queue again what waits for a worker from before (an upgrade, a restore, a lost job): clips, cuts
    and pictures each on their own, so one that cannot be queued now keeps none of the others waiting."""
    for requeue in (
        processing.requeue_unfinished,
        moment_cuts.requeue_unfinished,
        freeze_stills.requeue_unfinished,
    ):
        try:
            requeue(store)
        except Exception:  # noqa: BLE001 - the next hour, or the next worker's start, tries again
            log.exception("could not queue again what waits without a job (%s)", requeue.__module__)


def run_pending(store: Store) -> None:
    """Run every job that is ready now, in this process, and return (tests; ``worker --once``)."""
    queues.queue_for(store).run_pending(all_tasks(store.settings))


def add_worker_command(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "worker", help="prepare clips, cut moments and run the hourly purge (start one or more)"
    )
    p.add_argument("--concurrency", type=int, help="jobs at once (default: VERP_WORKER_CONCURRENCY, 1)")
    p.add_argument("--once", action="store_true", help="run the jobs waiting now, then stop")
    p.set_defaults(func=_worker)


def _worker(args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s worker %(levelname)s %(message)s")
    os.environ.setdefault("MALLOC_ARENA_MAX", "2")  # media children: fewer reserved malloc arenas
    store = Store.open(load_settings())
    if args.once:
        _requeue_unfinished(store)
        run_pending(store)
        return 0
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    log.info("worker started (%s)", store.engine.dialect.name)
    run_worker(store, args.concurrency, stop)
    log.info("worker stopped")
    return 0
