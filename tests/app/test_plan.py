"""Plan page: facilitators only; create a workshop, order shared moments, grant the role."""

from tests.support.apptest import open_page, open_section, run_page_alone
from tests.support.workshop import make_workshop, share_moment
from verp.core import accounts
from verp.core.models import AuditEvent, FreezeFrame, Share
from verp.review import sharing
from verp.room.principles import catalogue
from verp.room.prompts import prompt_book
from verp.ui.plan import CLOSED_TOO_KEY, GOOD_PLAN
from verp.ui.shell import menu
from verp.workshop import workshops


def test_plan_is_refused_to_someone_who_is_not_a_facilitator(store, colleague):
    at = run_page_alone("plan", colleague.id)
    assert "for workshop facilitators" in at.warning[0].value
    assert not at.text_input


def test_the_menu_offers_plan_and_control_only_to_facilitators(store, teacher, colleague):
    def names(person):
        return sorted(path.removeprefix("pages/").removesuffix(".py") for path in menu(person))

    assert names(None) == ["accessibility", "home", "join", "principles", "sign_in"]
    assert names(colleague) == [
        "accessibility",
        "capture",
        "guider_log",
        "home",
        "join",
        "my_clips",
        "my_progress",
        "principles",
        "review",
    ]
    assert {"plan", "control", "join"} <= set(names(teacher))


def test_a_facilitator_creates_a_workshop_with_a_join_code(store, teacher):
    at = open_page("plan", teacher.id)
    at.text_input[0].set_value("Spring group")
    at.button[0].click().run()
    made = workshops.my_workshops(store, teacher.id)
    assert [w.title for w in made] == ["Spring group"]
    assert f"Join code: {made[0].join_code}" in at.success[0].value


def test_plan_lists_the_open_workshops_and_the_closed_ones_when_asked(store, teacher):
    """Closed workshops (a few a term, for years) are not read on every run of Plan; one chosen before
    it closed stays until another is chosen."""
    autumn = make_workshop(store, teacher.id, "Autumn group")
    workshops.open_workshop(store, teacher.id, autumn.id)
    workshops.close_workshop(store, teacher.id, autumn.id)
    spring = make_workshop(store, teacher.id, "Spring group")

    at = open_page("plan", teacher.id)
    assert listed(at) == ["Spring group"]
    at.toggle(key=CLOSED_TOO_KEY).set_value(True).run()
    assert listed(at) == ["Spring group", "Autumn group"]
    at.selectbox(key="workshop_choice").set_value(autumn.id).run()
    assert "status: closed" in at.text[0].value
    at.toggle(key=CLOSED_TOO_KEY).set_value(False).run()
    assert listed(at) == ["Spring group", "Autumn group"]  # the chosen one, closed, stays in the list
    at.selectbox(key="workshop_choice").set_value(spring.id).run()
    assert listed(at) == ["Spring group"]


def test_a_facilitator_with_only_closed_workshops_is_offered_a_new_one(store, teacher):
    autumn = make_workshop(store, teacher.id, "Autumn group")
    workshops.open_workshop(store, teacher.id, autumn.id)
    workshops.close_workshop(store, teacher.id, autumn.id)
    at = open_page("plan", teacher.id)
    assert not any(box.key == "workshop_choice" for box in at.selectbox)
    assert at.info[0].value == "No open workshops: create one above, or show your closed ones."
    assert at.text_input[0].label == "Title"  # the new workshop's form, open
    at.toggle(key=CLOSED_TOO_KEY).set_value(True).run()
    assert listed(at) == ["Autumn group"]


def listed(at) -> list[str]:
    """The titles Plan's choice of workshop offers."""
    return [label.split(" · ")[0] for label in at.selectbox(key="workshop_choice").options]


def test_shared_moments_are_listed_by_participant_and_can_be_moved(store, teacher, colleague):
    w = make_workshop(store, teacher.id)
    share_moment(store, colleague.id, w.id, "First", position=0)
    second, second_moment = share_moment(store, colleague.id, w.id, "Second", position=1)
    at = open_page("plan", teacher.id)
    assert "Participant: Ben Colleague" in [t.value for t in at.text]
    assert [e.label.split(" (")[0] for e in at.expander if " s) · " in e.label] == ["First", "Second"]
    assert not any(b.key == f"up_{second}" for b in at.button)  # a moment's buttons: drawn once opened
    open_section(at, f"prepare_{w.id}_{second_moment}")
    at.button(key=f"up_{second}").click().run()
    assert [m.title for m in workshops.shown_moments(store, w.id)] == ["Second", "First"]
    assert any(b.key == f"up_{second}" for b in at.button)  # moved, and still open


