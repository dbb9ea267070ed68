"""The Review page, driven as a teacher would: mark, tag, share, withdraw, delete; never someone else's."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from tests.support.apptest import open_section
from tests.support.paths import ROOT
from tests.support.review import add_consent, add_test_clip, add_workshop, cut_moment, freeze_frame
from verp.core.models import Clip, Moment, today
from verp.review import helping, moments, sharing
from verp.room import shown
from verp.worker import run_pending

APP = str(ROOT / "app.py")


@pytest.fixture
def clip(store, teacher, tmp_path):
    return add_test_clip(store, teacher.id, tmp_path)


def open_review(person_id: int, clip_id: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    at.session_state["person_id"] = person_id
    if clip_id:
        at.query_params["clip"] = clip_id
    return at.switch_page("pages/review.py").run()


def test_someone_elses_clip_is_refused_with_a_plain_message(store, colleague, clip):
    at = open_review(colleague.id, clip.id)
    assert "only be opened by their owner" in at.error[0].value
    assert at.get("video") == []


def test_marking_a_moment_previews_it_looping_and_saves_it(store, teacher, clip):
    at = open_review(teacher.id, clip.id)
    assert not at.exception
    assert len(at.get("video")) == 1  # the clip; its preview is drawn once opened
    open_section(at, f"preview_open_{clip.id}")
    at.number_input(key=f"mark_in_{clip.id}").set_value(1.0).run()
    at.number_input(key=f"mark_in_{clip.id}").increment().run()  # its + nudges: 1.5 s
    at.number_input(key=f"mark_out_{clip.id}").set_value(4.0).run()
    preview = at.get("video")[1].proto  # still open, and it follows the marks
    assert (preview.start_time, preview.end_time, preview.loop) == (1, 4, True)
    at.text_input(key=f"moment_title_{clip.id}").input("Sam starts the story").run()
    at.button(key=f"save_moment_{clip.id}").click().run()
    assert not at.exception
    [made] = moments.list_moments(store, teacher.id, clip.id)
    assert (made.title, made.start_s, made.end_s) == ("Sam starts the story", 1.5, 4.0)
    assert "Saved the moment" in at.success[0].value and "being cut" in at.success[0].value


def test_a_saved_moment_says_it_is_being_cut_and_plays_once_the_worker_has_cut_it(store, teacher, clip):
    add_consent(store, teacher.id, clip.id)
    made = moments.create_moment(store, teacher.id, clip.id, "Sam waits", 1.0, 3.0)
    at = open_section(open_review(teacher.id, clip.id), f"moment_open_{made.id}")
    assert any("Cutting this moment" in i.value for i in at.info)
    assert not [i for i in at.text_input if i.key == f"code_{made.id}"]  # nothing to share yet
    videos = len(at.get("video"))
    run_pending(store)
    at.run()  # in a browser the note redraws itself every two seconds and then the whole page
    assert not any("Cutting this moment" in i.value for i in at.info)
    assert len(at.get("video")) == videos + 1
    assert at.text_input(key=f"code_{made.id}")
    cut = moments.get_moment(store, teacher.id, made.id).cut
    assert cut is not None and cut.parent.name == "moments"


def test_marking_waits_until_a_clips_length_is_known(store, teacher, clip):
    """A phone's WebM tells its length only once the worker has read it: no "Ends at 0.00" meanwhile."""
    from verp.core.models import Clip

    with store.transaction() as s:
        s.get(Clip, clip.id).duration_s = 0.0
    at = open_review(teacher.id, clip.id)
    assert any("Marking opens as soon as its length is known" in i.value for i in at.info)
    assert not [n for n in at.number_input if n.key == f"mark_out_{clip.id}"]
    with store.transaction() as s:
        s.get(Clip, clip.id).duration_s = 6.0
    at.run()
    assert at.number_input(key=f"mark_out_{clip.id}").value > 0


def test_a_thumbnail_moves_the_player_and_marks_in_there(store, teacher, clip):
    at = open_review(teacher.id, clip.id)
    jump = [b for b in at.button if b.key and b.key.startswith(f"jump_{clip.id}_")][4]
    jump.click().run()
    # The fifth of eight pictures of a 6 s clip is at 3.38 s; st.video starts on whole seconds.
    assert at.get("video")[0].proto.start_time == 3
    at.button(key=f"mark_here_{clip.id}").click().run()
    assert at.number_input(key=f"mark_in_{clip.id}").value == pytest.approx(3.38)


