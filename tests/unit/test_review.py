"""Moments, freeze-frames, consent, sharing, withdrawal, deletion and privacy on one's own clips."""

from __future__ import annotations

import importlib
from datetime import timedelta
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

from tests.support.review import (
    add_consent,
    add_test_clip,
    add_workshop,
    cut_moment,
    freeze_frame,
    waiting_jobs,
)
from verp.core.errors import NotYours
from verp.core.models import (
    AuditEvent,
    Clip,
    Consent,
    Moment,
    MomentTag,
    Reflection,
    Share,
    Workshop,
    today,
    utcnow,
)
from verp.review import clips, consent, helping, moments, sharing
from verp.review.moments import MomentError, TagView
from verp.review.sharing import SharingError
from verp.room import shown
from verp.worker import run_pending


@pytest.fixture
def clip(store, teacher, tmp_path):
    return add_test_clip(store, teacher.id, tmp_path)


@pytest.fixture
def moment(store, teacher, clip):
    return cut_moment(store, teacher.id, clip.id, "Waiting for Sam", 1.0, 3.0)


def _audit(store) -> list[tuple[str, str]]:
    with store.transaction() as s:
        return [(e.action, e.subject) for e in s.scalars(select(AuditEvent).order_by(AuditEvent.id))]


# ---------------------------------------------------------------- moments


def test_a_moment_is_cut_to_its_own_file_of_its_length(store, teacher, moment):
    from verp.media import jobs as media

    assert moment.cut is not None and moment.cut.name.startswith(f"{moment.id}_")
    assert moment.cut.parent.name == "moments"
    assert media.probe(moment.cut).duration_s == pytest.approx(2.0, abs=0.25)


@pytest.mark.parametrize(
    ("start", "end", "words"),
    [
        (-1, 2, "inside the clip"),
        (2, 9, "inside the clip"),
        (3, 2, "end after"),
        (2, 2, "end after"),
        (float("nan"), 2, "inside the clip"),  # a time that is no number compares false to every bound
        (1, float("nan"), "inside the clip"),
        (1, float("inf"), "inside the clip"),
    ],
)
def test_a_moment_must_lie_inside_the_clip_and_end_after_it_starts(store, teacher, clip, start, end, words):
    with pytest.raises(MomentError, match=words):
        moments.create_moment(store, teacher.id, clip.id, "Out", start, end)
    assert moments.list_moments(store, teacher.id, clip.id) == []


def test_long_moments_get_a_gentle_warning_past_thirty_seconds():
    assert moments.length_advice(0, 10) is None
    assert "about 10 s" in moments.length_advice(0, 31)


def test_new_times_take_the_old_times_video_away_at_once_and_a_worker_cuts_the_new(
    store, teacher, clip, moment
):
    from verp.media import jobs as media

    add_consent(store, teacher.id, clip.id)
    workshop_id = add_workshop(store, teacher.id)
    sharing.share_moment(store, teacher.id, moment.id, "ABCD23")
    assert shown.shown_moments(store, workshop_id)[0].cut == moment.cut
    moments.add_freeze_frame(store, teacher.id, moment.id, 1.5)
    moved = moments.update_moment(store, teacher.id, moment.id, start_s=2.0, end_s=4.0, note="I waited")
    assert (moved.start_s, moved.end_s, moved.note) == (2.0, 4.0, "I waited")
    assert moved.freeze_frames == ()
    assert moved.cutting and moved.cut is None and not moment.cut.exists()  # the old times' video goes now
    assert shown.shown_moments(store, workshop_id)[0].cut is None  # the room has none meanwhile
    run_pending(store)
    recut = moments.get_moment(store, teacher.id, moment.id)
    assert not recut.cutting and recut.cut != moment.cut and not moment.cut.exists()
    assert media.probe(recut.cut).duration_s == pytest.approx(2.0, abs=0.25)
    assert shown.shown_moments(store, workshop_id)[0].cut == recut.cut


def test_saving_a_moment_returns_at_once_and_a_worker_cuts_it_never_the_web_server(
    store, teacher, clip, monkeypatch
):
    from verp.media import jobs as media

    def in_the_web_server(*args, **kwargs):
        raise AssertionError("a moment was cut in the web server's process")

    monkeypatch.setattr(media, "cut", in_the_web_server)  # this process; the worker's child is another
    made = moments.create_moment(store, teacher.id, clip.id, "Sam waits", 1.0, 3.0)
    assert made.cutting and made.cut is None
    assert not (store.clip_path(clip.id) / "moments").exists()
    add_consent(store, teacher.id, clip.id)
    add_workshop(store, teacher.id)
    with pytest.raises(SharingError, match="still being cut"):
        sharing.share_moment(store, teacher.id, made.id, "ABCD23")
    run_pending(store)
    cut = moments.get_moment(store, teacher.id, made.id)
    assert not cut.cutting and cut.cut is not None and cut.cut.parent.name == "moments"
    assert media.probe(cut.cut).duration_s == pytest.approx(2.0, abs=0.25)
    sharing.share_moment(store, teacher.id, made.id, "ABCD23")


def test_a_moment_deleted_before_its_cut_leaves_no_file_and_ends_its_job(store, teacher, clip):
    made = moments.create_moment(store, teacher.id, clip.id, "Sam waits", 1.0, 3.0)
    moments.delete_moment(store, teacher.id, made.id)
    run_pending(store)
    assert not any((store.clip_path(clip.id) / "moments").glob("*"))
    assert waiting_jobs(store, "cut_moment") == 0


def test_times_moved_while_the_worker_cuts_are_cut_again_before_anything_is_shown(
    store, teacher, moment, monkeypatch
):
    from verp.media import jobs as media
    from verp.review import moment_cuts

    real, calls = moment_cuts._cut_in_a_child, []

    def owner_moves_it_meanwhile(*args):
        real(*args)
        calls.append(args[4:6])
        if len(calls) == 1:  # the owner saves new times while the first cut is being made
            with store.transaction() as s:
                s.get(Moment, moment.id).start_s = 0.5

    monkeypatch.setattr(moment_cuts, "_cut_in_a_child", owner_moves_it_meanwhile)
    moments.update_moment(store, teacher.id, moment.id, start_s=2.0, end_s=4.0)
    run_pending(store)
    recut = moments.get_moment(store, teacher.id, moment.id)
    assert calls == [(2.0, 4.0), (0.5, 4.0)]
    assert not recut.cutting and media.probe(recut.cut).duration_s == pytest.approx(3.5, abs=0.25)
    assert sorted(p.name for p in recut.cut.parent.iterdir()) == [recut.cut.name]


