import json
import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import MetaData, select

from tests.support.database import SERVER_URL, test_database_url
from tests.support.trust import clip_with_consent
from verp.core import accounts
from verp.core.config import load_settings
from verp.core.models import Reflection, Workshop
from verp.core.store import Store, head_revision
from verp.records import admin
from verp.review import clips


def _rows(store: Store) -> dict[str, list[dict]]:
    meta = MetaData()
    with store.engine.connect() as c:
        meta.reflect(bind=c, only=lambda name, _: not name.startswith("procrastinate_"))  # the queue's own
        return {
            t.name: [
                {k: _utc(v) for k, v in r.items()}
                for r in c.execute(select(t).order_by(*t.primary_key.columns)).mappings()
            ]
            for t in meta.sorted_tables
            if t.name != "alembic_version"
        }


def _utc(value):
    """SQLite hands back naive UTC times, PostgreSQL aware ones: compare them as the same instant."""
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.fixture
def full_store(store, teacher, colleague, tmp_path):
    clip_with_consent(store, teacher.id, date(2099, 1, 1), tmp_path)
    with store.transaction() as s:
        workshop = Workshop(
            title="Spring", held_on=date(2026, 3, 1), facilitator_id=teacher.id, join_code="ABC"
        )
        s.add(workshop)
        s.flush()
        first = Reflection(workshop_id=workshop.id, text="She waited — and he spoke.")
        s.add(first)
        s.flush()
        s.add(Reflection(workshop_id=workshop.id, text="edited", supersedes_id=first.id))
    return store


def _fresh_settings(tmp_path: Path, name: str):
    """An empty data folder and database (SQLite, or a fresh PostgreSQL schema)."""
    url = test_database_url(tmp_path / name)
    return load_settings({"VERP_DATA_DIR": str(tmp_path / name), "VERP_DATABASE_URL": url})


def test_a_backup_restores_into_a_fresh_folder_with_the_same_rows_and_files(full_store, tmp_path):
    before_rows, before_files = _rows(full_store), _files(full_store.settings.clips_dir)
    manifest = admin.backup(full_store, tmp_path / "backup")
    assert manifest["schema_revision"] == head_revision()
    assert manifest["tables"]["reflection"] == 2 and len(manifest["files"]) == len(before_files)
    full_store.engine.dispose()

    target = _fresh_settings(tmp_path, "restored")
    admin.restore(target, tmp_path / "backup")
    restored = Store.open(target)

    assert _rows(restored) == before_rows
    assert _files(target.clips_dir) == before_files
    (clip,) = clips.list_clips(restored, 1)
    assert clip.original.read_bytes() == before_files[f"{clip.id}/original.mp4"]
    # new rows get fresh ids after the restored ones
    newcomer = accounts.create_person(restored, "Cleo New", "a long passphrase")
    assert newcomer.id > max(r["id"] for r in before_rows["person"])
    restored.engine.dispose()


def test_restore_refuses_a_folder_that_holds_data_unless_forced(full_store, tmp_path):
    admin.backup(full_store, tmp_path / "backup")
    accounts.create_person(full_store, "Dan Later", "a long passphrase")
    with pytest.raises(admin.AdminError, match="--force"):
        admin.restore(full_store.settings, tmp_path / "backup")
    full_store.engine.dispose()
    admin.restore(full_store.settings, tmp_path / "backup", force=True)
    names = [p.display_name for p in accounts.list_people(Store.open(full_store.settings))]
    assert names == ["Ana Teacher", "Ben Colleague"]


def test_a_damaged_backup_is_refused_before_anything_is_touched(full_store, tmp_path):
    manifest = admin.backup(full_store, tmp_path / "backup")
    some_file = next(iter(manifest["files"]))
    (tmp_path / "backup" / some_file).write_bytes(b"changed")
    target = _fresh_settings(tmp_path, "restored")
    with pytest.raises(admin.AdminError, match="damaged"):
        admin.restore(target, tmp_path / "backup")
    assert not target.clips_dir.exists()


def test_a_backup_never_overwrites_an_existing_folder(store, tmp_path):
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "notes.txt").write_text("mine")
    with pytest.raises(admin.AdminError, match="not empty"):
        admin.backup(store, tmp_path / "taken")
    assert (tmp_path / "taken" / "notes.txt").read_text() == "mine"


def test_backup_and_restore_commands_round_trip(full_store, tmp_path, monkeypatch, capsys):
    assert admin.run(["admin", "backup", str(tmp_path / "b")]) == 0
    assert "backup written" in capsys.readouterr().out
    assert json.loads((tmp_path / "b" / "manifest.json").read_text())["format"] == "verp-backup"
    assert admin.run(["admin", "restore", str(tmp_path / "b")]) == 2  # the data folder holds data
    assert "--force" in capsys.readouterr().err
    target = _fresh_settings(tmp_path, "elsewhere")
    monkeypatch.setenv("VERP_DATA_DIR", str(target.data_dir))
    monkeypatch.setenv("VERP_DATABASE_URL", target.database_url)
    full_store.engine.dispose()
    assert admin.run(["admin", "restore", str(tmp_path / "b")]) == 0
    assert "restored" in capsys.readouterr().out


def test_a_clip_deleted_while_the_backup_ran_is_not_restored(full_store, tmp_path):
    (clip,) = clips.list_clips(full_store, 1)
    shutil.rmtree(full_store.clip_path(clip.id))  # gone between the snapshot and the file copy
    manifest = admin.backup(full_store, tmp_path / "backup")
    assert manifest["missing_files"] == [clip.id]
    full_store.engine.dispose()
    target = _fresh_settings(tmp_path, "restored")
    admin.restore(target, tmp_path / "backup")
    restored = Store.open(target)
    assert clips.list_clips(restored, 1) == []
    assert _rows(restored)["moment"] == []  # its moments went with it
    restored.engine.dispose()


@pytest.mark.skipif(not SERVER_URL, reason="moving between databases needs VERP_TEST_DATABASE_URL")
def test_a_sqlite_backup_restores_into_postgresql_and_back(teacher, tmp_path):
    laptop = Store.open(
        load_settings(
            {
                "VERP_DATA_DIR": str(tmp_path / "laptop"),
                "VERP_DATABASE_URL": "sqlite:///" + str(tmp_path / "laptop.db"),
            }
        )
    )
    accounts.create_person(laptop, "Lia Laptop", "a long passphrase")
    clip_with_consent(laptop, 1, date(2099, 1, 1), tmp_path)
    before = _rows(laptop)
    admin.backup(laptop, tmp_path / "from-sqlite")

    server = _fresh_settings(tmp_path, "server")  # PostgreSQL, emptied
    admin.restore(server, tmp_path / "from-sqlite")
    on_server = Store.open(server)
    assert _rows(on_server) == before
    admin.backup(on_server, tmp_path / "from-postgresql")
    on_server.engine.dispose()

    back = load_settings(
        {
            "VERP_DATA_DIR": str(tmp_path / "back"),
            "VERP_DATABASE_URL": "sqlite:///" + str(tmp_path / "back.db"),
        }
    )
    admin.restore(back, tmp_path / "from-postgresql")
    assert _rows(Store.open(back)) == before