def test_a_facilitator_can_make_a_colleague_a_facilitator(store, teacher, colleague):
    at = open_page("plan", teacher.id)
    assert not any(b.key == f"fac_{colleague.id}" for b in at.button)  # drawn only once opened
    open_section(at, "facilitators")
    at.button(key=f"fac_{colleague.id}").click().run()
    assert accounts.get_person(store, colleague.id).is_facilitator


def test_an_opened_moment_shows_its_principles_and_freeze_frames_read_when_it_opens(
    store, teacher, colleague
):
    """Closed, a moment is a line (its tags and freeze-frames are not read); opened, the facilitator
    preparing it sees the principles its owner tagged and each freeze-frame's time and caption."""
    w = make_workshop(store, teacher.id)
    _, moment_id = share_moment(store, colleague.id, w.id, "First", tags=("attentive",))
    with store.transaction() as s:
        s.add(FreezeFrame(moment_id=moment_id, at_s=2.5, caption="she looks up", chain_part="initiative"))
    at = open_page("plan", teacher.id)
    assert not any(t.value.startswith("Principles tagged") for t in at.text)
    open_section(at, f"prepare_{w.id}_{moment_id}")
    texts = [t.value for t in at.text]
    assert f"Principles tagged: {catalogue().name_of('attentive')}" in texts
    assert "Freeze-frame 0:01.5 she looks up — initiative" in texts


def test_choosing_a_prompt_set_and_seeing_the_agenda(store, teacher, colleague):
    w = make_workshop(store, teacher.id)
    share_id, moment_id = share_moment(store, colleague.id, w.id, "First")
    at = open_section(open_page("plan", teacher.id), f"prepare_{w.id}_{moment_id}")
    at.selectbox(key=f"set_{share_id}").set_value("short").run()
    assert workshops.shown_moments(store, w.id)[0].prompt_set == "short"
    short = next(s.name for s in prompt_book().sets if s.key == "short")
    assert any(e.label.startswith("First (") and e.label.endswith(short) for e in at.expander)
    texts = [t.value for t in at.text]
    assert "Participant: Ben Colleague" in texts
    total = workshops.timings(store, w.id).total_min
    assert any(t.startswith(f"Total: {total:g} minutes") for t in texts)


def test_the_plans_advice_is_one_box_however_many_tips_it_has(store, teacher, colleague):
    """Past 90 minutes and one person sharing: both tips, in one warning under the total."""
    w = make_workshop(store, teacher.id)
    share_moment(store, colleague.id, w.id, "First")
    workshops.set_step_minutes(store, teacher.id, w.id, {"welcome": 100})
    tips = workshops.timings(store, w.id).advice
    assert len(tips) == 2
    at = open_page("plan", teacher.id)
    [box] = [m.value for m in at.warning]
    assert all(tip in box for tip in tips)
    assert GOOD_PLAN not in [c.value for c in at.caption]  # the tips say it for this plan
    workshops.set_step_minutes(store, teacher.id, w.id, {"welcome": 5})
    for n in range(2):  # three people sharing, within 90 minutes: nothing to advise, the rule of thumb
        share_moment(
            store, accounts.create_person(store, f"Teacher {n}", "a long passphrase").id, w.id, f"Moment {n}"
        )
    assert workshops.timings(store, w.id).advice == ()
    at.run()
    assert not at.warning and GOOD_PLAN in [c.value for c in at.caption]


def test_the_facilitator_changes_a_steps_minutes_and_the_word_for_child(store, teacher, colleague):
    w = make_workshop(store, teacher.id)
    share_moment(store, colleague.id, w.id, "First")
    at = open_page("plan", teacher.id)
    before = workshops.timings(store, w.id).total_min
    open_section(at, f"timings_{w.id}")
    at.number_input(key="min_welcome").set_value(15.0)  # in a form: sent with the submit
    at.button[[b.label for b in at.button].index("Save the minutes")].click().run()
    assert workshops.timings(store, w.id).total_min == before + 10
    assert any(t.value.startswith(f"Total: {before + 10:g}") for t in at.text)
    open_section(at, f"series_open_{w.id}")  # set once for a workshop, with its group and session
    at.selectbox(key=f"child_word_{w.id}").set_value("pupil").run()
    prompts = [p for s in workshops.steps(store, w.id) for p in s.prompts]
    assert any("the pupil" in p for p in prompts) and not any("child" in p for p in prompts)


