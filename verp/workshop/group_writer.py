"""Group commit: many rows sent at the same moment are written in one transaction.

When a room of thirty sends at once, one commit per reflection makes everyone queue behind everyone
else (SQLite takes one writer at a time). Instead, whoever arrives while no write is running leads:
it writes every row waiting at that moment in one transaction, then hands the lead to the first row
that arrived meanwhile. No background thread; a sender returns once its own row is committed.

A writer may be given a ``refuse`` check, run in the same transaction right after the INSERT: rows it
refuses are taken back with the batch and written no more (their senders hear its reason), the others are
written again. Checked after the INSERT, which holds the write lock (SQLite) or the locks its foreign
keys take (PostgreSQL), so a check of the rows they point to sees what was committed before them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Table, insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from verp.core.store import Store

# Given the session and a batch's rows, the rows (by their place in the batch) that may not be written,
# each with the error its sender hears.
Refuse = Callable[[Session, list[dict]], dict[int, BaseException]]

MAX_BATCH = 500  # rows in one INSERT: SQLAlchemy sends up to 1000 as one statement, so a batch is whole


@dataclass
class _Job:
    values: dict
    lead: bool = False
    finished: bool = False
    row_id: int | None = None
    error: BaseException | None = None
    wake: threading.Event = field(default_factory=threading.Event)


class GroupWriter:
    """Inserts rows into one table, committing together the rows that arrive together."""

    def __init__(self, table: Table, refuse: Refuse | None = None) -> None:
        self._table = table
        self._refuse = refuse
        self._insert_batch = insert(table).returning(table.c.id, sort_by_parameter_order=True)
        self._lock = threading.Lock()
        self._queue: list[_Job] = []
        self._leading = False

    def insert(self, store: Store, values: dict) -> int:
        """Insert one row and return its id; raises what inserting it alone would raise."""
        job = _Job(values)
        with self._lock:
            self._queue.append(job)
            if not self._leading:
                self._leading = job.lead = True
        while not job.finished:
            if job.lead:
                self._lead(store)
            else:
                job.wake.wait()
        if job.error is not None:
            raise job.error
        assert job.row_id is not None  # a finished job without an error has its row
        return job.row_id

    def _lead(self, store: Store) -> None:
        with self._lock:
            batch, self._queue = self._queue[:MAX_BATCH], self._queue[MAX_BATCH:]
        try:
            self._write(store, batch)
        finally:
            for job in batch:
                job.finished = True
                job.wake.set()
            with self._lock:
                if self._queue:
                    self._queue[0].lead = True
                    self._queue[0].wake.set()
                else:
                    self._leading = False

    def _write(self, store: Store, batch: list[_Job]) -> None:
        try:
            with self._unit(store) as s:  # one INSERT for the batch: whole or nothing
                ids = s.execute(self._insert_batch, [job.values for job in batch]).scalars().all()
                self._check(s, batch)
            for job, row_id in zip(batch, ids, strict=True):
                job.row_id = row_id
        except _Refused:
            if rest := [job for job in batch if job.error is None]:
                self._write(store, rest)
        except IntegrityError:
            self._write_one_by_one(store, batch)  # a resend in the batch: keep all the others
        except Exception as exc:  # noqa: BLE001 - every sender hears about it
            for job in batch:
                job.error = exc

    def _unit(self, store: Store):
        """A checked INSERT and its check commit together; an unchecked one commits on its own."""
        return store.one_statement() if self._refuse is None else store.transaction()

    def _check(self, s: Session, batch: list[_Job]) -> None:
        """Give refused rows their error, and take the batch back if there are any."""
        if self._refuse is None:
            return
        refused = self._refuse(s, [job.values for job in batch])
        for place, error in refused.items():
            batch[place].error = error
        if refused:
            raise _Refused

    def _write_one_by_one(self, store: Store, batch: list[_Job]) -> None:
        statement = insert(self._table).returning(self._table.c.id)
        for job in batch:
            try:
                with store.transaction() as s:
                    row_id = s.execute(statement, job.values).scalar_one()
                    self._check(s, [job])
                job.row_id = row_id
            except _Refused:
                pass  # its error is set
            except Exception as exc:  # noqa: BLE001 - this sender hears about it
                job.error = exc


class _Refused(Exception):
    """Rows of a batch were refused: the batch's transaction is rolled back."""


_writers_lock = threading.Lock()


def writer_for(store: Store, table: Table, refuse: Refuse | None = None) -> GroupWriter:
    """The group writer of ``table`` in ``store`` (one each, made on first use), checking with ``refuse``
    if given."""
    with _writers_lock:
        writers = store.__dict__.setdefault("_group_writers", {})
        if table.name not in writers:
            writers[table.name] = GroupWriter(table, refuse)
        if refuse is not None:  # a writer made first without it (or before a reload) gets it now
            writers[table.name]._refuse = refuse
        return writers[table.name]
