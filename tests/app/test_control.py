"""Control page: the facilitator's remote — steps, moderation, a reflection for the group."""

from tests.support.apptest import component_data, open_page, open_section, run_page_alone
from tests.support.workshop import go_to_index, make_workshop, share_moment, step_index
from verp.core import accounts
from verp.ui.text import escape_markdown
from verp.ui.workshop import ANOTHER_KEY, CHOICE_KEY, CLOSED_HERE, CLOSED_SINCE, QUEUE_SHOWN, WORKSHOP_KEY
from verp.workshop import reflections, workshops


def live_workshop(store, teacher, colleague):
    w = make_workshop(store, teacher.id)
    share_moment(store, colleague.id, w.id, "Circle time")
    return workshops.open_workshop(store, teacher.id, w.id)


def test_control_is_refused_to_someone_who_is_not_a_facilitator(store, teacher, colleague):
    live_workshop(store, teacher, colleague)
    at = run_page_alone("control", colleague.id)
    assert "for workshop facilitators" in at.warning[0].value
    assert not at.button


def test_next_moves_the_room_on_and_is_kept_in_the_database(store, teacher, colleague):
    w = live_workshop(store, teacher, colleague)
    at = open_page("control", teacher.id)
    at.button(key="next").click().run()
    at.button(key="next").click().run()
    at.button(key="next").click().run()  # welcome → principles → Ben's context → his moment
    now = workshops.get_workshop(store, w.id)
    assert step_index(store, w.id) == 3 and now.state_version > w.state_version
    assert "Step 4 of" in at.subheader[0].value and "· Circle time · Ben Colleague" in at.subheader[0].value
    at.button(key="previous").click().run()
    assert step_index(store, w.id) == 2


def test_a_waiting_reflection_can_be_approved_onto_the_wall(store, teacher, colleague):
    w = live_workshop(store, teacher, colleague)
    workshops.set_auto_approve(store, teacher.id, w.id, False)
    joined = reflections.join_by_code(store, w.join_code, "Cara")
    sent = reflections.submit_reflection(store, w.id, joined.token, "**Calm** voice")
    at = open_page("control", teacher.id)
    assert "**Calm** voice\n— Cara · " in "".join(t.value for t in at.text)  # as text, not Markdown
    at.button(key=f"approve_{sent.id}").click().run()
    assert [r.text for g in reflections.wall(store, w.id) for r in g.reflections] == ["**Calm** voice"]


def test_a_long_queue_shows_the_oldest_few_and_the_next_come_up_as_they_are_done(store, teacher, colleague):
    w = live_workshop(store, teacher, colleague)
    workshops.set_auto_approve(store, teacher.id, w.id, False)
    sent = []
    for n in range(QUEUE_SHOWN + 3):
        joined = reflections.join_by_code(store, w.join_code, f"Phone {n}")
        sent.append(reflections.submit_reflection(store, w.id, joined.token, f"Noticed {n}"))
    at = open_page("control", teacher.id)
    shown = lambda: [b.key for b in at.button if b.key and b.key.startswith("approve_")]  # noqa: E731
    assert shown() == [f"approve_{r.id}" for r in sent[:QUEUE_SHOWN]]  # the oldest first
    assert any(f"{QUEUE_SHOWN + 3} waiting" in h.value and "3 more" in h.value for h in at.subheader)
    at.button(key=f"approve_{sent[0].id}").click().run()
    assert shown() == [f"approve_{r.id}" for r in sent[1 : QUEUE_SHOWN + 1]]


def test_the_facilitator_types_a_reflection_for_the_group(store, teacher, colleague):
    w = live_workshop(store, teacher, colleague)
    at = open_page("control", teacher.id)
    assert not at.text_area  # the form is drawn once its section is opened
    open_section(at, f"group_{w.id}_open")
    at.text_area[0].set_value("We saw lots of waiting")
    at.button[[b.label for b in at.button].index("Add to the wall")].click().run()
    groups = reflections.wall(store, w.id)
    assert [(r.author_name, r.text) for g in groups for r in g.reflections] == [
        ("the group", "We saw lots of waiting")
    ]


