"""Pieces of the Plan page: the shared moments in running order, and who else facilitates."""

from __future__ import annotations

from datetime import date

import streamlit as st

from verp.core import accounts
from verp.core.accounts import PersonView
from verp.core.errors import VerpError
from verp.core.store import Store
from verp.core.text import count_of_people
from verp.records.summary import mark_lines
from verp.room.principles import catalogue
from verp.room.prompts import CHILD_WORDS, prompt_book
from verp.room.shown import ShownMoment, with_details
from verp.ui import announce
from verp.ui.downloads import preparation_link
from verp.ui.player import play
from verp.ui.sections import section
from verp.ui.text import escape_markdown
from verp.ui.workshop import CHOICE_KEY, WORKSHOP_KEY
from verp.web import Grant
from verp.workshop import preparation, workshops
from verp.workshop.workshops import Listed, Timings, WorkshopView

PLAN_ERROR = "plan_error"
CLOSED_TOO_KEY = "plan_closed_too"


def workshops_to_plan(store: Store, person: PersonView) -> list[Listed]:
    """The facilitator's open workshops, and the one chosen (closed meanwhile, say); every closed one
    too once asked for. A facilitator's closed workshops grow by a few a term for years: a list of them
    all, read and drawn on every run of Plan, would grow with them (Summary lists them all)."""
    closed_too = bool(st.session_state.get(CLOSED_TOO_KEY))
    chosen = st.session_state.get(CHOICE_KEY, st.session_state.get(WORKSHOP_KEY))  # as just chosen
    return workshops.listed_workshops(store, person.id, open_only=not closed_too, also=chosen)


def closed_too_switch() -> None:
    """Under the choice: show the closed workshops in it too (read before it is drawn)."""
    st.toggle("Show closed workshops too", key=CLOSED_TOO_KEY)


def none_to_plan() -> str:
    if st.session_state.get(CLOSED_TOO_KEY):
        return "No workshops yet: create one above."
    return "No open workshops: create one above, or show your closed ones."


def _act(change, *args) -> None:
    """A button's callback: run a plan change; if the moment changed meanwhile, say so plainly."""
    try:
        change(*args)
    except VerpError as exc:
        st.session_state[PLAN_ERROR] = str(exc)


def _choose_prompts(store: Store, person_id: int, workshop_id: int, share_id: int, before: str) -> None:
    """The prompt-set box's callback; on a refusal the box goes back to what is stored."""
    key = f"set_{share_id}"
    try:
        workshops.set_prompt_set(store, person_id, workshop_id, share_id, st.session_state[key])
    except VerpError as exc:
        st.session_state[PLAN_ERROR] = str(exc)
        st.session_state[key] = before


def show_error() -> None:
    if error := st.session_state.pop(PLAN_ERROR, None):
        st.warning(error)


def new_workshop_form(store: Store, person: PersonView) -> bool:
    """A new workshop: its title, date, focus, ground rules and how people join and send. True once
    one was made."""
    with st.form("new"):
        title = st.text_input("Title", max_chars=200, placeholder="Spring group, session 1")
        held_on = st.date_input("Date", value=date.today())
        names = {p.key: p.name for p in catalogue().principles}
        focus = st.multiselect("Focus principles", list(names), format_func=lambda key: names[key])
        rules = st.text_area("Ground rules", value=workshops.DEFAULT_GROUND_RULES, max_chars=2000)
        anonymous = st.checkbox("People may join without giving a name", value=True)
        auto = st.checkbox("Show reflections on the wall straight away (without approving each)", value=False)
        if st.form_submit_button("Create workshop", type="primary"):
            try:
                made = workshops.create_workshop(
                    store, person.id, title, held_on, focus, rules, anonymous, auto
                )
            except VerpError as exc:
                st.error(str(exc))
            else:
                st.session_state[WORKSHOP_KEY] = made.id
                st.success(f"Created. Join code: {made.join_code}")
                announce.say(f"Created. Join code: {' '.join(made.join_code)}")  # read letter by letter
                return True
    return False


