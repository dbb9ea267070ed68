"""Pieces of the Control page: the facilitator's remote for the projector.

Buttons call the domain in ``on_click`` callbacks, so the page draws the state after the change; a
domain error is kept for the next draw and shown there as a plain message.
"""

from __future__ import annotations

import uuid

import streamlit as st

from verp.core.accounts import PersonView
from verp.core.store import Store
from verp.ui.plain import md_escape
from verp.ui.workshop import format_timer, kind_options, principle_options
from verp.workshop import reflections, workshops
from verp.workshop.workshops import Step, WorkshopView

ERROR_KEY = "control_error"


def act(store: Store, person: PersonView, workshop: WorkshopView, change, *args) -> bool:
    """Run a change; on a refusal keep its message for the next draw and return False."""
    try:
        change(store, person.id, workshop.id, *args)
    except (workshops.WorkshopError, reflections.ReflectionError) as exc:
        st.session_state[ERROR_KEY] = str(exc)
        return False
    return True


def _form_key(name: str) -> str:
    """A form's key, renewed only after a successful save: a failed save keeps what was typed."""
    return f"{name}_{st.session_state.setdefault(f'{name}_form', 0)}"


def _renew_form(name: str) -> None:
    st.session_state[f"{name}_form"] = st.session_state.get(f"{name}_form", 0) + 1


def show_error() -> None:
    if error := st.session_state.pop(ERROR_KEY, None):
        st.error(error)


def step_buttons(store: Store, person: PersonView, workshop: WorkshopView, all_steps: list[Step]) -> Step:
    """Big Previous / Next, and a jump list; returns the step the room is on."""
    step = all_steps[min(workshop.current_step, len(all_steps) - 1)]
    ctx = (store, person, workshop)
    st.subheader(f"Step {step.index + 1} of {len(all_steps)}", anchor=False)
    st.text(step.title + (f" · {step.owner_name}" if step.owner_name else ""))
    back, forward = st.columns(2)
    back.button(
        "Previous",
        key="previous",
        on_click=act,
        args=(*ctx, workshops.step_by, -1),
        icon=":material/skip_previous:",
        use_container_width=True,
        disabled=step.index == 0,
    )
    forward.button(
        "Next",
        key="next",
        type="primary",
        on_click=act,
        args=(*ctx, workshops.step_by, 1),
        icon=":material/skip_next:",
        use_container_width=True,
        disabled=step.index == len(all_steps) - 1,
    )
    jump = st.selectbox(
        "Go to step",
        range(len(all_steps)),
        index=step.index,
        key=f"jump_{workshop.id}_{workshop.state_version}",  # per workshop: never moves another room
        format_func=lambda i: f"{i + 1}. {all_steps[i].title}",
    )
    if jump != step.index:
        act(*ctx, workshops.go_to_step, jump)
        st.rerun()
    return step


def playback_buttons(store: Store, person: PersonView, workshop: WorkshopView, step: Step) -> None:
    ctx = (store, person, workshop)
    play, timer = st.columns(2)
    play.button(
        "Pause video" if workshop.playing else "Play video",
        key="play",
        on_click=act,
        args=(*ctx, workshops.set_playing, not workshop.playing),
        disabled=step.moment is None,
    )
    verb = "Pause" if workshop.timer_running else "Start"
    timer.button(
        f"{verb} timer",
        key="timer",
        on_click=act,
        args=(*ctx, workshops.set_timer_running, not workshop.timer_running),
    )


def timer_body(store: Store, workshop_id: int, step: Step) -> None:
    workshop = workshops.get_workshop(store, workshop_id)
    state = "" if workshop.timer_running else " (paused)"
    st.text(f"Timer {format_timer(workshop.timer_seconds())} of about {step.minutes:g} min{state}")


@st.fragment(run_every=1)
def _ticking_timer(store: Store, workshop_id: int, step: Step) -> None:
    timer_body(store, workshop_id, step)


def live_timer(store: Store, workshop: WorkshopView, step: Step) -> None:
    """The phase timer: redrawn every second while it runs; a paused timer is drawn once, since
    every timed redraw costs the server a script run."""
    if workshop.timer_running:
        _ticking_timer(store, workshop.id, step)
    else:
        timer_body(store, workshop.id, step)


def group_reflection_form(store: Store, person: PersonView, workshop: WorkshopView) -> None:
    principles, kinds = principle_options(), kind_options()
    with st.form(_form_key(f"group_{workshop.id}")):
        text = st.text_area("Write a reflection for the group", max_chars=reflections.MAX_TEXT)
        principle = st.selectbox("Principle", list(principles), format_func=principles.get)
        kind = st.selectbox("Kind", list(kinds), format_func=kinds.get)
        if st.form_submit_button("Add to the wall"):
            principle, key = principle or None, uuid.uuid4().hex
            if act(store, person, workshop, reflections.add_group_reflection, text, principle, kind, key):
                _renew_form(f"group_{workshop.id}")
            st.rerun()


def next_step_form(store: Store, person: PersonView, workshop: WorkshopView, step: Step) -> None:
    """At the owner's step: write down the next step they name, for their next cycle."""
    name = f"next_step_{workshop.id}_{step.owner_id}"
    with st.form(_form_key(name)):
        label = f"{md_escape(step.owner_name)}'s next step"  # a name someone typed: never Markdown
        text = st.text_input(label, max_chars=reflections.MAX_TEXT)
        if st.form_submit_button("Save next step"):
            owner = (step.owner_id, step.owner_name)
            if act(store, person, workshop, reflections.record_next_step, *owner, text):
                _renew_form(name)
            st.rerun()


def close_controls(store: Store, person: PersonView, workshop: WorkshopView) -> None:
    if st.toggle("Close the workshop…", key=f"closing_{workshop.id}"):
        st.warning("Closing stops the join code and the projector link. Nothing sent is lost.")
        st.button(
            "Close the workshop now", on_click=act, args=(store, person, workshop, workshops.close_workshop)
        )