def test_every_thumbnail_button_says_where_it_starts_the_player(store, teacher, clip):
    at = open_review(teacher.id, clip.id)
    labels = [b.label for b in at.button if b.key and b.key.startswith(f"jump_{clip.id}_")]
    assert len(labels) == 8 and len(set(labels)) == 8  # a screen reader hears eight different names
    assert labels[0] == "Start the player at 0:00.4"  # the first picture is a little way in
    assert all(label.startswith("Start the player at 0:0") for label in labels)


def test_captions_typed_for_a_moment_are_kept_and_play_under_it(store, teacher, clip):
    made = cut_moment(store, teacher.id, clip.id, "Circle", 1.0, 3.0)
    at = open_section(open_review(teacher.id, clip.id), f"moment_open_{made.id}")

    def save(typed: str) -> None:  # a form: type and submit in one run, as a browser sends them
        at.text_area(key=f"cc_text_{made.id}").input(typed)
        at.button(key=f"FormSubmitter:cc_{made.id}-Save captions").click().run()

    save("0 1 Shall we?\nnot a caption")
    assert "Line 2" in at.error[0].value
    assert moments.get_moment(store, teacher.id, made.id).captions == ""  # nothing half-saved
    assert at.text_area(key=f"cc_text_{made.id}").value == "0 1 Shall we?\nnot a caption"  # nothing lost
    save("0 1 Shall we?")
    assert moments.get_moment(store, teacher.id, made.id).captions == "0 1 Shall we?"
    assert "Saved the captions" in at.success[0].value
    assert at.get("video")[-1].proto.subtitles[0].label == "Captions"


def test_tagging_a_moment_saves_its_principles(store, teacher, clip):
    moment = cut_moment(store, teacher.id, clip.id, "Waiting", 1, 3)
    at = open_section(open_review(teacher.id, clip.id), f"moment_open_{moment.id}")
    at.multiselect(key=f"tags_{moment.id}").set_value(["attentive", "receiving"]).run()
    at.selectbox(key=f"chain_{moment.id}_receiving").set_value("reception").run()
    at.button(key=f"save_tags_{moment.id}").click().run()
    tags = moments.get_moment(store, teacher.id, moment.id).tags
    assert [(t.principle_key, t.chain_part) for t in tags] == [
        ("attentive", None),
        ("receiving", "reception"),
    ]


def test_sharing_waits_for_consent_then_shares_and_withdraws(store, teacher, clip):
    moment = cut_moment(store, teacher.id, clip.id, "Waiting", 1, 3)
    workshop_id = add_workshop(store, teacher.id)
    at = open_section(open_review(teacher.id, clip.id), f"moment_open_{moment.id}")
    assert any("before sharing" in i.value for i in at.info)
    add_consent(store, teacher.id, clip.id)
    at.run()
    at.text_input(key=f"code_{moment.id}").input("abcd23").run()
    at.button(key=f"share_{moment.id}").click().run()
    assert [m.moment_id for m in shown.shown_moments(store, workshop_id)] == [moment.id]
    assert any(e.label.endswith("shared with 1 workshop") for e in at.expander)
    [share] = sharing.my_shares(store, teacher.id, clip.id)
    at.button(key=f"withdraw_{share.id}").click().run()
    assert shown.shown_moments(store, workshop_id) == []
    assert "Withdrawn" in at.success[0].value


def test_deleting_a_moment_asks_first_then_removes_it(store, teacher, clip):
    moment = cut_moment(store, teacher.id, clip.id, "Waiting", 1, 3)
    at = open_section(open_review(teacher.id, clip.id), f"moment_open_{moment.id}")
    at.button(key=f"delete_moment_{moment.id}").click().run()
    assert moments.list_moments(store, teacher.id, clip.id) != []
    at.button(key=f"yes_delete_moment_{moment.id}").click().run()
    assert moments.list_moments(store, teacher.id, clip.id) == []
    assert not moment.cut.exists()


def test_deleting_the_clip_asks_first_then_removes_everything(store, teacher, clip):
    cut_moment(store, teacher.id, clip.id, "Waiting", 1, 3)
    at = open_review(teacher.id, clip.id)
    at.button(key=f"delete_clip_{clip.id}").click().run()
    at.button(key=f"yes_delete_clip_{clip.id}").click().run()
    assert not clip.original.parent.exists()
    with store.transaction() as s:
        assert s.scalar(select(Moment)) is None
    assert not at.exception


