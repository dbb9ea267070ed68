"""Which queue serves a database, and handing it a job: procrastinate on PostgreSQL, the ``task`` table
otherwise. Kept apart from :mod:`verp.core.tasks` (the interface and the embedded queue) so that the
PostgreSQL back end, which builds on that interface, is imported by neither of them."""

from __future__ import annotations

from verp.core.store import Store
from verp.core.tasks import DatabaseQueue, TaskQueue


def queue_for(store: Store) -> TaskQueue:
    """The queue of this store's database: procrastinate on PostgreSQL, the ``task`` table otherwise."""
    if store.engine.dialect.name == "postgresql":
        from verp.core.pg_tasks import ProcrastinateQueue  # procrastinate only where it serves

        return ProcrastinateQueue.for_store(store)
    return DatabaseQueue(store)


def enqueue(
    store: Store,
    task: str,
    args: dict,
    key: str | None = None,
    started_counts: bool = True,
    quick: bool = False,
) -> None:
    """Hand a job to whichever worker is free. Returns at once. (``key``, ``quick``: see
    ``TaskQueue.enqueue``.)"""
    queue_for(store).enqueue(task, args, key=key, started_counts=started_counts, quick=quick)