def shared_moments_editor(
    store: Store, person: PersonView, workshop: WorkshopView, shown: list[ShownMoment]
) -> None:
    """Moments shared with the workshop (``shown``), grouped by participant, each a section: opened, it
    moves the moment, chooses its prompts, takes it out of this workshop (anyone with the join code can
    share into it), and prepares it. Closed, a moment is one line: a plan of a dozen moments draws quickly.
    """
    show_error()
    if not shown:
        st.caption("Nothing shared yet. Participants share moments from their own clips.")
    prepared = preparation.preparations(store, person.id, workshop.id, shown)
    for owner_id in dict.fromkeys(m.owner_id for m in shown):
        mine = [m for m in shown if m.owner_id == owner_id]
        st.text(f"Participant: {mine[0].owner_name}")
        for m in mine:
            shared_moment(store, person, workshop, m, prepared.get(m.moment_id))
    if prepared:  # private notes leave the app only when the facilitator asks for them
        st.caption("Your preparation notes stay in the app unless you download them.")
        preparation_link(store, person.id, workshop.id)


def moment_label(m: ShownMoment, done) -> str:
    """A shared moment's line in the plan: its title (as typed: never Markdown), times and prompt set."""
    sets = {s.key: s.name for s in prompt_book().sets}
    label = f"{escape_markdown(m.title)} ({m.start_s:.1f}–{m.end_s:.1f} s) · {sets.get(m.prompt_set, '')}"
    return label + (" · prepared with the participant" if done and done.with_participant else "")


def shared_moment(store: Store, person: PersonView, workshop: WorkshopView, m: ShownMoment, done) -> None:
    with section(moment_label(m, done), key=f"prepare_{workshop.id}_{m.moment_id}") as shown:
        if shown:
            _order_and_prompts(store, person, workshop, m)
            _preparation_form(store, person, workshop, with_details(store, m), done)


def _order_and_prompts(store: Store, person: PersonView, workshop: WorkshopView, m: ShownMoment) -> None:
    """Up, Down, the prompt set and Remove, in one row."""
    sets = {s.key: s.name for s in prompt_book().sets}
    ctx = (store, person.id, workshop.id)
    row = st.container(horizontal=True, vertical_alignment="bottom")  # one block, not four
    for label, direction, icon in (("Up", -1, "arrow_upward"), ("Down", 1, "arrow_downward")):
        row.button(
            label,
            key=f"{label.lower()}_{m.share_id}",
            icon=f":material/{icon}:",
            on_click=_act,
            args=(workshops.move_share, *ctx, m.share_id, direction),
        )
    row.selectbox(
        "Prompt set",
        list(sets),
        list(sets).index(m.prompt_set) if m.prompt_set in sets else 0,
        format_func=lambda key: sets[key],
        key=f"set_{m.share_id}",
        on_change=_choose_prompts,
        args=(*ctx, m.share_id, m.prompt_set),
        width=280,  # the set's whole name; on a phone it takes a line of its own
    )
    row.button(
        "Remove from this workshop",
        key=f"remove_{m.share_id}",
        icon=":material/remove_circle:",
        on_click=_act,
        args=(workshops.remove_share, *ctx, m.share_id),
    )