def test_the_facilitator_removes_a_moment_someone_shared_into_their_workshop(store, teacher, colleague):
    w = make_workshop(store, teacher.id)
    share_id, moment_id = share_moment(store, colleague.id, w.id, "Not for this group")
    at = open_section(open_page("plan", teacher.id), f"prepare_{w.id}_{moment_id}")
    at.button(key=f"remove_{share_id}").click().run()
    assert not at.exception
    assert workshops.shown_moments(store, w.id) == []
    assert workshops.get_workshop(store, w.id).state_version > w.state_version
    with store.transaction() as s:
        assert s.get(Share, share_id).withdrawn_at is not None
        assert (
            s.query(AuditEvent).filter_by(action="share_removed", subject=f"moment:{moment_id}").count() == 1
        )


def test_moving_a_moment_withdrawn_meanwhile_says_so_instead_of_crashing(store, teacher, colleague):
    w = make_workshop(store, teacher.id)
    share_moment(store, colleague.id, w.id, "First", position=0)
    second, second_moment = share_moment(store, colleague.id, w.id, "Second", position=1)
    at = open_section(open_page("plan", teacher.id), f"prepare_{w.id}_{second_moment}")
    sharing.withdraw_share(store, colleague.id, second)  # taken back between the draw and the click
    at.button(key=f"up_{second}").click().run()
    assert not at.exception
    assert "no longer shared" in at.warning[0].value
    assert [m.title for m in workshops.shown_moments(store, w.id)] == ["First"]


def test_changing_the_prompts_of_a_moment_withdrawn_meanwhile_says_so(store, teacher, colleague):
    w = make_workshop(store, teacher.id)
    share_id, moment_id = share_moment(store, colleague.id, w.id, "First")
    at = open_section(open_page("plan", teacher.id), f"prepare_{w.id}_{moment_id}")
    sharing.withdraw_share(store, colleague.id, share_id)
    at.selectbox(key=f"set_{share_id}").set_value("short").run()
    assert not at.exception
    assert "no longer shared" in at.warning[0].value
    with store.transaction() as s:
        assert s.get(Share, share_id).prompt_set == "default"


def test_removing_a_moment_twice_says_so_instead_of_crashing(store, teacher, colleague):
    w = make_workshop(store, teacher.id)
    share_id, moment_id = share_moment(store, colleague.id, w.id, "First")
    at = open_section(open_page("plan", teacher.id), f"prepare_{w.id}_{moment_id}")
    workshops.remove_share(store, teacher.id, w.id, share_id)  # e.g. from a second tab
    at.button(key=f"remove_{share_id}").click().run()
    assert not at.exception
    assert "no longer shared" in at.warning[0].value


def test_the_facilitator_prepares_a_shared_moment_privately(store, teacher, colleague):
    from verp.workshop import preparation

    w = make_workshop(store, teacher.id)
    _, moment_id = share_moment(store, colleague.id, w.id, "First", note="I waited", share_note=True)
    at = open_page("plan", teacher.id)
    assert "Shared note: I waited" not in [t.value for t in at.text]  # drawn only once opened
    open_section(at, f"prepare_{w.id}_{moment_id}")
    assert "Shared note: I waited" in [t.value for t in at.text]
    links = lambda: "".join(h.proto.body for h in at.get("html"))  # noqa: E731
    assert "Download my preparation notes" not in links()  # nothing prepared: nothing to take away
    next(a for a in at.text_area if a.label.startswith("My preparation notes")).set_value(
        "Start with the wait"
    )
    next(c for c in at.checkbox if c.label == "Prepared with the participant").check()
    at.button[[b.label for b in at.button].index("Save my preparation")].click().run()
    [kept] = preparation.preparations(store, teacher.id, w.id).values()
    assert (kept.moment_id, kept.note, kept.with_participant) == (moment_id, "Start with the wait", True)
    assert any("prepared with the participant" in e.label for e in at.expander)
    assert "Download my preparation notes" in links()  # leaves the app only when asked for
