"""Control: the facilitator's remote for the projector — steps, play/pause, timer, moderation."""

import uuid

import streamlit as st

from verp import reflections, workshops
from verp.ui.session import get_store
from verp.ui.workshop import (
    choose_workshop,
    format_timer,
    kind_options,
    moderation_queue,
    principle_options,
    require_facilitator,
)

person = require_facilitator()
store = get_store()
st.title("Control")
workshop = choose_workshop(person)
if workshop is None:
    st.info("No open workshop. Plan one first.")
    st.page_link("pages/plan.py", label="Plan", icon=":material/event_note:")
    st.stop()


def act(change, *args) -> None:
    try:
        change(store, person.id, workshop.id, *args)
    except (workshops.WorkshopError, reflections.ReflectionError) as exc:
        st.session_state["control_error"] = str(exc)


all_steps = workshops.steps(store, workshop.id)
step = all_steps[min(workshop.current_step, len(all_steps) - 1)]
if error := st.session_state.pop("control_error", None):
    st.error(error)

st.text(f"Join code: {workshop.join_code} · {workshop.status}")
if workshop.status == "planned":
    st.button("Open the workshop", type="primary", on_click=act, args=(workshops.open_workshop,))
token = workshops.present_token(store, person.id, workshop.id)
st.link_button("Open Present (projector)", f"present?w={token}", icon=":material/open_in_new:")

st.subheader(f"Step {step.index + 1} of {len(all_steps)}")
st.text(step.title + (f" · {step.owner_name}" if step.owner_name else ""))
back, forward = st.columns(2)
back.button(
    "Previous",
    key="previous",
    on_click=act,
    args=(workshops.step_by, -1),
    icon=":material/skip_previous:",
    use_container_width=True,
    disabled=step.index == 0,
)
forward.button(
    "Next",
    key="next",
    type="primary",
    on_click=act,
    args=(workshops.step_by, 1),
    icon=":material/skip_next:",
    use_container_width=True,
    disabled=step.index == len(all_steps) - 1,
)
jump = st.selectbox(
    "Go to step",
    range(len(all_steps)),
    index=step.index,
    key=f"jump_{workshop.state_version}",
    format_func=lambda i: f"{i + 1}. {all_steps[i].title}",
)
if jump != step.index:
    act(workshops.go_to_step, jump)
    st.rerun()

play, timer = st.columns(2)
play.button(
    "Pause video" if workshop.playing else "Play video",
    key="play",
    on_click=act,
    args=(workshops.set_playing, not workshop.playing),
    disabled=step.moment is None,
)
timer.button(
    f"{'Pause' if workshop.timer_running else 'Start'} timer ({format_timer(workshop.timer_seconds())})",
    key="timer",
    on_click=act,
    args=(workshops.set_timer_running, not workshop.timer_running),
)

st.subheader("Reflections")
st.toggle(
    "Show reflections on the wall straight away",
    value=workshop.auto_approve,
    key="auto",
    on_change=lambda: act(workshops.set_auto_approve, st.session_state["auto"]),
)
moderation_queue(store, person.id, workshop.id)

with st.form("group", clear_on_submit=True):
    text = st.text_area("Write a reflection for the group", max_chars=reflections.MAX_TEXT)
    principle = st.selectbox("Principle", list(principle_options()), format_func=principle_options().get)
    kind = st.selectbox("Kind", list(kind_options()), format_func=kind_options().get)
    if st.form_submit_button("Add to the wall"):
        act(reflections.add_group_reflection, text, principle or None, kind, uuid.uuid4().hex)
        st.rerun()

if step.kind == "owner":
    with st.form("next_step", clear_on_submit=True):
        text = st.text_input(f"{step.owner_name}'s next step", max_chars=reflections.MAX_TEXT)
        if st.form_submit_button("Save next step"):
            act(reflections.record_next_step, step.owner_id, step.owner_name, text)
            st.rerun()

if workshop.status == "live" and st.toggle("Close the workshop…", key="closing"):
    st.warning("Closing stops the join code and the projector link. Nothing sent is lost.")
    st.button("Close the workshop now", on_click=act, args=(workshops.close_workshop,))