def _preparation_form(store: Store, person: PersonView, workshop: WorkshopView, m: ShownMoment, done) -> None:
    """The moment, what its owner shared, and the facilitator's own notes."""
    if m.cut is not None and m.cut.exists():
        play(store, m.cut, Grant.facilitator(person.id, workshop.id, m.moment_id, "plan"))
    if m.principle_keys:
        st.text("Principles tagged: " + ", ".join(catalogue().name_of(k) for k in m.principle_keys))
    for line in mark_lines(m):
        st.text("Freeze-frame " + line)
    st.text(f"Shared note: {m.note}" if m.note else "No note shared.")
    with st.form(f"prep_{workshop.id}_{m.moment_id}"):
        note = st.text_area(
            "My preparation notes (only you see them)",
            value=done.note if done else "",
            max_chars=preparation.MAX_NOTE,
        )
        together = st.checkbox("Prepared with the participant", value=bool(done and done.with_participant))
        if st.form_submit_button("Save my preparation"):
            _act(preparation.save_preparation, store, person.id, workshop.id, m.moment_id, note, together)
            st.rerun()


def _clock(minutes: float) -> str:
    hours, mins = divmod(int(round(minutes)), 60)
    return f"{hours}:{mins:02d}"


GOOD_PLAN = "Groups of 3 to 6 work best; about 15 minutes for each person, an hour to an hour and a half."


def timings_editor(
    store: Store, person: PersonView, workshop: WorkshopView, shown: list[ShownMoment]
) -> None:
    """The running total and advice; every step with its start time and its minutes (editable) once
    the facilitator opens them."""
    plan = workshops.timings(store, workshop.id, shown, workshop.step_settings)  # read with the workshop
    total = f"{plan.total_min:g} minutes ({_clock(plan.total_min)})"
    st.text(f"Total: {total} for {count_of_people(plan.participants)}")
    if plan.advice:  # fixed words and numbers; one box however many tips, in place of the rule of thumb
        st.warning("\n\n".join(plan.advice))
    else:
        st.caption(GOOD_PLAN)
    label = f"Each step's start and minutes ({len(plan.items)} steps)"
    with section(label, key=f"timings_{workshop.id}") as is_open:
        if is_open:
            _minutes_form(store, person, workshop, plan)


def _minutes_form(store: Store, person: PersonView, workshop: WorkshopView, plan: Timings) -> None:
    """Every step's minutes, saved together."""
    with st.form(f"minutes_{workshop.id}_{workshop.state_version}"):
        chosen: dict[str, float] = {}
        for item in plan.items:
            label = f"{_clock(item.starts_at_min)}  {escape_markdown(item.title)}" + (
                f" · {escape_markdown(item.owner_name)}" if item.owner_name else ""
            )  # a widget's label is Markdown: the title and the name were typed by the clip's owner
            chosen[item.key] = st.number_input(
                label, 0.0, float(workshops.MAX_STEP_MIN), float(item.minutes), 0.5, key=f"min_{item.key}"
            )
        if st.form_submit_button("Save the minutes"):
            changed = {
                k: v for k, v in chosen.items() if v != next(i.minutes for i in plan.items if i.key == k)
            }
            _act(workshops.set_step_minutes, store, person.id, workshop.id, changed)
            st.rerun()


def child_word_choice(store: Store, person: PersonView, workshop: WorkshopView) -> None:
    """The word the prompts use for "child": the one the school uses."""
    words = list(CHILD_WORDS)
    key = f"child_word_{workshop.id}"
    st.selectbox(
        "The prompts speak of the…",
        words,
        index=words.index(workshop.child_word) if workshop.child_word in words else 0,
        key=key,
        on_change=lambda: _act(
            workshops.set_child_word, store, person.id, workshop.id, st.session_state[key]
        ),
    )


def facilitators(store: Store, person: PersonView) -> None:
    """Everyone with an account, once opened; a facilitator can give the role to a colleague."""
    with section("Facilitators", key="facilitators") as shown:
        if shown:
            _people(store, person)


def _people(store: Store, person: PersonView) -> None:
    for other in accounts.list_people(store):
        name, action = st.columns([3, 1])
        name.text(other.display_name + ("  · facilitator" if other.is_facilitator else ""))
        if not other.is_facilitator and action.button("Make facilitator", key=f"fac_{other.id}"):
            accounts.set_facilitator(store, person.id, other.id)
            st.rerun()
