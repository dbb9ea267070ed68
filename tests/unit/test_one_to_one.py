"""One-to-one VIG: who may watch, what the guider holds, and the review's record."""

import io
from datetime import timedelta

import pytest

from tests.support.media import make_clip
from tests.support.review import add_consent
from tests.support.series import consented_moment, next_week
from verp.core.accounts import create_person
from verp.core.errors import NotYours
from verp.core.models import AuditEvent, today
from verp.records import retention
from verp.review import clips
from verp.review.consent import ConsentError
from verp.room.shown import Viewer, may_watch
from verp.web import Grant, may_serve
from verp.worker import run_pending
from verp.workshop import one_to_one
from verp.workshop.one_to_one import OneToOneError


def _watch(store, person_id, moment_id, one_to_one_id):
    with store.transaction() as s:
        return may_watch(s, Viewer(person_id=person_id), moment_id, one_to_one_id=one_to_one_id)


def test_the_guider_may_watch_only_the_moments_chosen_for_their_review(store, teacher, colleague, tmp_path):
    review = one_to_one.start_one_to_one(store, teacher.id, "T-1", "teacher", 3, participant_id=colleague.id)
    clip, chosen = consented_moment(store, colleague.id, tmp_path, "Chosen")
    _, other = consented_moment(store, colleague.id, tmp_path, "Not chosen")
    choice = one_to_one.choose_moment(store, colleague.id, review.id, chosen.id, 1)
    assert _watch(store, teacher.id, chosen.id, review.id)
    assert not _watch(store, teacher.id, other.id, review.id)
    stranger = create_person(store, "Cy Stranger", "a third long passphrase")
    assert not _watch(store, stranger.id, chosen.id, review.id)
    name = chosen.cut.relative_to(store.settings.clips_dir).as_posix()
    assert may_serve(store, name, Grant.guider(teacher.id, review.id, chosen.id))
    assert not may_serve(store, name, Grant.guider(stranger.id, review.id, chosen.id))
    one_to_one.withdraw_moment(store, colleague.id, choice)
    assert not _watch(store, teacher.id, chosen.id, review.id)
    assert not may_serve(store, name, Grant.guider(teacher.id, review.id, chosen.id))
    assert one_to_one.chosen_moments(store, teacher.id, review.id) == []


def test_only_the_owner_chooses_their_moments_and_only_with_consent(store, teacher, colleague, tmp_path):
    review = one_to_one.start_one_to_one(store, teacher.id, "T-1", "teacher", 1, participant_id=colleague.id)
    _, moment = consented_moment(store, colleague.id, tmp_path)
    with pytest.raises(NotYours):
        one_to_one.choose_moment(store, teacher.id, review.id, moment.id, 1)
    with pytest.raises(OneToOneError, match="cycles 1 to 1"):
        one_to_one.choose_moment(store, colleague.id, review.id, moment.id, 2)


def test_a_parents_clip_is_held_by_the_guider_with_consent_and_a_delete_by_date(store, teacher, tmp_path):
    review = one_to_one.start_one_to_one(
        store, teacher.id, "Parent A", "parent", 3, next_review_on=next_week()
    )
    source = make_clip(tmp_path / "home.mp4", seconds=3, fps=10, audio=False)
    with open(source, "rb") as f:
        clip = one_to_one.hold_clip(store, teacher.id, review.id, "home.mp4", f)
    assert clip.title.startswith("Parent A:") and clip.delete_by > today()
    with pytest.raises(ConsentError, match="who was filmed"):
        one_to_one.mark_held_moment(store, teacher.id, review.id, clip.id, "Bath time", 0.5, 2.0, 1)
    add_consent(store, teacher.id, clip.id)
    one_to_one.mark_held_moment(store, teacher.id, review.id, clip.id, "Bath time", 0.5, 2.0, 1)
    (chosen,) = one_to_one.chosen_moments(store, teacher.id, review.id, 1)
    assert chosen.title == "Bath time" and chosen.cut is None  # chosen at once; a worker cuts it
    assert not chosen.cut_failed  # the guider's screen waits for it
    run_pending(store)
    (chosen,) = one_to_one.chosen_moments(store, teacher.id, review.id, 1)
    assert chosen.cut.exists()
    with pytest.raises(OneToOneError, match="has an account"):
        other = one_to_one.start_one_to_one(
            store,
            teacher.id,
            "T-9",
            "teacher",
            1,
            participant_id=create_person(store, "Di", "passphrase 1234").id,
        )
        one_to_one.hold_clip(store, teacher.id, other.id, "x.mp4", io.BytesIO(b""))