def test_the_helping_question_heads_the_page_and_is_rated(store, teacher, clip):
    at = open_review(teacher.id)
    at.text_area[0].input("How can quieter pupils start more conversations?")
    at.button(key="save_helping").click().run()
    assert helping.active_question(store, teacher.id).cycle == 1
    assert at.segmented_control(key="helping_score").value is None  # no number is chosen for anyone
    assert at.button(key="save_rating").disabled
    at.segmented_control(key="helping_score").set_value(7).run()
    at.button(key="save_rating").click().run()
    assert helping.active_question(store, teacher.id).latest_score == 7
    assert any("cycle 1 · rated 7/10 · only for me" in c.value for c in at.caption)
    assert not helping.active_question(store, teacher.id).shared
    at.toggle(key="share_helping").set_value(True).run()
    assert helping.active_question(store, teacher.id).shared
    assert any(c.value.endswith("· shown to the group with my moments") for c in at.caption)  # at a glance

    at = open_review(teacher.id)  # another visit: the question and where it stands, the rest a click away
    assert any("rated 7/10 · shown to the group" in c.value for c in at.caption)
    assert not at.toggle and not at.segmented_control and not at.text_area and not at.dataframe
    open_section(at, "helping_form_open")  # the rating, the switch, the question, and the cycles so far
    [cycles] = at.dataframe
    assert cycles.value.to_dict("records") == [
        {"Cycle": 1, "Helping question": "How can quieter pupils start more conversations?", "Rating": 7}
    ]


def test_a_freeze_frame_is_taken_and_stepped_one_frame(store, teacher, clip):
    moment = cut_moment(store, teacher.id, clip.id, "Waiting", 1, 3)
    at = open_section(open_review(teacher.id, clip.id), f"moment_open_{moment.id}")
    at.number_input(key=f"freeze_at_{moment.id}").set_value(2.0).run()
    at.button(key=f"freeze_{moment.id}").click().run()
    [frame] = moments.get_moment(store, teacher.id, moment.id).freeze_frames
    assert frame.at_s == 2.0 and frame.making  # kept at once; a worker makes the picture
    assert any("making its picture" in i.value for i in at.info)
    strip = len(_pictures(at))  # the clip's strip of pictures, above
    run_pending(store)
    at.run()  # what the page's watch does once the picture is made
    assert len(_pictures(at)) == strip + 1 and not any("making its picture" in i.value for i in at.info)
    at.button(key=f"fwd_{frame.id}").click().run()
    assert moments.get_moment(store, teacher.id, moment.id).freeze_frames[0].at_s == pytest.approx(2.1)
    assert "Stepped on one frame." in at.success[0].value


def test_review_offers_to_keep_a_clip_until_after_a_later_workshop(store, teacher, clip):
    from datetime import timedelta

    from verp.core.models import Workshop, today
    from verp.review import consent

    moment = cut_moment(store, teacher.id, clip.id, "Sam waits", 0.5, 2.0)
    add_consent(store, teacher.id, clip.id)
    workshop_id = add_workshop(store, teacher.id)
    held_on = today() + timedelta(days=90)
    with store.transaction() as s:
        s.get(Workshop, workshop_id).held_on = held_on
    sharing.share_moment(store, teacher.id, moment.id, "ABCD23")
    at = open_review(teacher.id, clip.id)
    assert any("to be deleted by" in w.value for w in at.warning)
    at.button(key=f"extend_{clip.id}_{workshop_id}").click().run()
    assert not at.exception
    assert consent.get_consent(store, teacher.id, clip.id).delete_by == held_on + timedelta(days=60)
    assert not any("to be deleted by" in w.value for w in at.warning)


def test_the_owner_captions_a_freeze_frame_as_an_initiative(store, teacher, clip):
    moment = cut_moment(store, teacher.id, clip.id, "Waiting", 1, 3)
    [frame] = moments.add_freeze_frame(store, teacher.id, moment.id, 2.0).freeze_frames
    at = open_section(open_review(teacher.id, clip.id), f"moment_open_{moment.id}")
    field = next(t for t in at.text_input if t.label.startswith("Caption"))
    field.set_value("looks up")
    next(s for s in at.selectbox if s.label == "Part of the chain").set_value("initiative")
    at.button[[b.label for b in at.button].index("Save caption")].click().run()
    [saved] = moments.get_moment(store, teacher.id, moment.id).freeze_frames
    assert (saved.id, saved.caption, saved.chain_part) == (frame.id, "looks up", "initiative")