def test_tags_name_principles_behaviours_and_chain_parts(store, teacher, moment):
    tagged = moments.set_tags(
        store, teacher.id, moment.id, [TagView("attentive", "Giving them time and space", "reception")]
    )
    assert tagged.tags == (TagView("attentive", "Giving them time and space", "reception"),)
    with pytest.raises(MomentError):
        moments.set_tags(store, teacher.id, moment.id, [TagView("not-a-principle")])


def test_freezing_a_frame_returns_at_once_and_a_worker_makes_its_picture_never_the_web_server(
    store, teacher, moment, monkeypatch
):
    from verp.media import jobs as media

    def in_the_web_server(*args, **kwargs):
        raise AssertionError("a clip was opened in the web server's process")

    monkeypatch.setattr(media.av, "open", in_the_web_server)  # this process; the worker's child is another
    [frame] = moments.add_freeze_frame(store, teacher.id, moment.id, 2.0).freeze_frames
    assert frame.making and frame.still is None and frame.at_s == 2.0
    stepped = moments.step_freeze_frame(store, teacher.id, frame.id, +1)  # the frame rate kept at take-in
    assert stepped.freeze_frames[0].at_s == pytest.approx(2.1)  # the clip has 10 frames a second
    with pytest.raises(MomentError, match="inside the moment"):
        moments.add_freeze_frame(store, teacher.id, moment.id, 5.0)
    monkeypatch.undo()
    run_pending(store)
    [made] = moments.get_moment(store, teacher.id, moment.id).freeze_frames
    assert not made.making and made.still is not None and made.still.parent.name == "stills"
    with Image.open(made.still) as picture:
        assert picture.width == 160  # the clip's own width: not blown up to the still's 1280
    assert waiting_jobs(store, "freeze_still") == 0


def test_a_step_takes_the_old_picture_away_and_a_worker_makes_the_new_one(store, teacher, moment):
    [frame] = freeze_frame(store, teacher.id, moment.id, 2.0).freeze_frames
    old = frame.still
    [stepped] = moments.step_freeze_frame(store, teacher.id, frame.id, -1).freeze_frames
    assert stepped.at_s == pytest.approx(1.9) and stepped.making and stepped.still is None
    assert not old.exists()
    run_pending(store)
    [made] = moments.get_moment(store, teacher.id, moment.id).freeze_frames
    assert made.still.exists() and sorted(p.name for p in made.still.parent.iterdir()) == [made.still.name]


def test_a_clip_from_before_its_frame_rate_was_kept_learns_it_from_its_first_picture(
    store, teacher, clip, moment
):
    with store.transaction() as s:
        s.get(Clip, clip.id).fps = 0  # as migrated: not known
    [frame] = freeze_frame(store, teacher.id, moment.id, 2.0).freeze_frames
    assert moments.clip_fps(store, teacher.id, clip.id) == 10
    [stepped] = moments.step_freeze_frame(store, teacher.id, frame.id, +1).freeze_frames
    assert stepped.at_s == pytest.approx(2.1)


def test_a_frame_stepped_while_its_picture_is_made_is_pictured_at_its_new_time(
    store, teacher, moment, monkeypatch
):
    from verp.review import freeze_stills

    real, times = freeze_stills._picture_in_a_child, []
    [frame] = moments.add_freeze_frame(store, teacher.id, moment.id, 2.0).freeze_frames

    def owner_steps_it_meanwhile(*args):
        real(*args)
        times.append(args[4])
        if len(times) == 1:
            moments.step_freeze_frame(store, teacher.id, frame.id, +1)

    monkeypatch.setattr(freeze_stills, "_picture_in_a_child", owner_steps_it_meanwhile)
    run_pending(store)
    [made] = moments.get_moment(store, teacher.id, moment.id).freeze_frames
    assert times == [2.0, 2.1] and made.at_s == 2.1 and not made.making
    assert sorted(p.name for p in made.still.parent.iterdir()) == [made.still.name]
    assert waiting_jobs(store, "freeze_still") == 0


def test_a_picture_recorded_as_the_owner_steps_the_frame_never_stays_on_the_new_time(
    store, teacher, moment, monkeypatch
):
    from verp.review import freeze_stills

    [frame] = moments.add_freeze_frame(store, teacher.id, moment.id, 2.0).freeze_frames
    real_frame, recorded = moments._frame, []

    def read_then_the_worker_records(s, owner_id, frame_id):
        got = real_frame(s, owner_id, frame_id)  # the step has read the frame: 2.0, no picture yet
        if not recorded:
            name = f"{moment.clip_id}/stills/{moment.id}_{frame.id}_0a1b2c3d4e.jpg"
            store.clip_path(name).parent.mkdir(parents=True, exist_ok=True)
            store.clip_path(name).write_bytes(b"the picture at 2.0")
            recorded.append(store.clip_path(name))
            assert freeze_stills._put_in_place(store, frame.id, moment.id, name, 2.0)  # commits now
        return got

    monkeypatch.setattr(moments, "_frame", read_then_the_worker_records)
    [stepped] = moments.step_freeze_frame(store, teacher.id, frame.id, +1).freeze_frames
    assert stepped.at_s == pytest.approx(2.1) and stepped.making and stepped.still is None
    assert not recorded[0].exists()  # the picture of 2.0 went with the old time
    monkeypatch.undo()
    run_pending(store)
    [made] = moments.get_moment(store, teacher.id, moment.id).freeze_frames
    assert made.at_s == pytest.approx(2.1) and not made.making and made.still.is_file()


def test_a_last_failure_of_a_time_the_owner_has_since_stepped_from_pictures_the_new_time(
    store, teacher, moment
):
    from verp.core import tasks
    from verp.review import freeze_stills

    [frame] = moments.add_freeze_frame(store, teacher.id, moment.id, 2.0).freeze_frames
    freeze_stills._last_tried[frame.id] = 2.0  # this worker's last try of 2.0 failed…
    moments.step_freeze_frame(store, teacher.id, frame.id, +1)  # …as the owner stepped on
    last = tasks.Job(freeze_stills.STILL, {"frame_id": frame.id}, attempt=3, max_attempts=3)
    freeze_stills.give_up(store, last, freeze_stills.COULD_NOT)
    assert moments.get_moment(store, teacher.id, moment.id).freeze_frames[0].making  # not what failed
    run_pending(store)
    [made] = moments.get_moment(store, teacher.id, moment.id).freeze_frames
    assert made.at_s == pytest.approx(2.1) and not made.failed and made.still.is_file()


