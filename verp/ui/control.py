"""Pieces of the Control page: the facilitator's remote for the projector.

Buttons call the domain in ``on_click`` callbacks, so the page draws the state after the change; a
domain error is kept for the next draw and shown there as a plain message.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import streamlit as st

from verp.core.accounts import PersonView
from verp.core.errors import VerpError
from verp.core.store import Store
from verp.ui import forms, room_follow
from verp.ui.room_player import playback_controls, sound_status
from verp.ui.sections import section
from verp.ui.text import escape_markdown
from verp.ui.workshop import CLOSED_HERE_KEY, kind_options, principle_options
from verp.web import RENEW_AFTER_S
from verp.web_room import room_signal_path
from verp.workshop import reflections, workshops
from verp.workshop.reflections import Waiting
from verp.workshop.room_signal import RoomSignal, waiting_digest_of
from verp.workshop.workshops import Step, WorkshopView

ERROR_KEY = "control_error"


def act(store: Store, person: PersonView, workshop: WorkshopView, change, *args) -> bool:
    """Run a change; on a refusal keep its message for the next draw and return False."""
    try:
        change(store, person.id, workshop.id, *args)
    except VerpError as exc:
        st.session_state[ERROR_KEY] = str(exc)
        return False
    return True


def act_on_click(*args) -> None:
    """``act`` as a button's callback (Streamlit ignores what a callback returns)."""
    act(*args)


def show_error() -> None:
    if error := st.session_state.pop(ERROR_KEY, None):
        st.error(error)


PRESENT_LINK_REUSE_S = 30 * 60  # the link is good for a day; the issue is audited once an hour


def present_link(store: Store, person: PersonView, workshop: WorkshopView) -> str:
    """The projector's link for Control's button, signed (and its issue audited) once every half hour
    in this tab rather than on every run: Control runs on every step, approval and sent reflection."""
    key = f"present_link_{workshop.id}"
    kept = st.session_state.get(key)
    if kept and time.monotonic() - kept[1] < PRESENT_LINK_REUSE_S:
        return kept[0]
    token = workshops.present_token(store, person.id, workshop.id)
    st.session_state[key] = (token, time.monotonic())
    return token


def step_buttons(store: Store, person: PersonView, workshop: WorkshopView) -> Step:
    """Big Previous / Next (from the step the room is on), and a jump list; returns that step."""
    step, all_steps = workshops.room_step(store, workshop, recent=True)
    ctx = (store, person, workshop)
    what = step.title + (f" · {step.owner_name}" if step.owner_name else "")  # typed by people: as text
    st.subheader(f"Step {step.index + 1} of {len(all_steps)} · {escape_markdown(what)}", anchor=False)
    back = forward = st.container(horizontal=True)  # one block for the pair, not three
    back.button(
        "Previous",
        key="previous",
        on_click=act_on_click,
        args=(*ctx, workshops.step_by, -1, step.key),  # this page's step: a second click moves nothing more
        icon=":material/skip_previous:",
        width="stretch",
        disabled=step.index == 0,
    )
    forward.button(
        "Next",
        key="next",
        type="primary",
        on_click=act_on_click,
        args=(*ctx, workshops.step_by, 1, step.key),
        icon=":material/skip_next:",
        width="stretch",
        disabled=step.index == len(all_steps) - 1,
    )
    # The list of every step, for a jump: a section, opened with a click when wanted (Previous, Next and
    # the clicker do most of a session), so the page does not draw a list of forty steps on every run.
    with section("Go to a step…", key=f"jump_open_{workshop.id}", icon=":material/list:") as shown:
        if shown:
            _jump_list(ctx, step, all_steps)
    return step


def _jump_list(ctx: tuple, step: Step, all_steps: list[Step]) -> None:
    workshop = ctx[2]
    titles = {s.key: f"{s.index + 1}. {s.title}" for s in all_steps}
    jump = st.selectbox(
        "Go to step",
        list(titles),
        index=step.index,
        key=f"jump_{workshop.id}_{workshop.state_version}",  # per workshop: never moves another room
        format_func=titles.__getitem__,
    )
    if jump != step.key:
        act(*ctx, workshops.go_to_step, jump)
        st.rerun()


def playback_buttons(store: Store, person: PersonView, workshop: WorkshopView, step: Step) -> None:
    """Micro-analysis from Control: the projector's player follows each command; and the phase timer."""

    def send(name: str, value=None) -> None:  # for the moment this page shows, or nothing
        act(store, person, workshop, workshops.control_playback, name, value, workshop.step_key)

    playback_controls(step.moment, workshops.playback(workshop), send)
    verb = "Pause" if workshop.timer_running else "Start"
    st.button(
        f"{verb} timer",
        key="timer",
        on_click=act_on_click,
        args=(store, person, workshop, workshops.set_timer_running, not workshop.timer_running),
    )