def test_go_to_a_step_opens_to_the_list_of_steps_and_moves_the_room(store, teacher, colleague):
    w = live_workshop(store, teacher, colleague)
    at = open_page("control", teacher.id)
    assert not any(box.label == "Go to step" for box in at.selectbox)  # drawn once opened
    at = open_section(at, f"jump_open_{w.id}")
    [steps] = [box for box in at.selectbox if box.label == "Go to step"]
    target = workshops.steps(store, w.id)[3]
    steps.set_value(target.key).run()
    assert workshops.get_workshop(store, w.id).step_key == target.key
    assert at.subheader[0].value.startswith(f"Step 4 of {len(workshops.steps(store, w.id))} · ")


def test_control_links_to_a_signed_projector_link(store, teacher, colleague):
    w = live_workshop(store, teacher, colleague)
    at = open_page("control", teacher.id)
    url = at.get("link_button")[0].proto.url
    token = url.split("w=", 1)[1]
    assert workshops.workshop_from_present_token(store, token).id == w.id


def test_control_signs_its_projector_link_once_not_on_every_run(store, teacher, colleague, monkeypatch):
    """Control runs on every step and approval; the link (good for a day) is kept for half an hour."""
    live_workshop(store, teacher, colleague)
    signed: list = []
    real = workshops.present_token
    monkeypatch.setattr(workshops, "present_token", lambda *a: signed.append(a) or real(*a))
    at = open_page("control", teacher.id)
    first = at.get("link_button")[0].proto.url
    for _ in range(3):
        at.run()
    assert len(signed) == 1 and at.get("link_button")[0].proto.url == first
    at.session_state[next(k for k in at.session_state if k.startswith("present_link_"))] = ("old", -1e9)
    at.run()  # half an hour later: signed (and audited) afresh
    assert len(signed) == 2 and at.get("link_button")[0].proto.url != "present?w=old"


def test_the_owners_next_step_is_saved_at_their_step(store, teacher, colleague):
    w = live_workshop(store, teacher, colleague)
    owner_step = next(s.index for s in workshops.steps(store, w.id) if s.kind == "owner")
    go_to_index(store, teacher.id, w.id, owner_step)
    at = open_page("control", teacher.id)
    at.text_input[0].set_value("Wait five seconds before helping")
    at.button[[b.label for b in at.button].index("Save next step")].click().run()
    assert [(n.participant_name, n.text) for n in reflections.next_steps(store, w.id)] == [
        ("Ben Colleague", "Wait five seconds before helping")
    ]
    assert at.text_input[0].value == ""  # an empty form for the next


def test_a_next_step_saved_from_a_tab_left_open_after_the_close_is_not_saved_and_says_why(
    store, teacher, colleague
):
    w = live_workshop(store, teacher, colleague)
    owner_step = next(s.index for s in workshops.steps(store, w.id) if s.kind == "owner")
    go_to_index(store, teacher.id, w.id, owner_step)
    at = open_page("control", teacher.id)
    workshops.close_workshop(store, teacher.id, w.id)  # from another tab
    at.text_input[0].set_value("Wait five seconds before helping")
    at.button[[b.label for b in at.button].index("Save next step")].click().run()
    assert reflections.next_steps(store, w.id) == []
    assert at.info[0].value.endswith(CLOSED_SINCE)
    at.run()
    assert "has closed" not in " ".join(i.value for i in at.info)  # said once


def test_turning_off_auto_approve_and_closing_from_control(store, teacher, colleague):
    w = live_workshop(store, teacher, colleague)
    at = open_page("control", teacher.id)
    at.toggle(key=f"auto_{w.id}").set_value(False).run()
    assert workshops.get_workshop(store, w.id).auto_approve is False
    at.toggle(key=f"closing_{w.id}").set_value(True).run()
    at.button[[b.label for b in at.button].index("Close the workshop now")].click().run()
    assert workshops.workshop_by_code(store, w.join_code) is None
    assert at.success[0].value.endswith(CLOSED_HERE) and not at.info[0].value.endswith(CLOSED_SINCE)


def test_the_phase_timer_shows_and_pauses(store, teacher, colleague):
    w = live_workshop(store, teacher, colleague)
    at = open_page("control", teacher.id)
    timer = component_data(at, "room_follow")  # the browser ticks it: "Timer 0:07 of about 2 min"
    assert timer["prefix"] == "Timer " and timer["timer"]["running"] and timer["timer"]["seconds"] < 60
    assert timer["keys"]  # the follower hears a clicker's keys too
    (follower,) = at.get("bidi_component")
    assert follower.proto.WhichOneof("data") == "bytes"  # sent as it is, not looked through for tables
    at.button(key="timer").click().run()
    assert not workshops.get_workshop(store, w.id).timer_running
    timer = component_data(at, "room_follow")
    assert timer["suffix"].endswith("(paused)") and not timer["timer"]["running"]