def _pictures(at: AppTest) -> list[str]:
    return [url for image in at.image for url in image.value]


def _grants(urls: list[str], origin: str) -> list[tuple[str, object]]:
    from verp.core.config import load_settings
    from verp.web import MEDIA_ROUTE, read_token

    assert urls and all(url.startswith(f"{origin}{MEDIA_ROUTE}/") for url in urls), urls
    return [read_token(load_settings(), url.rsplit("/", 1)[1]) for url in urls]


def test_a_clips_pictures_come_by_the_owners_signed_link_not_from_the_servers_memory(store, teacher, clip):
    """Thumbnails and freeze-frames are fetched as the clip is played: each link signed for its owner and
    checked on every request (so it dies with the permission), none read into the page's run."""
    from verp.media.processing import STRIP_COUNT
    from verp.web import Grant

    origin = "http://school.example:8501"
    moment = cut_moment(store, teacher.id, clip.id, "Waiting", 1, 3)
    freeze_frame(store, teacher.id, moment.id, 2.0)
    at = AppTest.from_file(APP, default_timeout=30)
    at.context["url"] = f"{origin}/review"
    at.session_state["person_id"] = teacher.id
    at.query_params["clip"] = clip.id
    at = open_section(at.switch_page("pages/review.py").run(), f"moment_open_{moment.id}")
    grants = _grants(_pictures(at), origin)
    names = sorted(name.split("/")[1] for name, _ in grants)
    assert names == ["stills"] + ["thumbs"] * STRIP_COUNT
    assert {grant for _, grant in grants} == {Grant.owner(teacher.id, clip.id)}
    assert all(name.startswith(f"{clip.id}/") for name, _ in grants)

    at = AppTest.from_file(APP, default_timeout=30)
    at.context["url"] = f"{origin}/my_clips"
    at.session_state["person_id"] = teacher.id
    at = at.switch_page("pages/my_clips.py").run()
    [(name, grant)] = _grants(_pictures(at), origin)
    assert (name, grant) == (f"{clip.id}/thumb.jpg", Grant.owner(teacher.id, clip.id))


def test_a_rerun_draws_the_same_video_link_for_minutes_so_a_paused_video_keeps_its_place(
    store, teacher, clip, monkeypatch
):
    """A new link is a new address for the player, which would load the clip again from its start: a
    teacher who paused it and then nudged a mark would lose their place every minute."""
    import time

    from verp.ui import player

    now = [time.time()]
    at = AppTest.from_file(APP, default_timeout=30)
    at.context["url"] = "http://school.example:8501/review"
    at.session_state["person_id"] = teacher.id
    at.query_params["clip"] = clip.id
    at = at.switch_page("pages/review.py").run()
    monkeypatch.setattr(player.time, "time", lambda: now[0])  # the links are signed by the same clock
    first = at.get("video")[0].proto.url
    now[0] += 5 * 60  # five minutes on, the teacher nudges where the moment starts
    at.number_input(key=f"mark_in_{clip.id}").increment().run()
    assert not at.exception and at.get("video")[0].proto.url == first
    now[0] += player.KEEP_S  # long after: a new link, as young as ever
    at.number_input(key=f"mark_in_{clip.id}").increment().run()
    assert at.get("video")[0].proto.url != first


def test_a_clip_past_its_delete_by_date_says_so_and_can_only_be_deleted(store, teacher, clip):
    """Its date has come: nothing on the page plays it, marks it or keeps it longer; deleting it now
    is the one thing left to do."""
    add_consent(store, teacher.id, clip.id)
    at = open_review(teacher.id, clip.id)  # the server is running: its start purge has been
    assert at.get("video")
    with store.transaction() as s:  # the date comes; the hourly purge has not run yet
        s.get(Clip, clip.id).delete_by = today()
    at.run()
    assert not at.exception
    assert "being deleted for good" in at.warning[0].value
    assert at.get("video") == [] and at.date_input == []
    assert not {"My moments", "Consent and deletion"} & {h.value for h in at.header}
    at.button(key=f"delete_clip_{clip.id}").click().run()
    at.button(key=f"yes_delete_clip_{clip.id}").click().run()
    assert not clip.original.parent.exists()
