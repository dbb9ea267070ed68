"""The whole-intervention pages: Groups, Plan's session choice, the series opening on Present,
One-to-one, the Guider's log with supervision, and My progress."""

from datetime import date, timedelta

from tests.app.test_present import all_text
from tests.support.apptest import component_data, open_page, open_section
from tests.support.series import consented_moment, group_with_two_sessions
from verp.core.accounts import create_person
from verp.records import guider_log
from verp.workshop import groups, one_to_one, workshops


def form_of(at, form_id: str):
    """The form with this key, wherever it sits on the page."""
    return next(f for f in at.get("form") if f.proto.form.form_id == form_id)


def test_a_facilitator_makes_a_group_of_three_sessions(store, teacher, colleague):
    at = open_page("groups", teacher.id)
    at.text_input[0].set_value("Spring group")
    at.multiselect[0].set_value([colleague.id])
    at.button[0].click().run()
    (group,) = groups.my_groups(store, teacher.id)
    assert (group.name, group.planned_sessions, [m.name for m in group.members]) == (
        "Spring group",
        3,
        ["Ben Colleague"],
    )
    assert "Session 3: not planned yet" in [t.value for t in at.text]


def test_groups_are_for_facilitators_only(store, teacher, colleague):
    at = open_page("groups", colleague.id)
    assert "for workshop facilitators" in at.warning[0].value


def test_plan_makes_a_workshop_a_session_of_a_group(store, teacher, colleague):
    group = groups.create_group(store, teacher.id, "Spring group", [colleague.id], 3)
    w = workshops.create_workshop(store, teacher.id, "Second meeting", __import__("datetime").date.today())
    at = open_section(open_page("plan", teacher.id), f"series_open_{w.id}")
    form = form_of(at, f"series_{w.id}")
    form.selectbox[0].set_value(group.id)
    form.number_input[0].set_value(2)
    form.button[0].click().run()
    assert groups.session_of(store, w.id)[1] == 2


def test_present_opens_session_two_with_session_ones_next_steps(store, teacher, colleague):
    _, _, second = group_with_two_sessions(store, teacher.id, colleague.id)
    workshops.go_to_step(store, teacher.id, second.id, "series_opening")
    at = open_page("present", query={"w": workshops.present_token(store, teacher.id, second.id)})
    text = all_text(at)
    assert "Since session 1" in text and "What did you try?" in text
    assert "Next step: Wait longer" in text and "Ben Colleague" in text
    assert len(at.get("vega_lite_chart")) == 1  # one member, one chart of their own


def test_a_one_to_one_with_a_parent_is_started_and_its_review_saved(store, teacher):
    at = open_page("one_to_one", teacher.id)
    at.text_input[0].set_value("Parent A")
    at.selectbox[0].set_value("parent")
    at.button[0].click().run()
    (view,) = one_to_one.my_one_to_ones(store, teacher.id)
    assert view.holds_clips and "Parent A" in at.success[0].value
    uploader = component_data(at, "clip_uploader")  # streamed in chunks: never Streamlit's file_uploader
    assert uploader["text"]["label"] == "Add a clip they filmed" and not at.get("file_uploader")
    assert "→ Goal-setting" in [t.value for t in at.text][0]
    at.text_area[0].set_value("I waited and he showed me the duck")
    record = form_of(at, f"record_{view.id}_1")
    record.button[0].click().run()
    assert "0 to 10" in at.error[0].value  # no rating yet: nothing is assumed
    at.text_area[0].set_value("I waited and he showed me the duck")
    at.radio[1].set_value(6)
    record = form_of(at, f"record_{view.id}_1")
    record.text_input[0].set_value("Wait for him at bath time")
    record.button[0].click().run()
    review = one_to_one.get_one_to_one(store, teacher.id, view.id).review(1)
    assert (review.rating, review.words) == (6, "I waited and he showed me the duck")


def test_the_guider_sees_a_chosen_moment_with_the_micro_analysis_player(store, teacher, colleague, tmp_path):
    view = one_to_one.start_one_to_one(store, teacher.id, "T-1", "teacher", 1, participant_id=colleague.id)
    _, moment = consented_moment(store, colleague.id, tmp_path)
    one_to_one.choose_moment(store, colleague.id, view.id, moment.id, 1)
    at = open_page("one_to_one", teacher.id)
    html = "\n".join(h.proto.body for h in at.get("html"))
    for control in ("Freeze", "Frame back", "Frame on", "Half speed"):
        assert control in html
    assert "Story time" in [t.value for t in at.text]


def test_the_guider_is_told_when_a_chosen_moment_is_being_cut_and_when_it_could_not_be(
    store, teacher, colleague, tmp_path
):
    from verp.core.models import Moment

    view = one_to_one.start_one_to_one(store, teacher.id, "T-1", "teacher", 1, participant_id=colleague.id)
    _, moment = consented_moment(store, colleague.id, tmp_path)
    one_to_one.choose_moment(store, colleague.id, view.id, moment.id, 1)
    with store.transaction() as s:  # its owner saved new times: a worker is cutting them
        row = s.get(Moment, moment.id)
        row.cut_name, row.cut_status = None, "cutting"
    at = open_page("one_to_one", teacher.id)
    assert any("not ready yet" in c.value for c in at.caption)
    with store.transaction() as s:
        s.get(Moment, moment.id).cut_status = "failed"
    at.run()
    assert any("could not be cut" in c.value for c in at.caption)
    assert not any("not ready yet" in c.value for c in at.caption)