def two_live_workshops_on_the_same_version(store, teacher, colleague):
    a = make_workshop(store, teacher.id, "Group A")
    share_moment(store, colleague.id, a.id, "Circle time")
    workshops.open_workshop(store, teacher.id, a.id)
    a = go_to_index(store, teacher.id, a.id, 3)
    b = make_workshop(store, teacher.id, "Group B")
    share_moment(store, colleague.id, b.id, "Snack time")
    workshops.open_workshop(store, teacher.id, b.id)
    b = workshops.set_auto_approve(store, teacher.id, b.id, False)
    assert a.state_version == b.state_version and a.step_key != b.step_key
    return a, b


def choose(at, workshop_id: int):
    """Choose a workshop on Control: while one is live its choice is folded under "Another workshop…"."""
    if not any(box.key == CHOICE_KEY for box in at.selectbox):
        open_section(at, ANOTHER_KEY)
    return at.selectbox(key=CHOICE_KEY).set_value(workshop_id).run()


def test_while_a_workshop_is_live_control_names_it_and_folds_the_choice_of_another(store, teacher, colleague):
    planned = make_workshop(store, teacher.id, "Autumn group")
    live = live_workshop(store, teacher, colleague)  # held on the same day, made later: second in the list
    at = open_page("control", teacher.id)
    assert [box.key for box in at.selectbox] == [CHOICE_KEY]  # the first open one is planned: the choice
    choose(at, live.id)
    # live: its name, the choice folded
    assert not at.selectbox and at.header[0].value.startswith(escape_markdown(live.title))
    at.button(key="next").click().run()
    assert not at.selectbox and at.header[0].value.startswith(escape_markdown(live.title))
    choose(at, planned.id)
    assert at.selectbox(key=CHOICE_KEY).value == planned.id and not at.header  # the choice again, on top
    assert [b.label for b in at.button if b.label == "Open the workshop"]
    choose(at, live.id)
    assert not at.selectbox and at.header[0].value.startswith(escape_markdown(live.title))


def test_a_facilitators_first_control_folds_the_choice_when_the_first_workshop_is_live(
    store, teacher, colleague
):
    live = live_workshop(store, teacher, colleague)
    at = open_page("control", teacher.id)
    assert not at.selectbox and at.header[0].value.startswith(escape_markdown(live.title))
    assert any(e.proto.id.endswith(f"-{ANOTHER_KEY}") for e in at.expander)


def test_a_live_workshop_of_another_facilitator_is_never_drawn_from_a_tabs_choice(store, teacher, colleague):
    """An id left in the tab that is not one of the facilitator's own: the choice of their own instead."""
    accounts.set_facilitator(store, teacher.id, colleague.id)
    mine = live_workshop(store, teacher, colleague)
    theirs = make_workshop(store, colleague.id, "Theirs")
    share_moment(store, teacher.id, theirs.id, "Circle time")
    workshops.open_workshop(store, colleague.id, theirs.id)
    at = open_page("control", teacher.id)
    assert not at.selectbox  # their own live one, folded: no choice drawn, nothing held for it
    at.session_state[WORKSHOP_KEY] = theirs.id
    at.run()
    assert not at.exception and not at.header
    assert at.selectbox(key=CHOICE_KEY).options == [f"{mine.title} · {mine.held_on:%d %b %Y}"]
    assert "Theirs" not in "".join(str(e.value) for e in at.text)


def test_switching_workshops_in_control_does_not_move_the_other_room(store, teacher, colleague):
    a, b = two_live_workshops_on_the_same_version(store, teacher, colleague)
    at = open_page("control", teacher.id)
    choose(at, a.id)
    choose(at, b.id)
    choose(at, a.id)
    assert workshops.get_workshop(store, b.id).step_key == b.step_key
    assert workshops.get_workshop(store, a.id).step_key == a.step_key
    assert workshops.get_workshop(store, b.id).auto_approve is False
    assert workshops.get_workshop(store, a.id).auto_approve is True


def test_the_close_toggle_of_one_workshop_is_not_carried_to_another(store, teacher, colleague):
    a, b = two_live_workshops_on_the_same_version(store, teacher, colleague)
    at = open_page("control", teacher.id)
    choose(at, a.id)
    at.toggle(key=f"closing_{a.id}").set_value(True).run()
    choose(at, b.id)
    assert "Close the workshop now" not in [x.label for x in at.button]