def test_a_frame_removed_before_its_picture_leaves_no_file_and_ends_its_job(store, teacher, clip, moment):
    [frame] = moments.add_freeze_frame(store, teacher.id, moment.id, 2.0).freeze_frames
    moments.remove_freeze_frame(store, teacher.id, frame.id)
    run_pending(store)
    assert not any((store.clip_path(clip.id) / "stills").glob("*"))
    assert waiting_jobs(store, "freeze_still") == 0


def test_a_frame_removed_as_its_picture_is_finished_keeps_no_file(store, teacher, clip, moment, monkeypatch):
    from verp.review import freeze_stills

    real = freeze_stills._put_in_place
    [frame] = moments.add_freeze_frame(store, teacher.id, moment.id, 2.0).freeze_frames

    def removed_first(*args):  # the owner's removal commits between the worker's picture and its record
        moments.remove_freeze_frame(store, teacher.id, frame.id)
        return real(*args)

    monkeypatch.setattr(freeze_stills, "_put_in_place", removed_first)
    run_pending(store)
    assert not any((store.clip_path(clip.id) / "stills").glob("*"))
    assert waiting_jobs(store, "freeze_still") == 0


def test_every_picture_of_a_removed_frame_goes_even_one_a_worker_recorded_meanwhile(store, teacher, moment):
    [frame] = freeze_frame(store, teacher.id, moment.id, 2.0).freeze_frames
    folder = frame.still.parent
    (folder / f"{moment.id}_{frame.id}_late.jpg").write_bytes(b"recorded as the frame was removed")
    (folder / f".{moment.id}_{frame.id}_half.1234.part.jpg").write_bytes(b"stopped half-way")
    [other] = freeze_frame(store, teacher.id, moment.id, 3.0).freeze_frames[1:]
    moments.remove_freeze_frame(store, teacher.id, frame.id)
    assert sorted(p.name for p in folder.iterdir()) == [other.still.name]  # the other frame's stays
    moments.delete_moment(store, teacher.id, moment.id)
    assert not any(folder.iterdir())


def test_a_picture_that_cannot_be_made_says_why_and_a_step_tries_again(store, teacher, clip, moment):
    with store.transaction() as s:
        playable = store.clip_path(s.get(Clip, clip.id).playable_name)
    kept = playable.read_bytes()
    playable.write_bytes(b"\x00" * 4096)  # the file the picture is made from is damaged meanwhile
    [frame] = moments.add_freeze_frame(store, teacher.id, moment.id, 2.0).freeze_frames
    run_pending(store)
    [failed] = moments.get_moment(store, teacher.id, moment.id).freeze_frames
    assert failed.failed and failed.still is None and failed.still_detail
    assert "Traceback" not in failed.still_detail and "Error" not in failed.still_detail
    assert not any((store.clip_path(clip.id) / "stills").glob("*"))  # no half-made picture
    playable.write_bytes(kept)
    moments.step_freeze_frame(store, teacher.id, frame.id, +1)
    run_pending(store)
    [made] = moments.get_moment(store, teacher.id, moment.id).freeze_frames
    assert not made.failed and made.still.is_file()


def test_the_worker_makes_the_strip_of_pictures_so_review_decodes_nothing(store, teacher, clip, monkeypatch):
    import shutil

    from verp.media import jobs

    def in_the_web_server(*args, **kwargs):
        raise AssertionError("Review decoded a clip in the web server's process")

    monkeypatch.setattr(jobs, "thumbnails", in_the_web_server)  # this process; the worker's child is another
    strip = moments.clip_thumbnails(store, teacher.id, clip.id)  # the clip was prepared by the worker
    assert [t for t, _ in strip] == [0.38, 1.12, 1.88, 2.62, 3.38, 4.12, 4.88, 5.62]
    assert all(path.exists() for _, path in strip)
    shutil.rmtree(strip[0][1].parent)  # a clip prepared before the worker made strips
    assert moments.clip_thumbnails(store, teacher.id, clip.id) == []  # asked of a worker, none meanwhile
    run_pending(store)
    assert [path.exists() for _, path in moments.clip_thumbnails(store, teacher.id, clip.id)] == [True] * 8
    with store.transaction() as s:  # a clip the worker is still transcoding: no strip yet, none asked for
        s.get(Clip, clip.id).playable_name = None
    shutil.rmtree(strip[0][1].parent)
    assert moments.clip_thumbnails(store, teacher.id, clip.id) == []
    assert waiting_jobs(store, "clip_strip") == 0


def test_a_strip_that_cannot_be_made_is_tried_once_by_a_worker_and_not_asked_for_again(store, teacher, clip):
    import shutil

    with store.transaction() as s:
        playable = store.clip_path(s.get(Clip, clip.id).playable_name)
    playable.write_bytes(b"\x00" * 4096)  # damaged after it was prepared
    shutil.rmtree(playable.parent / "thumbs")
    assert moments.clip_thumbnails(store, teacher.id, clip.id) == []
    run_pending(store)
    assert moments.clip_thumbnails(store, teacher.id, clip.id) == []
    assert waiting_jobs(store, "clip_strip") == 0


def test_a_strip_a_worker_gives_up_on_is_not_asked_for_again_and_review_asks_once_meanwhile(
    store, teacher, clip, monkeypatch
):
    import shutil

    from verp.core import tasks
    from verp.media import processing, sandbox

    shutil.rmtree(store.clip_path(clip.id) / "thumbs")
    enqueue, asked = processing.queues.enqueue, []
    monkeypatch.setattr(processing.queues, "enqueue", lambda *a, **k: asked.append(a) or enqueue(*a, **k))
    for _ in range(3):  # three reruns of Review while the worker has not got to it
        assert moments.clip_thumbnails(store, teacher.id, clip.id) == []
    assert len(asked) == 1 and waiting_jobs(store, processing.STRIP_TASK) == 1

    def past_its_limit(*args, **kwargs):
        raise sandbox.LimitExceeded(sandbox.TOO_MUCH_MEMORY)

    monkeypatch.setattr(sandbox, "run_limited", past_its_limit)
    last = tasks.Job(processing.STRIP_TASK, {"clip_id": clip.id}, attempt=3, max_attempts=3)
    assert tasks.perform(store, processing.strip_task(store.settings), last).status == "failed"
    assert processing.strip_cannot_be_made(store.clip_path(clip.id))
    (store.clip_path(clip.id) / "thumbs" / processing.ASKED).unlink()  # however long ago it was asked
    assert moments.clip_thumbnails(store, teacher.id, clip.id) == []
    assert len(asked) == 1  # not asked again


