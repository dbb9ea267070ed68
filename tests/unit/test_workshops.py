"""Workshops: join codes, access, live state in the database, the running order and the agenda."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import pytest
from sqlalchemy import Engine, event

from tests.support.workshop import add_helping_question, go_to_index, make_workshop, share_moment
from verp.core.accounts import set_facilitator
from verp.core.errors import NotYours, VerpError
from verp.core.models import AuditEvent, Person, Share, utcnow
from verp.workshop import workshops
from verp.workshop.workshops import CODE_ALPHABET, WorkshopError


def kinds(store, workshop_id):
    return [s.kind for s in workshops.steps(store, workshop_id)]


def test_join_codes_are_short_unambiguous_and_unique(store, teacher):
    codes = {make_workshop(store, teacher.id, f"Group {i}").join_code for i in range(40)}
    assert len(codes) == 40
    assert all(len(c) == 6 and set(c) <= set(CODE_ALPHABET) for c in codes)
    assert not set("0O1IL5S2Z8B") & set(CODE_ALPHABET)


def test_a_join_code_stops_working_when_the_workshop_closes(store, teacher):
    w = make_workshop(store, teacher.id)
    assert workshops.workshop_by_code(store, w.join_code.lower()).id == w.id
    workshops.close_workshop(store, teacher.id, w.id)
    assert workshops.workshop_by_code(store, w.join_code) is None


def test_only_facilitators_plan_workshops(store, teacher, colleague):
    with pytest.raises(WorkshopError, match="Only a facilitator"):
        make_workshop(store, colleague.id)
    set_facilitator(store, teacher.id, colleague.id)
    assert make_workshop(store, colleague.id).facilitator_id == colleague.id


def test_a_facilitator_cannot_drive_someone_elses_workshop(store, teacher, colleague):
    w = make_workshop(store, teacher.id)
    set_facilitator(store, teacher.id, colleague.id)
    with pytest.raises(NotYours, match="no workshop of yours"):
        workshops.step_by(store, colleague.id, w.id, 1)
    assert workshops.my_workshops(store, colleague.id) == []


def test_unknown_focus_and_empty_title_are_refused(store, teacher):
    with pytest.raises(WorkshopError, match="Unknown principle"):
        make_workshop(store, teacher.id, focus=["shouting"])
    with pytest.raises(WorkshopError, match="title"):
        workshops.create_workshop(store, teacher.id, "   ", date.today())


def test_the_running_order_goes_through_each_participant(store, teacher, colleague):
    w = make_workshop(store, teacher.id)
    share_moment(store, colleague.id, w.id, "Ben at circle time", position=0)
    share_moment(store, teacher.id, w.id, "Ana's story", position=1)
    share_moment(store, colleague.id, w.id, "Ben at lunch", position=2)
    add_helping_question(store, colleague.id, "How can I wait longer?", shared=True)
    add_helping_question(store, teacher.id, "Private question", shared=False)
    phases = ["voice", "prompt", "prompt", "prompt"]  # the owner speaks first, then the group
    ben = ["helping_question", "moment", *phases, "moment", *phases, "wall", "take", "owner"]
    ana = ["helping_question", "moment", *phases, "wall", "take", "owner"]
    assert kinds(store, w.id) == ["welcome", "principles", *ben, *ana, "close"]
    all_steps = workshops.steps(store, w.id)
    assert all_steps[2].helping_question == "How can I wait longer?"
    assert not any("Private question" in s.helping_question for s in all_steps)
    assert all_steps[4].prompts == ("What were you thinking, feeling, hoping here?",)
    assert all_steps[5].prompts == ("What do you notice that is working?",)
    assert all_steps[2].prompts == ("What was happening, and what were you hoping for?",)
    assert [s.index for s in all_steps] == list(range(len(all_steps)))


def test_a_withdrawn_moment_leaves_the_running_order(store, teacher, colleague):
    w = make_workshop(store, teacher.id)
    share_id, _ = share_moment(store, colleague.id, w.id, "Gone soon")
    assert "moment" in kinds(store, w.id)
    with store.transaction() as s:
        s.get(Share, share_id).withdrawn_at = utcnow()
    assert kinds(store, w.id) == ["welcome", "principles", "close"]


def test_the_owners_note_is_shown_only_when_they_shared_it(store, teacher, colleague):
    w = make_workshop(store, teacher.id)
    share_moment(store, colleague.id, w.id, "a", note="private worry")
    share_moment(store, colleague.id, w.id, "b", note="I felt calm", share_note=True)
    notes = [m.note for m in workshops.shown_moments(store, w.id)]
    assert notes == [None, "I felt calm"]


def test_prompt_set_changes_the_phases_of_that_moment(store, teacher, colleague):
    w = make_workshop(store, teacher.id)
    share_id, _ = share_moment(store, colleague.id, w.id)
    assert kinds(store, w.id).count("prompt") == 3
    workshops.set_prompt_set(store, teacher.id, w.id, share_id, "short")
    assert kinds(store, w.id).count("prompt") == 2
    with pytest.raises(WorkshopError):
        workshops.set_prompt_set(store, teacher.id, w.id, share_id, "nope")


def test_moving_a_moment_changes_the_running_order(store, teacher, colleague):
    w = make_workshop(store, teacher.id)
    first, _ = share_moment(store, colleague.id, w.id, "first", position=0)
    second, _ = share_moment(store, colleague.id, w.id, "second", position=1)
    workshops.move_share(store, teacher.id, w.id, second, -1)
    assert [m.title for m in workshops.shown_moments(store, w.id)] == ["second", "first"]


def test_live_state_is_kept_in_the_database_and_versioned(store, teacher, colleague):
    w = make_workshop(store, teacher.id)
    share_moment(store, colleague.id, w.id)
    opened = workshops.open_workshop(store, teacher.id, w.id)
    assert opened.status == "live" and opened.timer_running
    moved = workshops.step_by(store, teacher.id, w.id, 1)
    assert moved.step_key == "principles" and moved.state_version > opened.state_version
    paused = workshops.set_playing(store, teacher.id, w.id, False)
    # a "restart": a brand-new read sees the same state
    again = workshops.get_workshop(store, w.id)
    assert (again.step_key, again.playing, again.state_version) == ("principles", False, paused.state_version)
    assert workshops.state_version(store, w.id) == paused.state_version


def test_steps_are_clamped_to_the_plan(store, teacher):
    w = make_workshop(store, teacher.id)
    assert workshops.step_by(store, teacher.id, w.id, 99).step_key == "close"
    assert workshops.step_by(store, teacher.id, w.id, -10).step_key == "welcome"


def test_a_step_that_is_not_in_the_running_order_is_refused(store, teacher):
    w = make_workshop(store, teacher.id)
    with pytest.raises(WorkshopError, match="no longer in the running order"):
        workshops.go_to_step(store, teacher.id, w.id, "moment:p1:s99")
    assert workshops.get_workshop(store, w.id).step_key == "welcome"


def test_the_phase_timer_pauses_and_restarts_on_a_new_step(store, teacher):
    w = workshops.open_workshop(store, teacher.id, make_workshop(store, teacher.id).id)
    paused = workshops.set_timer_running(store, teacher.id, w.id, False)
    assert not paused.timer_running and paused.timer_seconds() >= 0
    frozen = paused.timer_seconds()
    assert workshops.get_workshop(store, w.id).timer_seconds() == frozen
    moved = workshops.step_by(store, teacher.id, w.id, 1)
    assert moved.timer_elapsed_s == 0 and moved.timer_running


def test_a_closed_workshop_cannot_be_driven(store, teacher):
    w = make_workshop(store, teacher.id)
    workshops.close_workshop(store, teacher.id, w.id)
    with pytest.raises(WorkshopError, match="closed"):
        workshops.step_by(store, teacher.id, w.id, 1)


def test_the_projector_link_is_refused_once_the_workshop_closes(store, teacher, colleague):
    w = make_workshop(store, teacher.id)
    token = workshops.present_token(store, teacher.id, w.id)
    assert workshops.workshop_from_present_token(store, token).id == w.id
    with pytest.raises(WorkshopError, match="not valid"):
        workshops.workshop_from_present_token(store, token + "x")
    set_facilitator(store, teacher.id, colleague.id)
    with pytest.raises(NotYours):
        workshops.present_token(store, colleague.id, w.id)
    workshops.close_workshop(store, teacher.id, w.id)
    with pytest.raises(WorkshopError, match="closed"):
        workshops.workshop_from_present_token(store, token)


def test_the_agenda_lists_every_step_with_its_start_and_an_honest_total(store, teacher, colleague):
    w = make_workshop(store, teacher.id)
    share_moment(store, colleague.id, w.id, position=0)
    share_moment(store, colleague.id, w.id, position=1)
    share_moment(store, teacher.id, w.id, position=2)
    items = workshops.agenda(store, w.id)
    assert [i.key for i in items] == [s.key for s in workshops.steps(store, w.id)]
    for before, after in zip(items, items[1:], strict=False):
        assert after.starts_at_min == before.starts_at_min + before.minutes
    plan = workshops.timings(store, w.id)
    assert plan.total_min == items[-1].starts_at_min + items[-1].minutes
    assert plan.participants == 2


def test_a_plan_past_ninety_minutes_is_warned_with_what_to_cut(store, teacher, colleague):
    w = make_workshop(store, teacher.id)
    for position in range(4):  # two people with two or more moments each: well past an hour and a half
        share_moment(store, colleague.id if position % 2 else teacher.id, w.id, position=position)
    share_moment(store, colleague.id, w.id, position=5)
    plan = workshops.timings(store, w.id)
    assert plan.total_min > 90
    assert any("short prompt set" in tip and "fewer moments" in tip for tip in plan.advice)
    keys = {i.key: 1 for i in plan.items}
    workshops.set_step_minutes(store, teacher.id, w.id, keys)
    shorter = workshops.timings(store, w.id)
    assert shorter.total_min == len(keys) and not any("past 90" in tip for tip in shorter.advice)


def test_step_minutes_must_be_sensible_and_only_the_facilitator_sets_them(store, teacher, colleague):
    w = make_workshop(store, teacher.id)
    with pytest.raises(WorkshopError, match="number"):
        workshops.set_step_minutes(store, teacher.id, w.id, {"welcome": "soon"})
    with pytest.raises(WorkshopError, match="0 to 180"):
        workshops.set_step_minutes(store, teacher.id, w.id, {"welcome": -1})
    with pytest.raises(VerpError):
        workshops.set_step_minutes(store, colleague.id, w.id, {"welcome": 3})
    assert workshops.steps(store, w.id)[0].minutes == 5


def test_a_group_outside_three_to_six_gets_guidance(store, teacher, colleague):
    w = make_workshop(store, teacher.id)
    share_moment(store, colleague.id, w.id)
    assert any(
        tip.startswith("1 person is sharing. Groups of 3 to 6")
        for tip in workshops.timings(store, w.id).advice
    )


def test_opening_and_closing_are_in_the_audit_trail(store, teacher):
    w = make_workshop(store, teacher.id)
    workshops.open_workshop(store, teacher.id, w.id)
    workshops.close_workshop(store, teacher.id, w.id)
    with store.transaction() as s:
        rows = s.query(AuditEvent).filter(AuditEvent.subject == f"workshop:{w.id}").order_by(AuditEvent.id)
        assert [(e.actor, e.action) for e in rows] == [
            (f"person:{teacher.id}", "workshop_created"),
            (f"person:{teacher.id}", "workshop_opened"),
            (f"person:{teacher.id}", "workshop_closed"),
        ]


def test_putting_a_moment_in_front_of_the_room_is_in_the_audit_log(store, teacher, colleague):
    from tests.support.workshop import make_workshop, share_moment
    from verp.core import audit

    w = make_workshop(store, teacher.id, "Audited group")
    share_moment(store, colleague.id, w.id, "Circle time")
    workshops.open_workshop(store, teacher.id, w.id)
    moment_step = next(st.index for st in workshops.steps(store, w.id) if st.moment is not None)
    go_to_index(store, teacher.id, w.id, moment_step)
    go_to_index(store, teacher.id, w.id, moment_step + 1)  # same moment, next prompt
    projected = [e for e in audit.recent_events(store) if e.action == "projected"]
    assert len(projected) == 1 and projected[0].subject.startswith("moment:")


def test_a_title_and_ground_rules_keep_no_control_characters(store, teacher):
    """A NUL pasted into a title is refused outright by PostgreSQL; an override makes it read backwards."""
    w = workshops.create_workshop(
        store, teacher.id, "Spring\x00 \u202egroup", date(2027, 3, 1), ground_rules="Be kind\x1b.\nListen."
    )
    assert (w.title, w.ground_rules) == ("Spring group", "Be kind.\nListen.")


def test_next_pressed_for_a_step_the_room_has_left_does_nothing(store, teacher, colleague):
    """Two Control tabs that both show step 1 each press Next (or one button is clicked twice before
    the page is drawn again): the room goes to step 2, not 3. Each press names the step it was made on."""
    w = make_workshop(store, teacher.id)
    share_moment(store, colleague.id, w.id, "Circle time")
    w = workshops.open_workshop(store, teacher.id, w.id)
    seen, order = workshops.room_step(store, w)
    workshops.step_by(store, teacher.id, w.id, 1, seen.key)  # tab A
    workshops.step_by(store, teacher.id, w.id, 1, seen.key)  # tab B, drawn before A's press
    assert workshops.room_step(store, workshops.get_workshop(store, w.id))[0].key == order[1].key
    workshops.step_by(store, teacher.id, w.id, -1, seen.key)  # Previous from step 1, also stale
    assert workshops.room_step(store, workshops.get_workshop(store, w.id))[0].key == order[1].key
    workshops.step_by(store, teacher.id, w.id, 1)  # a clicker's press: from wherever the room is
    assert workshops.room_step(store, workshops.get_workshop(store, w.id))[0].key == order[2].key


def test_controls_list_is_the_facilitators_open_workshops_and_the_one_it_last_ran(store, teacher, colleague):
    """Control reads only the workshops still open (a facilitator's closed ones grow for years), and the
    one its tab last ran even once closed, to say so; never a colleague's, nor any once the role goes."""
    first, second, third = (make_workshop(store, teacher.id, title) for title in ("One", "Two", "Three"))
    for closed in (first, second):
        workshops.close_workshop(store, teacher.id, closed.id)
    set_facilitator(store, teacher.id, colleague.id)
    theirs = make_workshop(store, colleague.id, "Theirs")

    def ids(views) -> set[int]:
        return {w.id for w in views}

    assert ids(workshops.my_open_workshops(store, teacher.id)) == {third.id}
    assert ids(workshops.my_open_workshops(store, teacher.id, also=first.id)) == {first.id, third.id}
    assert ids(workshops.my_open_workshops(store, teacher.id, also=theirs.id)) == {third.id}
    assert ids(workshops.my_workshops(store, teacher.id)) == {first.id, second.id, third.id}
    # The list Plan and Control choose from: each one's whole view made only when asked for, the same.
    listed = workshops.listed_workshops(store, teacher.id, open_only=False)
    assert [item.view() for item in listed] == workshops.my_workshops(store, teacher.id)
    assert [(i.id, i.title, i.is_closed) for i in listed] == [
        (third.id, "Three", False),
        (first.id, "One", True),
        (second.id, "Two", True),
    ]  # open ones first
    opened = workshops.listed_workshops(store, teacher.id, open_only=True, also=first.id)
    assert [item.view() for item in opened] == workshops.my_open_workshops(store, teacher.id, also=first.id)
    with store.transaction() as s:
        s.get_one(Person, teacher.id).is_facilitator = False
    with pytest.raises(WorkshopError, match="Only a facilitator"):
        workshops.my_open_workshops(store, teacher.id, also=third.id)


def test_the_agenda_is_the_running_orders_steps_without_reading_a_helping_question(store, teacher, colleague):
    """Plan's timings show each step's title and minutes, never a participant's helping question: the
    agenda does not ask for them (one read fewer on every run of Plan), and lists the same steps."""
    w = make_workshop(store, teacher.id)
    share_moment(store, colleague.id, w.id, "First")
    add_helping_question(store, colleague.id, "How do I wait longer?", shared=True)
    order = workshops.steps(store, w.id)
    assert any(step.helping_question == "How do I wait longer?" for step in order)
    shown = workshops.shown_moments(store, w.id)
    with statements_run() as statements:
        items = workshops.agenda(store, w.id, shown)
    assert [(i.key, i.title, i.minutes) for i in items] == [(s.key, s.title, s.minutes) for s in order]
    assert not any("helping_question" in statement for statement in statements)
    assert len(statements) == 1  # the workshop's minutes, word for children and session number


def test_the_facilitators_list_carries_each_workshops_step_settings_so_plans_agenda_reads_nothing_more(
    store, teacher, colleague
):
    """Plan draws the agenda of a workshop from the facilitator's own list on every run: the list brings
    the facilitator's minutes, the word for children and the session number with each workshop, and
    the agenda made from them is the one the running order reads for itself."""
    from tests.support.series import group_with_two_sessions

    _, first, second = group_with_two_sessions(store, teacher.id, colleague.id)
    share_moment(store, colleague.id, second.id, "First")
    workshops.set_child_word(store, teacher.id, second.id, "pupil")
    welcome = workshops.steps(store, second.id)[0]
    workshops.set_step_minutes(store, teacher.id, second.id, {welcome.key: 7.5})
    listed = {w.id: w for w in workshops.my_workshops(store, teacher.id)}
    assert listed[second.id].step_settings is not None and listed[second.id].step_settings.series_number == 2
    assert listed[first.id].step_settings.series_number == 1
    shown = workshops.shown_moments(store, second.id)
    with statements_run() as statements:
        carried = workshops.agenda(store, second.id, shown, listed[second.id].step_settings)
    assert statements == []
    assert carried == workshops.agenda(store, second.id, shown)
    assert carried[0].minutes == 7.5
    assert any(item.title.startswith("Since session 1") for item in carried)  # the series opening
    got = workshops.get_workshop(store, second.id)
    assert got.step_settings is None  # read without them: the running order reads them itself
    assert list(workshops.timings(store, second.id, shown, None).items) == carried


@contextmanager
def statements_run() -> Iterator[list[str]]:
    """The SQL statements run while the block runs, in order."""
    statements: list[str] = []

    def seen(*args) -> None:
        statements.append(args[2])

    event.listen(Engine, "before_cursor_execute", seen)
    try:
        yield statements
    finally:
        event.remove(Engine, "before_cursor_execute", seen)