def live_timer(
    store: Store, workshop: WorkshopView, step: Step, waiting: Waiting, on_key: Callable[[str], None]
) -> None:
    """The phase timer, ticking in the browser; the page is drawn again when the room changes elsewhere
    (the clicker on Present, a phone's reflection waiting, the projector's sound), not on a timer.
    ``waiting``: the queue, as the page has read it; ``on_key``: what a clicker's key does."""
    drawn = RoomSignal(
        workshop.state_version,
        "",
        workshop.is_closed,
        waiting_digest_of(waiting),
        workshops.playback(workshop).sound_unlocked,
    )
    paused = "" if workshop.timer_running else " (paused)"
    room_follow.follow(
        room_signal_path(store.settings, workshop.id),
        drawn,
        ("waiting", "sound"),
        ("Timer ", f" of about {step.minutes:g} min{paused}"),
        workshop.timer_seconds(),
        workshop.timer_running,
        RENEW_AFTER_S,
        on_key=on_key,
    )
    if step.moment is not None:
        st.caption(sound_status(workshops.playback(workshop)))


def group_reflection_form(store: Store, person: PersonView, workshop: WorkshopView, step: Step) -> None:
    """What the room said, for the wall: filed under the step this page showed when Add was pressed (a
    page left behind by a room moved from another tab files it where the facilitator was looking)."""
    principles, kinds = principle_options(), kind_options()
    shown = f"group_step_{workshop.id}"
    seen = [st.session_state.get(shown, step.key)]  # drawn by the run before this one
    st.session_state[shown] = step.key
    name = f"group_{workshop.id}"
    fields = {
        f"{name}_text": "",
        f"{name}_principle": next(iter(principles)),
        f"{name}_kind": next(iter(kinds)),
    }
    with section("Type what the group says", key=f"{name}_open", icon=":material/edit_note:") as opened:
        if not opened:  # opened once, it stays open through the workshop; closed, Control redraws quicker
            return
        emptied = forms.emptied_after_a_save(name, fields)
        with st.form(name, border=False):  # one key for good: see verp.ui.forms
            text = st.text_area(
                "Write a reflection for the group", max_chars=reflections.MAX_TEXT, key=f"{name}_text"
            )
            principle = st.selectbox(
                "Principle",
                list(principles),
                format_func=lambda key: principles[key],
                key=f"{name}_principle",
            )
            kind = st.selectbox("Kind", list(kinds), format_func=lambda key: kinds[key], key=f"{name}_kind")
            if st.form_submit_button("Add to the wall") and not emptied:
                add, words = reflections.add_group_reflection, (text, principle, kind)
                key = forms.resend_key(name, words)
                if act(store, person, workshop, add, text, principle or None, kind, key, seen):
                    forms.saved(name, key, words)
                st.rerun()  # drawn again, the page shows (and next files under) the step the room is on


def next_step_form(store: Store, person: PersonView, workshop: WorkshopView, step: Step) -> None:
    """At the owner's step: write down the next step they name, for their next cycle."""
    name = f"next_step_{workshop.id}_{step.owner_id}"
    emptied = forms.emptied_after_a_save(name, {f"{name}_text": ""})
    with st.form(name):
        label = f"{escape_markdown(step.owner_name)}'s next step"  # a name someone typed: never Markdown
        text = st.text_input(label, max_chars=reflections.MAX_TEXT, key=f"{name}_text")
        if st.form_submit_button("Save next step") and not emptied:
            owner = (step.owner_id, step.owner_name)
            again = forms.saved_already(name, text)
            if again or act(store, person, workshop, reflections.record_next_step, *owner, text):
                forms.saved(name, None, text)
            st.rerun()


def rating_form(store: Store, person: PersonView, workshop: WorkshopView, step: Step) -> None:
    """At the owner's step: their own 0–10 rating of their helping question, saved to this workshop.
    No number is chosen for them: the save waits until one is picked."""
    name = f"rating_{workshop.id}_{step.owner_id}"
    emptied = forms.emptied_after_a_save(name, {f"{name}_score": None})
    with st.form(name):
        score = st.segmented_control(
            f"{escape_markdown(step.owner_name)}'s rating of their helping question (0–10)",
            list(range(11)),
            key=f"{name}_score",
        )
        if st.form_submit_button("Save rating") and not emptied:
            args = (reflections.record_rating, step.owner_id, score)
            if forms.saved_already(name, score) or act(store, person, workshop, *args):
                forms.saved(name, None, score)
                st.session_state[ERROR_KEY + "_ok"] = f"Saved {score}/10 for this workshop."
            st.rerun()
    if saved := st.session_state.pop(ERROR_KEY + "_ok", None):
        st.success(saved)


def _close_here(store: Store, person: PersonView, workshop: WorkshopView) -> None:
    if act(store, person, workshop, workshops.close_workshop):
        st.session_state[CLOSED_HERE_KEY] = workshop.id  # said as done here, not as news from elsewhere


def close_controls(store: Store, person: PersonView, workshop: WorkshopView) -> None:
    if st.toggle("Close the workshop…", key=f"closing_{workshop.id}"):
        st.warning("Closing stops the join code and the projector link. Nothing sent is lost.")
        st.button("Close the workshop now", on_click=_close_here, args=(store, person, workshop))