# ---------------------------------------------------------------- helping question


def test_the_helping_question_is_rated_each_cycle_and_keeps_its_history(store, teacher):
    assert helping.active_question(store, teacher.id) is None
    with pytest.raises(helping.HelpingError):
        helping.rate(store, teacher.id, 5)
    helping.set_helping_question(store, teacher.id, "How can quieter pupils start more conversations?")
    helping.rate(store, teacher.id, 3)
    helping.set_helping_question(store, teacher.id, "How can quieter pupils lead more?", cycle=2)
    rated = helping.rate(store, teacher.id, 6)
    assert (rated.cycle, rated.latest_score) == (2, 6)
    assert helping.active_question(store, teacher.id).text == "How can quieter pupils lead more?"
    past = helping.history(store, teacher.id)
    assert [(q.cycle, q.active, q.latest_score) for q in past] == [(1, False, 3), (2, True, 6)]
    with pytest.raises(helping.HelpingError):
        helping.rate(store, teacher.id, 11)


def test_someone_elses_helping_question_is_not_mine(store, teacher, colleague):
    helping.set_helping_question(store, teacher.id, "Give more time")
    assert helping.active_question(store, colleague.id) is None


# ---------------------------------------------------------------- consent


def test_consent_defaults_to_deletion_two_months_from_today(store, teacher, clip):
    recorded = add_consent(store, teacher.id, clip.id)
    assert recorded.delete_by == today() + timedelta(days=60)
    assert consent.get_consent(store, teacher.id, clip.id).basis == "public_task"


def test_delete_by_counts_from_when_the_shared_workshop_closed(store, teacher, clip, moment):
    add_consent(store, teacher.id, clip.id)
    workshop_id = add_workshop(store, teacher.id)
    sharing.share_moment(store, teacher.id, moment.id, "ABCD23")
    closed = utcnow() + timedelta(days=10)
    with store.transaction() as s:
        w = s.get(Workshop, workshop_id)
        w.status, w.closed_at = "closed", closed
    assert consent.default_delete_by(store, teacher.id, clip.id) == closed.date() + timedelta(days=60)


def test_consent_needs_a_group_a_basis_and_a_future_delete_by(store, teacher, clip):
    good = dict(
        filmed_group="Year 3",
        basis="public_task",
        recorded_by="Me",
        consent_date=today(),
        children_agreement="too_young",
        no_child_without_consent=True,
    )
    with pytest.raises(consent.ConsentError, match="basis"):
        consent.record_consent(store, teacher.id, clip.id, **{**good, "basis": "because"})
    with pytest.raises(consent.ConsentError, match="who was filmed"):
        consent.record_consent(store, teacher.id, clip.id, **{**good, "filmed_group": "  "})
    with pytest.raises(consent.ConsentError, match="after today"):
        consent.record_consent(store, teacher.id, clip.id, **good, delete_by=today())
    assert consent.get_consent(store, teacher.id, clip.id) is None


# ---------------------------------------------------------------- sharing


def test_a_clip_without_consent_cannot_be_shared(store, teacher, moment):
    add_workshop(store, teacher.id)
    with pytest.raises(consent.ConsentError, match="who was filmed"):
        sharing.share_moment(store, teacher.id, moment.id, "ABCD23")


def test_a_shared_moment_reaches_the_workshop_without_its_private_note(store, teacher, clip, moment):
    add_consent(store, teacher.id, clip.id)
    workshop_id = add_workshop(store, teacher.id)
    moments.update_moment(store, teacher.id, moment.id, note="I felt nervous")
    moments.set_tags(store, teacher.id, moment.id, [TagView("attentive")])
    still = freeze_frame(store, teacher.id, moment.id, 2.0).freeze_frames[0].still
    sharing.share_moment(store, teacher.id, moment.id, " abcd23 ")
    [seen] = shown.shown_moments(store, workshop_id)
    assert (seen.moment_id, seen.title, seen.owner_name, seen.clip_id) == (
        moment.id,
        "Waiting for Sam",
        "Ana Teacher",
        clip.id,
    )
    assert seen.note is None and seen.tags == (TagView("attentive"),) and seen.cut.exists()
    assert (seen.freeze_frames, seen.stills, seen.stills_in_exports) == ((2.0,), (still,), False)
    moments.update_moment(store, teacher.id, moment.id, share_note=True)
    assert shown.shown_moments(store, workshop_id)[0].note == "I felt nervous"


def test_a_withdrawn_moment_leaves_the_workshop_at_once(store, teacher, clip, moment):
    add_consent(store, teacher.id, clip.id)
    workshop_id = add_workshop(store, teacher.id)
    share = sharing.share_moment(store, teacher.id, moment.id, "ABCD23")
    withdrawn = sharing.withdraw_share(store, teacher.id, share.id)
    assert not withdrawn.active
    assert shown.shown_moments(store, workshop_id) == []
    assert [s.active for s in sharing.my_shares(store, teacher.id, clip.id)] == [False]
    assert ("share", f"moment:{moment.id}") in _audit(store)
    assert ("withdraw", f"moment:{moment.id}") in _audit(store)


def test_a_clip_past_its_delete_by_date_leaves_the_workshop(store, teacher, clip, moment):
    add_consent(store, teacher.id, clip.id)
    workshop_id = add_workshop(store, teacher.id)
    sharing.share_moment(store, teacher.id, moment.id, "ABCD23")
    with store.transaction() as s:
        s.scalar(select(Consent)).delete_by = today()
        s.get(Clip, clip.id).delete_by = today()
    assert shown.shown_moments(store, workshop_id) == []


