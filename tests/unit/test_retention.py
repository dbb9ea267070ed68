import dataclasses
import os
import time
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select, text, update

from tests.support.database import test_database_url
from tests.support.media import make_clip
from tests.support.review import add_consent, cut_moment
from tests.support.trust import clip_with_consent
from tests.support.upload import half_upload
from tests.support.workshop import make_workshop, share_moment
from verp.__main__ import main
from verp.core import audit
from verp.core.models import Clip, Consent, FreezeFrame, Moment, today
from verp.core.store import Store, make_engine, migrate
from verp.records import admin, retention
from verp.review import clips, consent, uploads
from verp.room.shown import shown_moments

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
    assert len(admin.purge(store).clips) == 1  # the command does it again whenever it runs


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
    cut = folder / "moments" / ".7_0a1b2c3d4e.5e6f7a8b.part.mp4"  # a moment's cut, its worker killed
    cut.parent.mkdir()
    cut.write_bytes(b"half a cut")
    still = folder / "stills" / ".7_3_0a1b2c3d4e.5e6f7a8b.part.jpg"  # a freeze-frame's picture, likewise
    still.parent.mkdir(exist_ok=True)
    still.write_bytes(b"half a picture")
    for old in (stale, cut, still):
        os.utime(old, (time.time() - 7200, time.time() - 7200))
    assert retention.remove_stale_parts(store) == 3
    assert not stale.exists() and not cut.exists() and not still.exists()
    assert fresh.exists() and (folder / "original.mp4").exists()


# ---------------------------------------------------------------- every clip has a delete-by date


def _upload(store, owner_id, tmp_path, how="upload", name="lesson.mp4"):
    with open(make_clip(tmp_path / f"src-{name}", seconds=2, fps=10, audio=False), "rb") as f:
        return clips.add_clip(store, owner_id, name, f, how=how)


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 9, 0, tzinfo=UTC)


def test_a_clip_uploaded_and_never_shared_is_gone_with_its_folder_the_day_after_its_delete_by_date(
    store, teacher, tmp_path
):
    clip = _upload(store, teacher.id, tmp_path)
    moment = cut_moment(store, teacher.id, clip.id, "Waiting", 0.2, 1.2)
    folder = store.clip_path(clip.id)
    assert clip.delete_by == today() + timedelta(days=60)
    assert moment.cut is not None and moment.cut.is_file()

    assert retention.purge(store, now=_at(clip.delete_by - timedelta(days=1))).clips == []
    assert folder.is_dir()

    report = retention.purge(store, now=_at(clip.delete_by + timedelta(days=1)))
    assert [p.clip_id for p in report.clips] == [clip.id]
    assert not folder.exists()
    assert _count(store, Clip) == 0 and _count(store, Moment) == 0


def test_a_new_clip_is_given_the_services_retention_period_whether_uploaded_or_recorded(
    store, teacher, tmp_path
):
    short = Store.open(dataclasses.replace(store.settings, retention_days=10))
    uploaded = _upload(short, teacher.id, tmp_path)
    recorded = _upload(short, teacher.id, tmp_path, how="capture", name="take.mp4")
    assert uploaded.delete_by == recorded.delete_by == today() + timedelta(days=10)
    assert clips.deletion_countdown(uploaded.delete_by) == (
        f"Deleted for good in 10 days, on {uploaded.delete_by.day} {uploaded.delete_by:%b %Y}."
    )


def test_the_countdown_says_tomorrow_and_past_plainly():
    day = date(2027, 1, 14)
    twelve_days = "Deleted for good in 12 days, on 14 Jan 2027."
    assert clips.deletion_countdown(day, on=date(2027, 1, 2)) == twelve_days
    assert clips.deletion_countdown(day, on=date(2027, 1, 13)) == "Deleted for good tomorrow, 14 Jan 2027."
    assert "being deleted" in clips.deletion_countdown(day, on=day)