def test_the_log_lists_reviews_and_a_supervisor_adds_a_note(store, teacher, colleague):
    group_with_two_sessions(store, teacher.id, colleague.id)
    at = open_page("guider_log", teacher.id)
    assert any("Group workshop · cycle 1" in t.value for t in at.text)
    at.text_area[0].set_value("I waited more than last time")
    form_of(at, f"reflect_{guider_log.my_log(store, teacher.id)[0].id}").button[0].click().run()
    (entry,) = guider_log.my_log(store, teacher.id)
    assert entry.reflection == "I waited more than last time"
    sue = create_person(store, "Sue Supervisor", "supervising passphrase")
    guider_log.share_entry(store, teacher.id, entry.id, sue.id)
    sup = open_page("guider_log", sue.id)
    assert any("Their reflection: I waited more than last time" in t.value for t in sup.text)
    sup.text_area[0].set_value("Good noticing")
    form_of(sup, f"note_{entry.id}").button[0].click().run()
    assert [n.text for n in guider_log.my_log(store, teacher.id)[0].notes] == ["Good noticing"]
    links = "".join(h.proto.body for h in open_page("guider_log", teacher.id).get("html"))
    assert ">Download my log (PDF)</a>" in links and ">Download my log (spreadsheet, CSV)</a>" in links


def test_a_supervisors_note_is_not_lost_when_the_entry_stops_being_shared_meanwhile(
    store, teacher, colleague
):
    """The guider stops sharing while the supervisor writes: the note is kept on screen to copy, with
    the reason it was not added."""
    group_with_two_sessions(store, teacher.id, colleague.id)
    (entry,) = guider_log.my_log(store, teacher.id)
    sue = create_person(store, "Sue Supervisor", "supervising passphrase")
    guider_log.share_entry(store, teacher.id, entry.id, sue.id)
    sup = open_page("guider_log", sue.id)
    sup.text_area[0].set_value("A long, careful note about waiting")
    guider_log.unshare_entry(store, teacher.id, entry.id, sue.id)
    form_of(sup, f"note_{entry.id}").button[0].click().run()
    assert not sup.exception
    assert any("no longer shared" in e.value for e in [*sup.error, *sup.warning, *sup.info])
    shown = [t.value for t in sup.text] + [t.value for t in sup.text_area]
    assert any("A long, careful note about waiting" in words for words in shown)
    assert guider_log.my_log(store, teacher.id)[0].notes == ()


def test_the_one_to_one_page_opens_after_the_next_meeting_date_has_passed(store, teacher):
    view = one_to_one.start_one_to_one(store, teacher.id, "Parent A", "parent", 3)
    one_to_one.set_goal(store, teacher.id, view.id, "Waiting for him", date.today() - timedelta(days=1))
    at = open_page("one_to_one", teacher.id)
    assert not at.exception
    assert at.date_input[0].value == date.today() - timedelta(days=1)


def test_the_guider_shares_an_entry_with_the_supervisor_they_pick(store, teacher, colleague):
    group_with_two_sessions(store, teacher.id, colleague.id)
    sue = create_person(store, "Sue Supervisor", "supervising passphrase")
    (entry,) = guider_log.my_log(store, teacher.id)
    at = open_page("guider_log", teacher.id)
    picker = at.selectbox(key=f"sup_{entry.id}")
    assert "Sue Supervisor" in picker.options  # shown by name, chosen by id
    picker.select(sue.id).run()
    at.button(key=f"share_{entry.id}").click().run()
    assert guider_log.my_log(store, teacher.id)[0].supervisors == ((sue.id, "Sue Supervisor"),)


def test_my_progress_shows_the_next_session_and_what_i_set_myself(store, teacher, colleague):
    group_with_two_sessions(store, teacher.id, colleague.id)
    at = open_page("my_progress", colleague.id)
    texts = [t.value for t in at.text]
    assert any(t.startswith("Next: session 2 of 3 on") for t in texts)
    assert "My next step: Wait longer" in texts
    buttons = {b.proto.label: b.proto for b in at.get("download_button")}
    assert "Until we meet again (PDF)" in buttons and "Calendar: next session and filming reminder" in buttons
    assert all(b.ignore_rerun for b in buttons.values())  # a click reruns nothing that could drop the file


def test_a_participant_shares_a_moment_with_their_guider_from_my_progress(
    store, teacher, colleague, tmp_path
):
    view = one_to_one.start_one_to_one(store, teacher.id, "T-1", "teacher", 3, participant_id=colleague.id)
    _, moment = consented_moment(store, colleague.id, tmp_path)
    at = open_page("my_progress", colleague.id)
    form = form_of(at, f"oto_choose_{view.id}")
    form.button[0].click().run()
    assert [m.moment_id for m in one_to_one.chosen_moments(store, colleague.id, view.id)] == [moment.id]
    assert "Shared with Ana Teacher for review 1." in at.success[0].value


def test_my_progress_draws_every_cycle_rated_not_only_the_first_three(store, teacher):
    """A fourth cycle (or a twelfth) is a point on the chart, not drawn past its right edge."""
    import json

    from verp.review import helping

    for cycle, score in ((1, 4), (2, 5), (5, 8)):
        helping.set_helping_question(store, teacher.id, "How do I wait longer?", cycle=cycle)
        helping.rate(store, teacher.id, score)
    at = open_page("my_progress", teacher.id)
    [chart] = at.get("vega_lite_chart")
    spec = json.loads(chart.proto.spec)
    assert spec["encoding"]["x"]["scale"]["domain"] == [1, 5]