def test_at_most_three_moments_of_a_clip_are_shared_with_one_workshop(store, teacher, clip):
    add_consent(store, teacher.id, clip.id)
    add_workshop(store, teacher.id)
    add_workshop(store, teacher.id, code="OTHER1")
    made = [cut_moment(store, teacher.id, clip.id, f"M{i}", i, i + 1) for i in range(4)]
    shares = [sharing.share_moment(store, teacher.id, m.id, "ABCD23") for m in made[:3]]
    with pytest.raises(SharingError, match="3 moments"):
        sharing.share_moment(store, teacher.id, made[3].id, "ABCD23")
    sharing.share_moment(store, teacher.id, made[3].id, "OTHER1")  # another workshop is another review
    sharing.withdraw_share(store, teacher.id, shares[0].id)
    sharing.share_moment(store, teacher.id, made[3].id, "ABCD23")


def test_a_closed_or_unknown_workshop_refuses_a_share(store, teacher, clip, moment):
    add_consent(store, teacher.id, clip.id)
    add_workshop(store, teacher.id, code="SHUT01", status="closed")
    with pytest.raises(SharingError, match="No planned or live workshop"):
        sharing.share_moment(store, teacher.id, moment.id, "SHUT01")
    with pytest.raises(SharingError, match="No planned or live workshop"):
        sharing.share_moment(store, teacher.id, moment.id, "NOPE99")


def test_the_same_moment_is_not_shared_twice_with_one_workshop(store, teacher, clip, moment):
    add_consent(store, teacher.id, clip.id)
    add_workshop(store, teacher.id)
    sharing.share_moment(store, teacher.id, moment.id, "ABCD23")
    with pytest.raises(SharingError, match="already shared"):
        sharing.share_moment(store, teacher.id, moment.id, "ABCD23")


# ---------------------------------------------------------------- deletion


def _reflection_on(store, workshop_id: int, moment_id: int) -> int:
    with store.transaction() as s:
        r = Reflection(
            workshop_id=workshop_id, moment_id=moment_id, moment_title="Waiting for Sam", text="Calm"
        )
        s.add(r)
        s.flush()
        return r.id


def test_deleting_a_moment_removes_its_files_and_rows_but_keeps_reflections(store, teacher, clip, moment):
    add_consent(store, teacher.id, clip.id)
    workshop_id = add_workshop(store, teacher.id)
    moments.set_tags(store, teacher.id, moment.id, [TagView("attentive")])
    frozen = freeze_frame(store, teacher.id, moment.id, 2.0)
    sharing.share_moment(store, teacher.id, moment.id, "ABCD23")
    reflection_id = _reflection_on(store, workshop_id, moment.id)
    moments.delete_moment(store, teacher.id, moment.id)
    assert not moment.cut.exists() and not frozen.freeze_frames[0].still.exists()
    assert not any(frozen.freeze_frames[0].still.parent.iterdir())
    assert shown.shown_moments(store, workshop_id) == []
    with store.transaction() as s:
        assert s.scalar(select(MomentTag).where(MomentTag.moment_id == moment.id)) is None
        assert s.scalar(select(Share)) is None
        kept = s.get(Reflection, reflection_id)
        assert (kept.moment_id, kept.moment_title, kept.text) == (None, "Waiting for Sam", "Calm")
    assert ("delete", f"moment:{moment.id}") in _audit(store)


def test_deleting_a_clip_removes_every_file_and_row_it_made(store, teacher, clip, moment):
    add_consent(store, teacher.id, clip.id)
    workshop_id = add_workshop(store, teacher.id)
    freeze_frame(store, teacher.id, moment.id, 2.0)
    moments.clip_thumbnails(store, teacher.id, clip.id)
    sharing.share_moment(store, teacher.id, moment.id, "ABCD23")
    folder = clip.original.parent
    assert (folder / "thumbs").exists() and (folder / "stills").exists()
    clips.delete_clip(store, teacher.id, clip.id)
    assert not folder.exists()
    assert shown.shown_moments(store, workshop_id) == []
    with store.transaction() as s:
        assert s.scalar(select(Moment)) is None
    assert ("delete", f"clip:{clip.id}") in _audit(store)


# ---------------------------------------------------------------- privacy


def test_someone_elses_clip_and_moments_are_refused_plainly(store, teacher, colleague, clip, moment):
    add_consent(store, teacher.id, clip.id)
    add_workshop(store, teacher.id)
    share = sharing.share_moment(store, teacher.id, moment.id, "ABCD23")
    frame_id = moments.add_freeze_frame(store, teacher.id, moment.id, 2.0).freeze_frames[0].id
    other = colleague.id
    attempts = [
        lambda: moments.list_moments(store, other, clip.id),
        lambda: moments.create_moment(store, other, clip.id, "Mine now", 0, 1),
        lambda: moments.get_moment(store, other, moment.id),
        lambda: moments.update_moment(store, other, moment.id, note="hi"),
        lambda: moments.set_tags(store, other, moment.id, []),
        lambda: moments.add_freeze_frame(store, other, moment.id, 2.0),
        lambda: moments.step_freeze_frame(store, other, frame_id, 1),
        lambda: moments.remove_freeze_frame(store, other, frame_id),
        lambda: moments.delete_moment(store, other, moment.id),
        lambda: moments.clip_thumbnails(store, other, clip.id),
    ]
    for attempt in attempts:
        with pytest.raises(NotYours, match="only be opened by their owner"):
            attempt()
    with pytest.raises(NotYours, match="only be opened by their owner"):
        consent.get_consent(store, other, clip.id)
    with pytest.raises(NotYours, match="only be opened by their owner"):
        sharing.share_moment(store, other, moment.id, "ABCD23")
    with pytest.raises(NotYours, match="no share of yours"):
        sharing.withdraw_share(store, other, share.id)
    assert sharing.my_shares(store, other, clip.id) == []
    assert moments.get_moment(store, teacher.id, moment.id).note == ""


def test_the_helping_question_is_private_until_its_owner_shares_it(store, teacher, colleague):
    from verp.review import helping

    helping.set_helping_question(store, teacher.id, "How can I wait longer for answers?")
    assert not helping.active_question(store, teacher.id).shared
    assert helping.share_with_group(store, teacher.id, True).shared
    assert not helping.share_with_group(store, teacher.id, False).shared
    with pytest.raises(helping.HelpingError):
        helping.share_with_group(store, colleague.id, True)


