"""Where everything is kept: one SQLAlchemy engine, units of work, and schema migrations.

SQLite in WAL mode by default; PostgreSQL when ``VERP_DATABASE_URL`` says so. The database is the truth
for every workshop, so any number of app instances can serve the same service.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import socket
import stat
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, Executable, Row, create_engine, event, text
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker

from verp.core import changes
from verp.core.config import Settings
from verp.core.errors import VerpError

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
COPY_CHUNK = 8 << 20
STALE_TEMP_S = 3600
_PROCESS_TOKEN = uuid.uuid4().hex[:8]


def _on_sqlite_connect(dbapi_connection, _record) -> None:
    """WAL lets readers (the projector, phones) carry on while one writer commits."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


POOL_SIZE = 30  # connections to PostgreSQL per instance, at most


def private_folder(folder: Path) -> None:
    """Make ``folder`` (and its parents) if needed, readable by the app's user alone: clips of children,
    the database and the signing key live under it. A folder made open to everyone (by an older version,
    or by hand) is closed to them; its group, which a deployment may use, is kept."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    mode = stat.S_IMODE(folder.stat().st_mode)
    if mode & 0o007:
        with contextlib.suppress(PermissionError):  # not ours to change: its owner decides
            os.chmod(folder, mode & ~0o007)


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite gets WAL, foreign keys and a generous busy timeout."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 10})
        event.listen(engine, "connect", _on_sqlite_connect)
        return engine
    # Up to 30 connections, all kept open: a room of thirty sending at once reuses them instead of
    # opening (and closing) a new server connection for each send beyond the first ten.
    engine = create_engine(url, pool_size=POOL_SIZE, max_overflow=0)
    event.listen(engine, "connect", _stamp)
    event.listen(engine, "checkin", _stamp)
    event.listen(engine, "checkout", _ping_if_idle(engine))
    return engine


IDLE_PING_S = 20.0  # a pooled connection unused this long is pinged before use


def _stamp(_dbapi_connection, record) -> None:
    record.info["last_used"] = time.monotonic()


def _ping_if_idle(engine: Engine):
    """Check a connection that sat in the pool for a while (the server may have restarted or dropped
    it) before handing it out. Pinging on every checkout (``pool_pre_ping``) costs one round trip per
    unit of work; a room of thirty phones sending at once does many units of work a second."""

    def check(dbapi_connection, record, _proxy) -> None:
        if time.monotonic() - record.info.get("last_used", 0.0) < IDLE_PING_S:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:  # noqa: BLE001 - any failure means: drop it, connect afresh
            raise DisconnectionError("a pooled connection was dropped by the server") from exc

    return check


def alembic_config(connection=None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["connection"] = connection
    return cfg


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema up to ``revision``. Migrations only add; an upgrade never drops data.

    The app and its worker (or several instances) start together: one migrates at a time, the others
    then find nothing to do.
    """
    with _one_at_a_time(engine), engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            _foreign_keys_off(connection)
        try:
            with connection.begin():
                if sqlite:  # the driver opens a transaction only at the first write: a table's
                    connection.exec_driver_sql("BEGIN")  # rebuild would be half kept if cut off
                else:
                    connection.execute(text("SELECT pg_advisory_xact_lock(2026112501)"))
                command.upgrade(alembic_config(connection), revision)
        finally:
            if sqlite:
                connection.invalidate()  # never back to the pool: its foreign keys are off


def _foreign_keys_off(connection) -> None:
    """SQLite alters a table by copying it and dropping the old one; with foreign keys on, dropping a
    table deletes (ON DELETE CASCADE) the rows of every table naming it. Off for the whole upgrade of
    this one connection, which the pool then forgets. SQLite only takes this outside a transaction."""
    connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
    connection.commit()
    if connection.exec_driver_sql("PRAGMA foreign_keys").scalar() != 0:
        raise RuntimeError("could not turn SQLite's foreign keys off to upgrade the schema")
    connection.commit()


