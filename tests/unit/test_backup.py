import hashlib
import io
import json
import os
import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import MetaData, select

from tests.support.database import SERVER_URL, test_database_url
from tests.support.trust import clip_with_consent
from tests.support.workshop import make_workshop, share_moment
from verp.core import accounts, sessions
from verp.core.config import load_settings
from verp.core.models import Moment, Reflection, Share, Workshop
from verp.core.store import Store, head_revision
from verp.records import admin
from verp.review import clips, sharing
from verp.room.shown import shown_moments


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


def _plant(backup: Path, rel: str, payload: bytes) -> None:
    """A file added to a backup with a checksum that matches: a backup made, or changed, by someone else."""
    manifest = json.loads((backup / "manifest.json").read_text())
    manifest["files"][rel] = {"size": len(payload), "sha256": hashlib.sha256(payload).hexdigest()}
    (backup / rel).parent.mkdir(parents=True, exist_ok=True)
    (backup / rel).write_bytes(payload)
    (backup / "manifest.json").write_text(json.dumps(manifest))


@pytest.mark.parametrize("rel", ["secret.key", "clips/../../escaped.txt", "tmp/uploads/x.json", "clips/x"])
def test_a_backup_that_names_a_file_outside_a_clip_folder_is_refused_before_anything_is_touched(
    full_store, tmp_path, rel
):
    """A known signing key planted in the data folder would let anyone forge links; a file written
    beside it could replace anything the app's user may write."""
    backup = tmp_path / "backups" / "monday"  # so that ../.. from it is not ../.. from the data folder
    admin.backup(full_store, backup)
    _plant(backup, rel, b"chosen by someone else")
    before = _rows(full_store)
    full_store.engine.dispose()
    with pytest.raises(admin.AdminError, match="damaged"):
        admin.restore(full_store.settings, backup, force=True)
    target = Path(os.path.normpath(full_store.settings.data_dir / rel))
    assert not target.is_file() or target.read_bytes() != b"chosen by someone else"
    assert _rows(Store.open(full_store.settings)) == before  # the live data untouched


def test_a_damaged_table_is_refused_before_a_forced_restore_wipes_anything(full_store, tmp_path):
    admin.backup(full_store, tmp_path / "backup")
    people = tmp_path / "backup" / "tables" / "person.jsonl"
    people.write_text(people.read_text()[:-20])  # copied half-way
    before = _rows(full_store)
    full_store.engine.dispose()
    with pytest.raises(admin.AdminError, match="damaged"):
        admin.restore(full_store.settings, tmp_path / "backup", force=True)
    assert _rows(Store.open(full_store.settings)) == before


def test_a_restore_signs_every_browser_out(full_store, tmp_path, teacher):
    """A browser signed out since the backup (a lost laptop: "Sign out everywhere") must not be signed
    in again by it: every session the backup holds comes back ended."""
    token = sessions.issue_token(full_store, teacher.id)
    admin.backup(full_store, tmp_path / "backup")
    sessions.end_all_sessions(full_store, teacher.id)
    full_store.engine.dispose()
    admin.restore(full_store.settings, tmp_path / "backup", force=True)
    assert sessions.person_for_token(Store.open(full_store.settings), token) is None


def test_a_restore_can_end_every_share_so_owners_choose_again(full_store, tmp_path, teacher, colleague):
    """A backup older than someone's withdrawal brings their moment back to the room; ``--end-shares``
    ends every share it holds, and each owner shares again what they still want shown."""
    w = make_workshop(full_store, teacher.id)
    share_id, moment_id = share_moment(full_store, colleague.id, w.id, "Circle time")
    with full_store.transaction() as s:  # its clip's file, so the backup holds the clip
        full_store.write_file(f"{s.get(Moment, moment_id).clip_id}/original.mp4", io.BytesIO(b"video"))
    admin.backup(full_store, tmp_path / "backup")
    sharing.withdraw_share(full_store, colleague.id, share_id)  # after the backup
    full_store.engine.dispose()
    assert admin.run(["admin", "restore", str(tmp_path / "backup"), "--force", "--end-shares"]) == 0
    restored = Store.open(full_store.settings)
    assert shown_moments(restored, w.id) == []
    with restored.transaction() as s:
        assert s.get(Share, share_id).withdrawn_at is not None