def test_a_cut_that_cannot_be_made_says_why_and_no_video_of_the_old_times_stays(store, teacher, moment, clip):
    with store.transaction() as s:
        playable = store.clip_path(s.get(Clip, clip.id).playable_name)
    kept = playable.read_bytes()
    playable.write_bytes(b"\x00" * 4096)  # the file the cut is made from is damaged meanwhile
    moments.update_moment(store, teacher.id, moment.id, start_s=2.0, end_s=4.0, title="New title")
    run_pending(store)
    failed = moments.get_moment(store, teacher.id, moment.id)
    assert failed.cut_failed and failed.cut_detail and "Traceback" not in failed.cut_detail
    assert failed.title == "New title" and failed.cut is None
    assert not any(moment.cut.parent.iterdir())  # neither the old cut nor a half-made new one

    playable.write_bytes(kept)
    again = moments.update_moment(store, teacher.id, moment.id, start_s=2.0, end_s=4.0)  # same times
    assert again.cutting
    run_pending(store)
    recut = moments.get_moment(store, teacher.id, moment.id)
    assert not recut.cut_failed and recut.cut.is_file()


def test_new_times_saved_just_as_a_cut_is_put_in_place_are_cut_too(store, teacher, moment, monkeypatch):
    from verp.review import moment_cuts

    real, moved = moment_cuts._put_in_place, []

    def owner_saves_new_times_meanwhile(*args):
        kept = real(*args)  # this cut is in place; its job has not been marked done yet
        if not moved:
            moved.append(moments.update_moment(store, teacher.id, moment.id, start_s=0.5, end_s=2.0))
        return kept

    monkeypatch.setattr(moment_cuts, "_put_in_place", owner_saves_new_times_meanwhile)
    moments.update_moment(store, teacher.id, moment.id, start_s=2.0, end_s=4.0)
    run_pending(store)
    recut = moments.get_moment(store, teacher.id, moment.id)
    assert moved and not recut.cutting and (recut.start_s, recut.end_s) == (0.5, 2.0) and recut.cut.is_file()


def test_new_times_saved_while_a_cut_is_made_are_what_ends_up_cut(store, teacher, moment, monkeypatch):
    from verp.review import moment_cuts

    real, saved = moment_cuts._put_in_place, []

    def owner_saves_first(*args):  # the owner's new times commit between the worker's cut and its swap
        if not saved:
            saved.append(moments.update_moment(store, teacher.id, moment.id, start_s=0.5, end_s=2.0))
        return real(*args)

    monkeypatch.setattr(moment_cuts, "_put_in_place", owner_saves_first)
    moments.update_moment(store, teacher.id, moment.id, start_s=2.0, end_s=4.0)
    run_pending(store)
    recut = moments.get_moment(store, teacher.id, moment.id)
    assert (recut.start_s, recut.end_s) == (0.5, 2.0) and not recut.cutting
    assert sorted(p.name for p in recut.cut.parent.iterdir()) == [recut.cut.name]  # one cut: of 0.5–2.0


def test_a_cut_recorded_as_the_owner_saves_new_times_never_stays_with_the_new_times(
    store, teacher, moment, monkeypatch
):
    from verp.review import moment_cuts

    moments.update_moment(store, teacher.id, moment.id, start_s=2.0, end_s=4.0)  # being cut
    real_read, recorded = moments.owned_moment, []

    def read_then_the_worker_records(s, owner_id, moment_id):
        got = real_read(s, owner_id, moment_id)  # the save has read the moment: 2.0–4.0, no cut yet
        if not recorded:
            name = moment_cuts.new_cut_name(moment.clip_id, moment.id)
            store.clip_path(name).write_bytes(b"the cut of 2.0-4.0")
            recorded.append(store.clip_path(name))
            assert moment_cuts._put_in_place(store, moment.id, name, 2.0, 4.0)  # commits now
        return got

    monkeypatch.setattr(moments, "owned_moment", read_then_the_worker_records)
    saved = moments.update_moment(store, teacher.id, moment.id, start_s=0.5, end_s=2.0)
    assert saved.cutting and saved.cut is None and not recorded[0].exists()
    monkeypatch.undo()
    run_pending(store)
    recut = moments.get_moment(store, teacher.id, moment.id)
    assert (recut.start_s, recut.end_s) == (0.5, 2.0) and not recut.cutting and recut.cut.is_file()


def test_a_last_failure_of_times_the_owner_has_since_changed_cuts_the_new_times(store, teacher, moment):
    from verp.core import tasks
    from verp.review import moment_cuts

    moments.update_moment(store, teacher.id, moment.id, start_s=2.0, end_s=4.0)
    moment_cuts._last_tried[moment.id] = (2.0, 4.0)  # this worker's last try of 2.0–4.0 failed…
    moments.update_moment(store, teacher.id, moment.id, start_s=0.5, end_s=2.0)  # …as these were saved
    last = tasks.Job(moment_cuts.CUT, {"moment_id": moment.id}, attempt=3, max_attempts=3)
    moment_cuts.give_up(store, last, "This moment could not be cut to its own video.")
    assert moments.get_moment(store, teacher.id, moment.id).cutting  # not "failed": not what failed
    run_pending(store)
    recut = moments.get_moment(store, teacher.id, moment.id)
    assert not recut.cutting and not recut.cut_failed and recut.cut.is_file()


def test_every_file_of_a_deleted_moment_goes_even_one_a_worker_put_in_place_meanwhile(store, teacher, moment):
    folder = moment.cut.parent
    (folder / f"{moment.id}_late.mp4").write_bytes(b"a cut recorded while the moment was deleted")
    (folder / f".{moment.id}_half.1234.part.mp4").write_bytes(b"a cut stopped half-way")
    other = cut_moment(store, teacher.id, moment.clip_id, "Another", 0.5, 1.5)
    lookalike = folder / f"{moment.id}1_0a1b2c3d4e.mp4"  # moment 11's cut beside moment 1's
    lookalike.write_bytes(b"another moment's cut")
    stills = store.clip_path(moment.clip_id) / "stills"
    stills.mkdir(exist_ok=True)
    (stills / f"{moment.id}_7_0a1b2c3d4e.jpg").write_bytes(b"a still pictured while the moment was deleted")
    (stills / f"{other.id}_8_0a1b2c3d4e.jpg").write_bytes(b"another moment's still")
    moments.delete_moment(store, teacher.id, moment.id)
    assert sorted(p.name for p in folder.iterdir()) == sorted([other.cut.name, lookalike.name])
    assert [p.name for p in stills.iterdir()] == [f"{other.id}_8_0a1b2c3d4e.jpg"]