def test_consent_moves_the_clips_delete_by_date_but_not_beyond_the_services_limit(store, teacher, tmp_path):
    clip = _upload(store, teacher.id, tmp_path)
    add_consent(store, teacher.id, clip.id)
    later = today() + timedelta(days=200)
    consent.set_delete_by(store, teacher.id, clip.id, later)
    assert clips.get_clip(store, teacher.id, clip.id).delete_by == later
    with pytest.raises(consent.ConsentError, match="at most 365 days"):
        consent.set_delete_by(store, teacher.id, clip.id, today() + timedelta(days=366))
    assert clips.get_clip(store, teacher.id, clip.id).delete_by == later
    sooner = today() + timedelta(days=3)
    consent.set_delete_by(store, teacher.id, clip.id, sooner)
    assert retention.purge(store, now=_at(sooner)).clips[0].clip_id == clip.id


def test_a_clip_past_its_delete_by_date_cannot_be_kept_longer_and_come_back(store, teacher, colleague):
    """Between the date passing and the next purge the clip is already gone from every view; moving
    its date on then would bring its moment back to the room, with what the room said about it."""
    w = make_workshop(store, teacher.id)
    _, moment_id = share_moment(store, colleague.id, w.id, "Circle time")
    with store.transaction() as s:
        clip_id = s.get(Moment, moment_id).clip_id
    add_consent(store, colleague.id, clip_id)
    with store.transaction() as s:  # the date passes; the hourly purge has not run yet
        s.get(Clip, clip_id).delete_by = today()
        s.execute(update(Consent).where(Consent.clip_id == clip_id).values(delete_by=today()))
    assert shown_moments(store, w.id) == []
    later = today() + timedelta(days=30)
    with pytest.raises(consent.ConsentError, match="reached its delete-by date"):
        consent.set_delete_by(store, colleague.id, clip_id, later)
    with pytest.raises(consent.ConsentError, match="reached its delete-by date"):
        add_consent(store, colleague.id, clip_id, delete_by=later)
    assert shown_moments(store, w.id) == []
    assert [p.clip_id for p in retention.purge(store).clips] == [clip_id]


def test_an_upload_given_up_half_way_is_gone_after_the_next_purge(store, teacher):
    """A half-sent file is footage too: it goes with the purge a day after its last byte arrived,
    whether or not anyone starts another upload."""
    part = half_upload(store, teacher.id)
    assert retention.purge(store).stale_uploads == 0 and part.is_file()  # still being sent, perhaps
    day_ago = time.time() - uploads.STALE_S - 60
    for path in (part, part.with_suffix(".json")):
        os.utime(path, (day_ago, day_ago))
    assert retention.purge(store).stale_uploads == 2
    assert not part.exists() and not part.with_suffix(".json").exists()


def test_the_upgrade_gives_existing_clips_their_consent_date_or_the_default_after_they_were_added(tmp_path):
    (tmp_path / "old").mkdir()
    engine = make_engine(test_database_url(tmp_path / "old"))  # SQLite, or PostgreSQL when asked
    migrate(engine, "0003_clip_worker_lease")
    days_ago = {"recent": 5, "old": 400, "consented": 0}
    added = {clip_id: today() - timedelta(days=n) for clip_id, n in days_ago.items()}
    with engine.begin() as c:
        c.execute(
            text(
                "INSERT INTO person (id, display_name, name_key, is_facilitator, created_at) "
                "VALUES (1, 'Old', 'old', false, '2026-01-01 00:00:00')"
            )
        )
        for clip_id, day in added.items():
            c.execute(
                text(
                    "INSERT INTO clip (id, owner_id, title, original_filename, stored_name, status, "
                    "status_detail, source, duration_s, width, height, size_bytes, video_codec, created_at) "
                    "VALUES (:id, 1, 't', 't.mp4', :id, 'ready', '', 'upload', 1, 2, 2, 3, 'h264', :at)"
                ),
                {"id": clip_id, "at": f"{day.isoformat()} 10:00:00"},
            )
        c.execute(
            text(
                "INSERT INTO consent (clip_id, filmed_group, basis, recorded_by, consent_date, scope, "
                "stills_in_exports, delete_by, created_at) VALUES ('consented', 'Y3', 'no_identifiable', "
                "'Me', :d, 'workshop_only', false, :by, '2026-01-01 00:00:00')"
            ),
            {"d": today().isoformat(), "by": date(2027, 3, 4).isoformat()},
        )
        c.execute(
            text(
                "INSERT INTO moment (clip_id, title, start_s, end_s, note, share_note, created_at) "
                "VALUES ('old', 'Waiting', 0, 1, '', false, '2026-01-01 00:00:00')"
            )
        )
    migrate(engine)
    with engine.connect() as c:
        got = {k: str(v) for k, v in c.execute(text("SELECT id, delete_by FROM clip")).all()}
        kept = c.execute(text("SELECT basis, children_agreement FROM consent")).one()
        assert c.execute(text("SELECT title FROM moment")).scalar() == "Waiting"  # nothing cascaded away
    engine.dispose()
    assert date.fromisoformat(got["recent"]) == added["recent"] + timedelta(days=60)
    assert date.fromisoformat(got["old"]) == today() + timedelta(days=14)  # warned before it goes
    assert date.fromisoformat(got["consented"]) == date(2027, 3, 4)
    assert tuple(kept) == ("no_identifiable", None)  # kept as recorded, read as needing review


