import os
import time
from datetime import date

from sqlalchemy import func, select

from tests.support.trust import clip_with_consent
from verp.__main__ import main
from verp.core import audit
from verp.core.models import Clip, FreezeFrame, Moment
from verp.records import admin, retention

TODAY = date(2026, 3, 1)


def _count(store, model) -> int:
    with store.transaction() as s:
        return s.scalar(select(func.count()).select_from(model))


def test_clips_past_their_delete_by_date_go_with_moments_stills_and_files(store, teacher, tmp_path):
    expired = clip_with_consent(store, teacher.id, date(2026, 2, 28), tmp_path, "old")
    due_today = clip_with_consent(store, teacher.id, TODAY, tmp_path, "today")
    kept = clip_with_consent(store, teacher.id, date(2026, 3, 2), tmp_path, "kept")

    purged = retention.purge_expired(store, today=TODAY)

    assert {p.clip_id for p in purged} == {expired, due_today}
    with store.transaction() as s:
        assert set(s.scalars(select(Clip.id))) == {kept}
        assert set(s.scalars(select(Moment.clip_id))) == {kept}
    assert _count(store, FreezeFrame) == 1
    assert not store.clip_path(expired).exists() and not store.clip_path(due_today).exists()
    assert (store.clip_path(kept) / "stills" / "1_abc.jpg").exists()


def test_each_purge_is_in_the_audit_log(store, teacher, tmp_path):
    clip_id = clip_with_consent(store, teacher.id, date(2026, 1, 1), tmp_path)
    retention.purge_expired(store, today=TODAY)
    (event,) = audit.recent_events(store)
    assert (event.actor, event.action, event.subject) == ("retention", "purge", f"clip:{clip_id}")
    assert "2026-01-01" in event.detail


def test_the_start_purge_runs_once_per_process(store, teacher, tmp_path, monkeypatch):
    monkeypatch.setattr(retention, "_purged_this_process", set())
    clip_with_consent(store, teacher.id, date(2020, 1, 1), tmp_path, "a")
    assert len(retention.purge_at_start(store)) == 1
    clip_with_consent(store, teacher.id, date(2020, 1, 1), tmp_path, "b")
    assert retention.purge_at_start(store) == []
    assert len(admin.purge(store)) == 1  # the command does it again whenever it runs


def test_orphaned_clip_folders_are_removed_after_a_grace_period(store, teacher, tmp_path):
    kept = clip_with_consent(store, teacher.id, date(2099, 1, 1), tmp_path)
    old_orphan = store.clip_path("deadbeef")
    old_orphan.mkdir()
    (old_orphan / "original.mp4").write_bytes(b"half an upload")
    os.utime(old_orphan, (time.time() - 7200, time.time() - 7200))
    fresh_orphan = store.clip_path("in-progress")
    fresh_orphan.mkdir()

    assert retention.remove_orphan_folders(store) == ["deadbeef"]
    assert not old_orphan.exists() and fresh_orphan.exists() and store.clip_path(kept).exists()


def test_the_purge_command_reports_what_it_deleted(store, teacher, tmp_path, capsys):
    clip_id = clip_with_consent(store, teacher.id, date(2020, 1, 1), tmp_path)
    assert main(["admin", "purge"]) == 0  # python -m verp admin purge
    out = capsys.readouterr().out
    assert clip_id in out and "1 clip(s) deleted" in out
    assert _count(store, Clip) == 0


def test_half_written_copies_left_in_a_clip_folder_are_removed_once_stale(store, teacher, tmp_path):
    clip_id = clip_with_consent(store, teacher.id, date(2099, 1, 1), tmp_path)
    folder = store.clip_path(clip_id)
    stale, fresh = folder / ".playable.1a2b3c4d.part.mp4", folder / ".proxy.5e6f7a8b.part.mp4"
    for part in (stale, fresh):
        part.write_bytes(b"half a transcode")
    os.utime(stale, (time.time() - 7200, time.time() - 7200))
    assert retention.remove_stale_parts(store) == 1
    assert not stale.exists() and fresh.exists() and (folder / "original.mp4").exists()