def test_a_cut_stopped_half_way_leaves_no_half_written_file(store, teacher, clip, monkeypatch):
    from verp.media import sandbox

    made = moments.create_moment(store, teacher.id, clip.id, "Sam waits", 1.0, 3.0)

    def killed_past_its_limit(target, args, *rest, **kwargs):  # the child had no chance to tidy up
        cut = Path(args[1])  # where the child writes the moment's video
        part = cut.with_name(f".{cut.stem}.0a1b2c3d.part.mp4")
        part.parent.mkdir(parents=True, exist_ok=True)
        part.write_bytes(b"half a video")
        raise sandbox.LimitExceeded(sandbox.TOO_MUCH_TIME)

    monkeypatch.setattr(sandbox, "run_limited", killed_past_its_limit)
    run_pending(store)
    assert not any((store.clip_path(clip.id) / "moments").iterdir())
    waiting = moments.get_moment(store, teacher.id, made.id)
    assert waiting.cutting and "shorter moment" in waiting.cut_detail and "Trying again" in waiting.cut_detail


def test_a_recut_replaces_the_old_cut_file(store, teacher, moment):
    moments.update_moment(store, teacher.id, moment.id, start_s=2.0, end_s=4.0)
    run_pending(store)
    moved = moments.get_moment(store, teacher.id, moment.id)
    assert moved.cut != moment.cut and moved.cut.is_file() and not moment.cut.exists()


# ---------------------------------------------------------------- typed text


def test_nul_and_control_characters_never_reach_the_database(store, teacher, clip, moment):
    renamed = clips.rename_clip(store, teacher.id, clip.id, "Circle\x00 time\x07")
    assert renamed.title == "Circle time"
    changed = moments.update_moment(
        store, teacher.id, moment.id, title="Sam\x00 waits", note="calm\x00\nand warm"
    )
    assert (changed.title, changed.note) == ("Sam waits", "calm\nand warm")
    question = helping.set_helping_question(store, teacher.id, "How can I\x00 wait longer?")
    assert question.text == "How can I wait longer?"
    recorded = consent.record_consent(
        store,
        teacher.id,
        clip.id,
        filmed_group="Year\x00 3",
        basis="public_task",
        recorded_by="Head\x1b teacher",
        consent_date=today(),
        children_agreement="agreed",
        no_child_without_consent=True,
    )
    assert (recorded.filmed_group, recorded.recorded_by) == ("Year 3", "Head teacher")


def test_a_moment_note_has_a_length_limit_with_a_clear_message(store, teacher, moment):
    with pytest.raises(MomentError, match="under 2000 characters"):
        moments.update_moment(store, teacher.id, moment.id, note="x" * 2001)
    assert moments.get_moment(store, teacher.id, moment.id).note == ""


def test_an_over_long_consent_field_says_what_is_too_long(store, teacher, clip):
    with pytest.raises(consent.ConsentError, match="under 200 characters"):
        consent.record_consent(
            store,
            teacher.id,
            clip.id,
            filmed_group="Y" * 201,
            basis="public_task",
            recorded_by="Me",
            consent_date=today(),
            children_agreement="agreed",
            no_child_without_consent=True,
        )


# ---------------------------------------------------------------- delete-by and the workshops a clip is in


def _shared_with_workshop_on(store, teacher, clip, moment, held_on):
    add_consent(store, teacher.id, clip.id)
    workshop_id = add_workshop(store, teacher.id)
    with store.transaction() as s:
        s.get(Workshop, workshop_id).held_on = held_on
    sharing.share_moment(store, teacher.id, moment.id, "ABCD23")
    return workshop_id


def test_the_owner_is_warned_when_delete_by_falls_before_a_shared_workshop(store, teacher, clip, moment):
    held_on = today() + timedelta(days=90)  # after the default delete-by (today + 60)
    workshop_id = _shared_with_workshop_on(store, teacher, clip, moment, held_on)
    [clash] = consent.delete_by_clashes(store, teacher.id, clip.id)
    assert (clash.workshop_id, clash.held_on) == (workshop_id, held_on)
    assert clash.suggested == held_on + timedelta(days=60)
    consent.set_delete_by(store, teacher.id, clip.id, clash.suggested)
    assert consent.get_consent(store, teacher.id, clip.id).delete_by == clash.suggested
    assert consent.delete_by_clashes(store, teacher.id, clip.id) == []


def test_a_workshop_within_a_week_of_delete_by_also_warns_but_an_early_one_does_not(
    store, teacher, clip, moment
):
    _shared_with_workshop_on(store, teacher, clip, moment, today() + timedelta(days=55))
    assert len(consent.delete_by_clashes(store, teacher.id, clip.id)) == 1
    with store.transaction() as s:
        s.scalar(select(Workshop)).held_on = today() + timedelta(days=10)
    assert consent.delete_by_clashes(store, teacher.id, clip.id) == []


def test_delete_by_cannot_be_moved_to_the_past(store, teacher, clip):
    add_consent(store, teacher.id, clip.id)
    with pytest.raises(consent.ConsentError, match="after today"):
        consent.set_delete_by(store, teacher.id, clip.id, today())


def test_every_domain_error_is_a_verp_error_and_not_yours_reads_like_missing(store, teacher, colleague, clip):
    import inspect

    import verp
    from verp.core.errors import VerpError

    found = set()
    for path in Path(verp.__file__).parent.rglob("*.py"):
        name = ".".join(path.relative_to(Path(verp.__file__).parent.parent).with_suffix("").parts)
        if ".ui" in name or "migrations" in name:
            continue
        module = importlib.import_module(name)
        found |= {c for _, c in inspect.getmembers(module, inspect.isclass) if c.__name__.endswith("Error")}
    domain = {c for c in found if c.__module__.startswith("verp.")}
    assert len(domain) >= 15 and all(issubclass(c, VerpError) for c in domain)
    with pytest.raises(NotYours) as theirs:
        clips.get_clip(store, colleague.id, clip.id)
    with pytest.raises(NotYours) as missing:
        clips.get_clip(store, colleague.id, "no-such-clip")
    assert str(theirs.value) == str(missing.value)