def test_approving_a_reflection_that_changed_meanwhile_says_so_instead_of_crashing(
    store, teacher, colleague, monkeypatch
):
    w = live_workshop(store, teacher, colleague)
    workshops.set_auto_approve(store, teacher.id, w.id, False)
    joined = reflections.join_by_code(store, w.join_code, "Cara")
    sent = reflections.submit_reflection(store, w.id, joined.token, "Calm voice")
    at = open_page("control", teacher.id)

    def gone(*args, **kwargs):  # taken back between the draw and the click
        raise workshops.WorkshopError("That reflection is no longer there.")

    monkeypatch.setattr(reflections, "moderate", gone)
    at.button(key=f"approve_{sent.id}").click().run()
    assert not at.exception
    assert "no longer there" in at.warning[0].value


def test_a_failed_save_keeps_the_typed_group_reflection(store, teacher, colleague, monkeypatch):
    w = live_workshop(store, teacher, colleague)
    at = open_section(open_page("control", teacher.id), f"group_{w.id}_open")

    def refused(*args, **kwargs):
        raise reflections.ReflectionError("Please keep it shorter.")

    with monkeypatch.context() as patched:
        patched.setattr(reflections, "add_group_reflection", refused)
        at.text_area[0].set_value("We saw lots of waiting")
        at.selectbox(key=f"group_{w.id}_principle").set_value("attentive")
        at.button[[b.label for b in at.button].index("Add to the wall")].click().run()
    assert "Please keep it shorter." in at.error[0].value
    principle = at.selectbox(key=f"group_{w.id}_principle")
    assert at.text_area[0].value == "We saw lots of waiting" and principle.value == "attentive"
    at.button[[b.label for b in at.button].index("Add to the wall")].click().run()
    assert [r.text for g in reflections.wall(store, w.id) for r in g.reflections] == [
        "We saw lots of waiting"
    ]
    principle = at.selectbox(key=f"group_{w.id}_principle")
    assert not at.text_area[0].value and not principle.value  # a fresh form after a successful save


def test_a_failed_save_keeps_the_typed_next_step(store, teacher, colleague, monkeypatch):
    w = live_workshop(store, teacher, colleague)
    owner_step = next(s.index for s in workshops.steps(store, w.id) if s.kind == "owner")
    go_to_index(store, teacher.id, w.id, owner_step)
    at = open_page("control", teacher.id)

    def refused(*args, **kwargs):
        raise workshops.WorkshopError("This workshop is closed.")

    monkeypatch.setattr(reflections, "record_next_step", refused)
    at.text_input[0].set_value("Wait five seconds")
    at.button[[b.label for b in at.button].index("Save next step")].click().run()
    assert at.error and at.text_input[0].value == "Wait five seconds"


def test_a_name_in_the_next_step_label_is_not_markdown(store, teacher):
    from verp.core.accounts import create_person

    sneaky = create_person(store, "[Ben](https://evil.example) **x**", "another long passphrase")
    w = make_workshop(store, teacher.id)
    share_moment(store, sneaky.id, w.id, "Circle time")
    workshops.open_workshop(store, teacher.id, w.id)
    owner_step = next(s.index for s in workshops.steps(store, w.id) if s.kind == "owner")
    go_to_index(store, teacher.id, w.id, owner_step)
    at = open_page("control", teacher.id)
    label = at.text_input[0].label
    assert "](" not in label.replace("\\]\\(", "") and "\\*\\*x\\*\\*" in label


def test_at_the_owners_step_their_rating_is_saved_to_this_workshop(store, teacher, colleague):
    from tests.support.workshop import add_helping_question
    from verp.records import summary

    w = live_workshop(store, teacher, colleague)
    add_helping_question(store, colleague.id, "How can I wait longer?", shared=False)
    workshops.go_to_step(store, teacher.id, w.id, f"owner:p{colleague.id}")
    at = open_page("control", teacher.id)
    key = f"rating_{w.id}_{colleague.id}_score"
    assert at.segmented_control(key=key).value is None  # nobody's rating starts at 5
    at.button[[b.label for b in at.button].index("Save rating")].click().run()
    assert any("0 to 10" in e.value for e in at.error)
    at.segmented_control(key=key).set_value(7)
    at.button[[b.label for b in at.button].index("Save rating")].click().run()
    lines = {p.name: p.helping_questions for p in summary.workshop_summary(store, w.id).participants}
    assert [q.ratings for q in lines["Ben Colleague"]] == [(7,)]
    assert at.segmented_control(key=key).value is None  # nothing chosen for the next