# ---------------------------------------------------------------- what is derived from a workshop


def _old_workshop(store, facilitator_id, held_on, closed_at=None, code="OLDW23"):
    from verp.core.models import NextStep, Participant, Reflection, Workshop

    with store.transaction() as s:
        w = Workshop(title="Autumn", held_on=held_on, facilitator_id=facilitator_id, join_code=code)
        if closed_at:
            w.status, w.closed_at = "closed", closed_at
        s.add(w)
        s.flush()
        p = Participant(workshop_id=w.id, display_name="Cy", token=code)
        s.add(p)
        s.flush()
        s.add(Reflection(workshop_id=w.id, participant_id=p.id, author_name="Cy", text="warm voice"))
        s.add(NextStep(workshop_id=w.id, person_id=facilitator_id, participant_name="Cy", text="wait"))
        return w.id


def test_a_workshops_records_go_with_it_after_the_records_period_from_its_close(store, teacher):
    from verp.core.models import NextStep, Participant, Reflection, Workshop

    closed = datetime(2025, 3, 1, 16, tzinfo=UTC)
    gone = _old_workshop(store, teacher.id, date(2025, 2, 1), closed_at=closed)
    never_closed = _old_workshop(store, teacher.id, date(2025, 3, 10), code="OPEN23")
    day_before = closed + timedelta(days=364)
    assert retention.purge(store, now=day_before).workshops == 0
    assert _count(store, Reflection) == 2

    report = retention.purge(store, now=closed + timedelta(days=365))
    assert report.workshops == 1
    with store.transaction() as s:
        assert list(s.scalars(select(Workshop.id))) == [never_closed]
        for model in (Participant, Reflection, NextStep):
            assert set(s.scalars(select(model.workshop_id))) == {never_closed}
    assert gone != never_closed


def test_join_attempts_are_forgotten_after_a_day_and_old_audit_rows_after_the_audit_period(store):
    from verp.core.models import Attempt, AuditEvent

    now = datetime(2026, 6, 1, 12, tzinfo=UTC)
    with store.transaction() as s:
        s.add(Attempt(kind="join", key="10.0.0.7|Sam", at=now - timedelta(hours=25)))
        s.add(Attempt(kind="join", key="10.0.0.8|Kim", at=now - timedelta(hours=2)))
        s.add(AuditEvent(actor="person:1", action="share", subject="moment:1", at=now - timedelta(days=731)))
        s.add(AuditEvent(actor="person:1", action="share", subject="moment:2", at=now - timedelta(days=10)))
    report = retention.purge(store, now=now)
    assert (report.attempts, report.audit_rows) == (1, 1)
    with store.transaction() as s:
        assert list(s.scalars(select(Attempt.key))) == ["10.0.0.8|Kim"]
        assert list(s.scalars(select(AuditEvent.subject))) == ["moment:2"]
