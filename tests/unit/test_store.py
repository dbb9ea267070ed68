import io
import os
import time

import pytest
from sqlalchemy import inspect, select, text

from verp.core.models import Base, Person
from verp.core.store import FileTooLarge, Store, head_revision, make_engine, migrate, schema_revision


def test_fresh_store_is_at_the_newest_schema(store: Store):
    assert schema_revision(store.engine) == head_revision()
    tables = set(inspect(store.engine).get_table_names())
    assert set(Base.metadata.tables) <= tables


def test_sqlite_store_uses_write_ahead_logging_and_foreign_keys(store: Store):
    """On SQLite, readers (projector, phones) must not wait for a writer; PostgreSQL does this itself."""
    with store.engine.connect() as connection:
        if store.engine.dialect.name == "sqlite":
            assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        else:
            assert store.engine.dialect.name == "postgresql"
            assert connection.execute(text("SHOW transaction_isolation")).scalar() == "read committed"


def test_a_failed_unit_of_work_stores_nothing(store: Store):
    with pytest.raises(RuntimeError), store.transaction() as s:
        s.add(Person(display_name="Half", name_key="half"))
        s.flush()
        raise RuntimeError("interrupted")
    with store.transaction() as s:
        assert s.scalar(select(Person).where(Person.name_key == "half")) is None


def test_reopening_keeps_the_data(store: Store, teacher):
    again = Store.open(store.settings)
    with again.transaction() as s:
        assert s.scalar(select(Person.display_name)) == "Ana Teacher"


def test_each_migration_upgrades_a_database_made_by_the_one_before(tmp_path):
    """A database made by an older version opens with a newer one and keeps its rows."""
    from alembic.script import ScriptDirectory

    from verp.core.store import alembic_config

    revisions = [r.revision for r in ScriptDirectory.from_config(alembic_config()).walk_revisions()]
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    migrate(engine, revisions[-1])  # the oldest
    with engine.begin() as c:
        c.execute(
            text(
                "INSERT INTO person (display_name, name_key, is_facilitator, created_at) "
                "VALUES ('Old', 'old', 0, '2026-01-01 00:00:00')"
            )
        )
    migrate(engine)
    assert schema_revision(engine) == head_revision()
    with engine.connect() as c:
        assert c.execute(text("SELECT display_name FROM person")).scalar() == "Old"


def test_the_models_match_the_migrated_schema(store: Store):
    """Models and migrations must not drift apart: autogenerate finds nothing to do."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    with store.engine.connect() as connection:
        ours = {
            "include_name": lambda name, type_, _: type_ != "table" or not name.startswith("procrastinate_")
        }
        diff = compare_metadata(MigrationContext.configure(connection, opts=ours), Base.metadata)
    assert diff == []


def test_files_are_written_whole_or_not_at_all(store: Store):
    store.write_file("abc/original.mp4", io.BytesIO(b"x" * 1000))
    assert store.clip_path("abc/original.mp4").read_bytes() == b"x" * 1000
    with pytest.raises(FileTooLarge):
        store.write_file("abc/big.mp4", io.BytesIO(b"x" * 1000), limit=10)
    assert not store.clip_path("abc/big.mp4").exists()
    assert list(store.settings.tmp_dir.iterdir()) == []


def test_stored_names_cannot_leave_the_clips_folder(store: Store):
    sibling = f"../{store.clips_root.name}-next/original.mp4"  # a folder beside it, whose name starts alike
    for name in ("../verp.db", "/etc/passwd", "a/../../x", "", ".", "a/..", sibling):
        with pytest.raises(ValueError):
            store.clip_path(name)
    assert store.clip_path("abc/./original.mp4") == store.clips_root / "abc" / "original.mp4"


def test_leftover_temporary_files_are_cleaned_at_start(store: Store):
    (store.settings.tmp_dir / "upload.part").write_bytes(b"half")
    Store.open(store.settings)
    assert list(store.settings.tmp_dir.iterdir()) == []


def test_a_reading_unit_of_work_sees_committed_rows(store: Store, teacher):
    with store.reading() as s:
        assert s.get(Person, teacher.id).display_name == "Ana Teacher"


def test_a_pooled_connection_is_pinged_only_after_sitting_idle():
    from types import SimpleNamespace

    from sqlalchemy.exc import DisconnectionError

    from verp.core.store import IDLE_PING_S, _ping_if_idle

    pings = []

    def do_ping(connection):
        pings.append(connection)
        raise OSError("server closed the connection")

    check = _ping_if_idle(SimpleNamespace(dialect=SimpleNamespace(do_ping=do_ping)))
    busy = SimpleNamespace(info={"last_used": time.monotonic()})
    check("busy connection", busy, None)
    assert pings == []
    idle = SimpleNamespace(info={"last_used": time.monotonic() - IDLE_PING_S - 1})
    with pytest.raises(DisconnectionError):
        check("idle connection", idle, None)
    assert pings == ["idle connection"]


def test_the_data_folder_and_a_backup_are_readable_by_the_apps_user_alone(tmp_path):
    """Clips of children, the database and the signing key live there: no other account on the server
    reads them, whatever the umask; a data folder left open to everyone by an older version is closed
    to them (its group, which a deployment may use, is kept)."""
    import stat

    from verp.core.config import load_settings
    from verp.records import admin

    old_umask = os.umask(0o022)
    try:
        fresh = load_settings({"VERP_DATA_DIR": str(tmp_path / "fresh")})
        store = Store.open(fresh)
        for folder in (fresh.data_dir, fresh.clips_dir, fresh.tmp_dir):
            assert stat.S_IMODE(folder.stat().st_mode) & 0o077 == 0, folder
        admin.backup(store, tmp_path / "backup")
        assert stat.S_IMODE((tmp_path / "backup").stat().st_mode) & 0o077 == 0
        store.engine.dispose()
        older = tmp_path / "older"
        older.mkdir(mode=0o775)
        os.chmod(older, 0o775)
        Store.open(load_settings({"VERP_DATA_DIR": str(older)})).engine.dispose()
        assert stat.S_IMODE(older.stat().st_mode) == 0o770
    finally:
        os.umask(old_umask)