@contextmanager
def _one_at_a_time(engine: Engine) -> Iterator[None]:
    """On SQLite, a lock file named after the database (PostgreSQL has an advisory lock instead).

    It lives in the machine's temporary folder, not the data folder: a SQLite database has only one
    machine's processes to keep apart, and the data folder holds nothing but the service's data.
    """
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    if not database or database == ":memory:":
        yield
        return
    name = hashlib.sha256(str(Path(database).resolve()).encode()).hexdigest()[:16]
    with open(Path(tempfile.gettempdir()) / f"verp-migrate-{name}.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def schema_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None  # the schema always has migrations
    return head


WROTE = "verp.wrote"  # set in a session's info once it flushes or executes a change


def _note_write(session: Session, _flush_context: object) -> None:
    """After a flush that changed rows (SQLAlchemy calls this only then)."""
    session.info[WROTE] = True


def _note_statement_write(state: ORMExecuteState) -> None:
    """An UPDATE, INSERT or DELETE statement run through the session (not a flush)."""
    if state.is_update or state.is_insert or state.is_delete:
        state.session.info[WROTE] = True


@dataclass
class Store:
    """The database and the data folder of one running app (or one test)."""

    settings: Settings
    engine: Engine

    def __post_init__(self) -> None:
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        event.listen(self._sessions, "after_flush", _note_write)
        event.listen(self._sessions, "do_orm_execute", _note_statement_write)
        autocommit = self.engine.execution_options(isolation_level="AUTOCOMMIT")
        self._single_statements = sessionmaker(autocommit, expire_on_commit=False)
        # Plain reads: PostgreSQL in autocommit (no BEGIN and ROLLBACK round trips around them); SQLite's
        # driver opens no transaction for a read by itself, and switching a connection to autocommit
        # and back cost a statement each time.
        self._plain_reads = self.engine if self.engine.dialect.name == "sqlite" else autocommit
        self._read_sessions = sessionmaker(self._plain_reads, expire_on_commit=False)
        self.clips_root = self.settings.clips_dir.resolve()  # asked for every file a page shows
        self._clips_prefix = os.path.join(self.clips_root, "")  # the root as text, with its separator

    @classmethod
    def open(cls, settings: Settings) -> Store:
        """Open (and create or upgrade) the store described by ``settings``."""
        for folder in (settings.data_dir, settings.clips_dir, settings.tmp_dir):
            private_folder(folder)
        engine = make_engine(settings.database_url)
        migrate(engine)
        store = cls(settings, engine)
        store.clean_temporary_files()
        return store

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: everything inside commits together or not at all."""
        with self._sessions.begin() as session:
            yield session
        if session.info.get(WROTE):
            changes.committed()  # a screen of the room waiting on this server hears of it at once

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A unit of work that only reads, each statement on its own (autocommit on PostgreSQL, which
        saves the BEGIN and COMMIT round trips around a single quick query). Never write in it: on
        SQLite a write here would be rolled back."""
        with self._read_sessions() as session:
            yield session

    @contextmanager
    def reading_connection(self) -> Iterator[Connection]:
        """A connection of its own (as for :meth:`reading`) for Core statements that read, with no ORM
        session around them: for reads every run of a page makes, where the session's bookkeeping cost
        more than the queries. Never write through it."""
        with self._plain_reads.connect() as connection:
            yield connection

    def first_row(self, statement: Executable, params: dict[str, object]) -> Row | None:
        """The first row of one reading Core statement (see :meth:`reading_connection`)."""
        with self.reading_connection() as connection:
            return connection.execute(statement, params).first()

    @contextmanager
    def one_statement(self) -> Iterator[Session]:
        """A unit of work of a single writing statement, which commits on its own (autocommit): on
        PostgreSQL one round trip instead of three (BEGIN, the statement, COMMIT). Only for one
        statement, such as one multi-row INSERT, that is whole by itself."""
        with self._single_statements() as session:
            yield session
        changes.committed()

    def clip_path(self, name: str) -> Path:
        """The path of a stored file such as ``<clip id>/original.mp4``.

        Names are generated by the app, never taken from a user; this check is a second line of defence.
        """
        # Normalised and checked as text, not resolved on disk: a page asks for dozens of these each run
        # (a path's own checks cost twice as much), and the folder holds nothing but what the app itself
        # wrote there (no links out of it).
        path = os.path.normpath(os.path.join(self._clips_prefix, name))
        if not path.startswith(self._clips_prefix):  # the root itself, or anywhere outside it
            raise ValueError(f"not a stored file name: {name!r}")
        return Path(path)

    def write_file(self, name: str, source: BinaryIO, limit: int | None = None) -> int:
        """Copy ``source`` to the stored file ``name`` in chunks, atomically; return bytes written.

        The copy goes to a temporary file first and is renamed into place only when complete, so a crash
        never leaves a half-written clip under a real name. Raises ``FileTooLarge`` past ``limit``.
        """
        final = self.clip_path(name)
        final.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.settings.tmp_dir, prefix=_temp_prefix(), suffix=".part")
        written = 0
        try:
            with os.fdopen(fd, "wb") as out:
                while chunk := source.read(COPY_CHUNK):
                    written += len(chunk)
                    if limit is not None and written > limit:
                        raise FileTooLarge(limit)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, final)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return written

    def temporary_path(self, suffix: str = "") -> Path:
        """A fresh path in the data folder's tmp area (same filesystem, so a rename is atomic)."""
        fd, tmp = tempfile.mkstemp(dir=self.settings.tmp_dir, prefix=_temp_prefix(), suffix=suffix)
        os.close(fd)
        return Path(tmp)

    def clean_temporary_files(self) -> int:
        """Remove what an interrupted write left behind. Run at start, before this process writes.

        Several instances may share the data folder, so only leftovers that cannot be in use go: those of
        processes on this machine that are no longer running, and those of other machines untouched for
        ``STALE_TEMP_S`` (a live write touches its file every few seconds).
        """
        removed = 0
        now = time.time()
        for leftover in self.settings.tmp_dir.glob("*"):
            if leftover.is_file() and _abandoned(leftover.name, now - leftover.stat().st_mtime):
                leftover.unlink(missing_ok=True)
                removed += 1
        return removed


def _temp_prefix() -> str:
    """Temporary files carry the writer's process and machine, so a starting instance knows whose they are."""
    return f"p{os.getpid()}-{_PROCESS_TOKEN}@{socket.gethostname()}@"


def _abandoned(name: str, age_s: float) -> bool:
    writer, _, rest = name.partition("@")
    host, _, _ = rest.partition("@")
    pid, _, token = writer[1:].partition("-")
    if not (writer.startswith("p") and pid.isdigit() and host):
        return True  # not named by this version of the app
    if token == _PROCESS_TOKEN:
        return False  # this very process: a write may be under way
    if host != socket.gethostname():
        return age_s > STALE_TEMP_S
    # Same pid, other token: an earlier life of this process id (a restarted container, say).
    return int(pid) == os.getpid() or not _running(int(pid)) or age_s > 24 * 3600


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class FileTooLarge(VerpError):
    def __init__(self, limit: int) -> None:
        super().__init__(f"The file is larger than the {limit // (1024 * 1024)} MB limit.")
        self.limit = limit