def test_a_clip_uploaded_for_a_parent_lives_under_the_one_to_one_not_on_my_clips(
    store, teacher, colleague, tmp_path
):
    review = one_to_one.start_one_to_one(store, teacher.id, "Parent B", "parent", 1)
    with open(make_clip(tmp_path / "park.mp4", seconds=2, fps=10, audio=False), "rb") as f:
        uploaded = clips.add_clip(store, teacher.id, "park.mp4", f)  # as the streamed upload leaves it
    assert [c.id for c in clips.list_clips(store, teacher.id)] == [uploaded.id]
    held = one_to_one.hold_uploaded_clip(store, teacher.id, review.id, uploaded.id)
    assert held.title == "Parent B: park"
    assert clips.list_clips(store, teacher.id) == []  # My clips: the guider's own practice only
    assert [c.id for c in one_to_one.held_clips(store, teacher.id, review.id)] == [uploaded.id]
    with pytest.raises(OneToOneError, match="already kept"):
        one_to_one.hold_uploaded_clip(store, teacher.id, review.id, uploaded.id)
    with open(make_clip(tmp_path / "theirs.mp4", seconds=2, fps=10, audio=False), "rb") as f:
        theirs = clips.add_clip(store, colleague.id, "theirs.mp4", f)
    with pytest.raises(NotYours):
        one_to_one.hold_uploaded_clip(store, teacher.id, review.id, theirs.id)


def test_a_review_needs_a_rating_the_participant_gave_and_keeps_their_words(store, teacher):
    review = one_to_one.start_one_to_one(store, teacher.id, "Parent A", "parent", 3)
    one_to_one.set_goal(store, teacher.id, review.id, "Enjoy bath time with Sam", next_week())
    with pytest.raises(OneToOneError, match="0 to 10"):
        one_to_one.finish_review(store, teacher.id, review.id, 1, words="x", rating=None, next_step="y")
    done = one_to_one.finish_review(
        store,
        teacher.id,
        review.id,
        1,
        words="I waited and he smiled",
        rating=6,
        next_step="Wait",
        principles=["attentive"],
    )
    assert (done.rating, done.words, done.principles) == (6, "I waited and he smiled", ("attentive",))
    view = one_to_one.get_one_to_one(store, teacher.id, review.id)
    states = [(s.label, s.state) for s in one_to_one.shape(view)]
    assert states[:4] == [
        ("Goal-setting", "done"),
        ("Film 1", "done"),
        ("Review 1", "done"),
        ("Film 2", "next"),
    ]
    assert view.current_cycle == 2 and view.latest_next_step == "Wait"
    with store.transaction() as s:
        actions = set(s.scalars(AuditEvent.__table__.select().with_only_columns(AuditEvent.action)))
    assert {"one_to_one_started", "goal_set", "review_recorded"} <= actions


def test_retention_forgets_an_untouched_one_to_one_with_the_clips_held_for_it(store, teacher, tmp_path):
    review = one_to_one.start_one_to_one(store, teacher.id, "Parent A", "parent", 1)
    with open(make_clip(tmp_path / "home.mp4", seconds=2, fps=10, audio=False), "rb") as f:
        clip = one_to_one.hold_clip(store, teacher.id, review.id, "home.mp4", f)
    later = today() + timedelta(days=store.settings.records_days + 1)
    assert one_to_one.purge_one_to_ones(store, later) == 1
    assert not store.clip_path(clip.id).exists()
    with pytest.raises(NotYours):
        one_to_one.get_one_to_one(store, teacher.id, review.id)
    assert retention.purge_interventions(store, later) == 0