def test_a_captioned_freeze_frame_and_its_chain_part_reach_the_room_and_the_summary(
    store, teacher, clip, moment
):
    from verp.records import summary

    add_consent(store, teacher.id, clip.id)
    workshop_id = add_workshop(store, teacher.id)
    sharing.share_moment(store, teacher.id, moment.id, "ABCD23")
    frames = moments.add_freeze_frame(store, teacher.id, moment.id, 2.5).freeze_frames
    moments.add_freeze_frame(store, teacher.id, moment.id, 1.5)
    with store.transaction() as s:
        before = s.get(Workshop, workshop_id).state_version
    later = moments.caption_freeze_frame(store, teacher.id, frames[0].id, "  looks up  ", "initiative")
    assert [(f.caption, f.chain_part) for f in later.freeze_frames] == [
        ("", None),
        ("looks up", "initiative"),
    ]
    [seen] = shown.shown_moments(store, workshop_id)
    assert [(m.at_s, m.caption, m.chain_part) for m in seen.marks] == [
        (1.5, "", None),
        (2.5, "looks up", "initiative"),
    ]
    with store.transaction() as s:
        assert s.get(Workshop, workshop_id).state_version > before  # the room's timeline redraws
    [line] = summary.workshop_summary(store, workshop_id).moments
    assert line.marks == ("0:00.5 freeze-frame", "0:01.5 looks up — initiative")


def test_a_caption_is_the_owners_alone_and_its_chain_part_one_of_three(store, teacher, colleague, moment):
    [frame] = moments.add_freeze_frame(store, teacher.id, moment.id, 2.0).freeze_frames
    with pytest.raises(NotYours):
        moments.caption_freeze_frame(store, colleague.id, frame.id, "mine now")
    with pytest.raises(MomentError, match="initiative, reception or response"):
        moments.caption_freeze_frame(store, teacher.id, frame.id, "x", "surprise")
    with pytest.raises(MomentError, match="under 200"):
        moments.caption_freeze_frame(store, teacher.id, frame.id, "x" * 201)


def test_the_review_page_reads_the_clip_whole_in_one_go_and_the_same_as_each_part(
    store, teacher, colleague, clip, moment
):
    """``clip_review`` gives what the separate reads give (moments, consent, shares, delete-by clashes),
    and refuses someone else's clip as a missing one."""
    from verp.review.clip_review import clip_review, review_of

    empty = clip_review(store, teacher.id, clip.id)
    assert (empty.consent, empty.shares, empty.clashes, empty.can_share) == (None, [], [], False)
    assert empty.moments == moments.list_moments(store, teacher.id, clip.id)
    _shared_with_workshop_on(store, teacher, clip, moment, today() + timedelta(days=90))
    review = clip_review(store, teacher.id, clip.id)
    detailed = [moments.with_details(store, m) for m in review.moments]  # as each is opened
    assert detailed == moments.list_moments(store, teacher.id, clip.id)
    assert review.consent == consent.get_consent(store, teacher.id, clip.id) and review.can_share
    assert review.shares == sharing.my_shares(store, teacher.id, clip.id) and len(review.shares) == 1
    assert review.clashes == consent.delete_by_clashes(store, teacher.id, clip.id)
    assert len(review.clashes) == 1
    # The details read when a moment is opened, and the clashes worked out from the shares, are the
    # same as the separate reads give, whatever the shares: a second moment in the same workshop, a
    # share withdrawn, a workshop closed, one held early enough.
    moments.set_tags(store, teacher.id, moment.id, [TagView("attentive")])
    moments.add_freeze_frame(store, teacher.id, moment.id, 1.5)
    second = cut_moment(store, teacher.id, clip.id, "Later", 4.0, 6.0)
    sharing.share_moment(store, teacher.id, second.id, "ABCD23")
    for code, held_in, status in (("EFGH45", 120, "live"), ("JKLM67", 100, "closed"), ("NPQR89", 5, "live")):
        workshop_id = add_workshop(store, teacher.id, code)
        sharing.share_moment(store, teacher.id, second.id, code)
        with store.transaction() as s:
            workshop = s.get_one(Workshop, workshop_id)
            workshop.held_on, workshop.status = today() + timedelta(held_in), status
    withdrawn = sharing.share_moment(store, teacher.id, moment.id, "EFGH45")
    sharing.withdraw_share(store, teacher.id, withdrawn.id)
    review = clip_review(store, teacher.id, clip.id)
    detailed = [moments.with_details(store, m) for m in review.moments]
    assert detailed == moments.list_moments(store, teacher.id, clip.id)
    assert detailed[0].tags and detailed[0].freeze_frames
    assert review.clashes == consent.delete_by_clashes(store, teacher.id, clip.id)
    assert [c.held_on for c in review.clashes] == [today() + timedelta(90), today() + timedelta(120)]
    assert review_of(store, clips.get_clip(store, teacher.id, clip.id)) == review  # the page's read
    for someone_else, missing in ((colleague.id, clip.id), (teacher.id, "no-such-clip")):
        with pytest.raises(NotYours):
            clip_review(store, someone_else, missing)


def test_reviews_one_read_lists_my_clips_and_reviews_the_chosen_one_only(
    store, teacher, colleague, clip, moment, tmp_path
):
    """Review reads the chooser's list and the chosen clip's review in one statement: the list is
    ``list_clips`` (held clips too), the review is ``clip_review``'s; no review for a clip that is not one
    of mine, or when nothing is chosen yet."""
    from tests.support.review import add_test_clip
    from verp.review.clip_review import clip_review, my_clips_and_review

    _shared_with_workshop_on(store, teacher, clip, moment, today() + timedelta(days=90))
    second = cut_moment(store, teacher.id, clip.id, "Later", 4.0, 6.0)
    sharing.share_moment(store, teacher.id, second.id, "ABCD23")
    other = add_test_clip(store, teacher.id, tmp_path, seconds=2, name="other.mp4")
    cut_moment(store, teacher.id, other.id, "Elsewhere", 0.5, 1.5)
    theirs = add_test_clip(store, colleague.id, tmp_path, seconds=2, name="theirs.mp4")
    mine = clips.list_clips(store, teacher.id, held=True)
    assert len(mine) == 2
    for chosen in (clip.id, other.id):
        listed, review = my_clips_and_review(store, teacher.id, chosen)
        assert listed == mine
        assert review == clip_review(store, teacher.id, chosen)
    assert len(my_clips_and_review(store, teacher.id, clip.id)[1].moments) == 2
    for not_chosen in (None, theirs.id, "no-such-clip"):
        assert my_clips_and_review(store, teacher.id, not_chosen) == (mine, None)
    assert my_clips_and_review(store, colleague.id, clip.id) == (clips.list_clips(store, colleague.id), None)