def test_a_waiting_reflection_with_deficit_wording_is_marked_before_approval(store, teacher, colleague):
    w = live_workshop(store, teacher, colleague)
    workshops.set_auto_approve(store, teacher.id, w.id, False)
    joined = reflections.join_by_code(store, w.join_code, "Cara")
    reflections.submit_reflection(store, w.id, joined.token, "She should have waited")
    reflections.submit_reflection(store, w.id, joined.token, "I noticed her calm voice")
    at = open_page("control", teacher.id)
    marks = [m.value for m in at.warning if "deficit" in m.value]
    assert marks == ["Possibly deficit wording (“should have”): read it before it goes up."]
    assert reflections.wall(store, w.id) == []


def test_control_drives_the_projectors_player_frame_by_frame(store, teacher, colleague):
    w = live_workshop(store, teacher, colleague)
    workshops.go_to_step(store, teacher.id, w.id, workshops.steps(store, w.id)[3].key)  # the moment
    at = open_page("control", teacher.id)
    assert any("locked" in c.value for c in at.caption)  # the projector plays muted until clicked
    at.button(key="pb_rate").click().run()
    at.button(key="pb_sound").click().run()
    at.button(key="pb_freeze").click().run()
    at.button(key="pb_back").click().run()
    p = workshops.playback(workshops.get_workshop(store, w.id))
    assert (p.rate, p.muted, p.playing, p.seek_seq, p.seek_relative) == (0.5, False, False, 1, True)
    assert at.button(key="pb_play").label == "Play" and at.button(key="pb_rate").label == "Normal speed"


def test_a_group_reflection_is_filed_under_the_step_the_page_showed(store, teacher, colleague):
    """Added while the page showed Ben's moment, it is about that moment, even if the room was moved on
    from another tab before this page was drawn again."""
    w = live_workshop(store, teacher, colleague)
    go_to_index(store, teacher.id, w.id, 3)  # Ben's moment
    at = open_page("control", teacher.id)
    assert at.subheader[0].value.endswith("· Circle time · Ben Colleague")
    open_section(at, f"group_{w.id}_open")
    go_to_index(store, teacher.id, w.id, 1)  # elsewhere
    at.text_area[0].set_value("He waited for her to choose")
    at.button[[b.label for b in at.button].index("Add to the wall")].click().run()
    [added] = [r for g in reflections.wall(store, w.id) for r in g.reflections]
    assert (added.text, added.moment_title) == ("He waited for her to choose", "Circle time")


def test_a_second_press_with_the_words_still_in_the_browser_saves_them_once(store, teacher, colleague):
    w = live_workshop(store, teacher, colleague)
    at = open_section(open_page("control", teacher.id), f"group_{w.id}_open")
    for _ in range(2):  # the browser may not yet have drawn the emptied form when Add is pressed again
        at.text_area[0].set_value("We saw lots of waiting")
        at.button[[b.label for b in at.button].index("Add to the wall")].click().run()
    on_the_wall = [r.text for g in reflections.wall(store, w.id) for r in g.reflections]
    assert on_the_wall == ["We saw lots of waiting"]
    owner_step = next(s.index for s in workshops.steps(store, w.id) if s.kind == "owner")
    go_to_index(store, teacher.id, w.id, owner_step)
    at.run()
    for _ in range(2):
        at.text_input[0].set_value("Wait five seconds")
        at.button[[b.label for b in at.button].index("Save next step")].click().run()
    assert [n.text for n in reflections.next_steps(store, w.id)] == ["Wait five seconds"]
    assert not at.error


def test_control_says_nothing_of_a_closed_workshop_it_was_not_running(store, teacher, colleague):
    """A workshop closed long ago, chosen on Plan (or a facilitator whose workshops have all closed)."""
    w = live_workshop(store, teacher, colleague)
    workshops.close_workshop(store, teacher.id, w.id)
    at = open_page("control", teacher.id)
    at.session_state["workshop_id"] = w.id  # as Plan keeps its choice
    at.run()
    assert "has closed" not in " ".join(i.value for i in at.info)
