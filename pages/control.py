"""Control: the facilitator's remote for the projector — steps, play/pause, timer, moderation."""

import streamlit as st

from verp.ui import clicker
from verp.ui import control as remote
from verp.ui.session import get_store
from verp.ui.workshop import (
    QUEUE_SHOWN,
    another_workshop,
    queue_body,
    queue_heading,
    require_facilitator,
    running_workshop,
)
from verp.workshop import reflections, workshops

person = require_facilitator()
store = get_store()
st.title("Control")
workshop, folded = running_workshop(person)
remote.show_error()  # before the choice may stop the page: a refusal because the workshop just closed
if workshop is None:
    st.info("No open workshop. Plan one first.")
    st.page_link("pages/plan.py", label="Plan", icon=":material/event_note:")
    st.stop()

remote.show_error()  # a clicker key's refusal (the room's follower hears the keys: see live_timer)
st.text(f"Join code: {workshop.join_code} · {workshop.status}")
if workshop.status == "planned":
    st.button(
        "Open the workshop",
        type="primary",
        on_click=remote.act,
        args=(store, person, workshop, workshops.open_workshop),
    )
present = remote.present_link(store, person, workshop)
st.link_button("Open Present (projector)", f"present?w={present}", icon=":material/open_in_new:")

step = remote.step_buttons(store, person, workshop)
waiting = reflections.waiting_in(store, workshop, QUEUE_SHOWN)  # the queue, and to tell when it changes
# A clicker's Page Down / Page Up and the space bar do what Next, Previous and Play do.
on_key = lambda action: remote.act(store, person, workshop, clicker.act_on_room, action)  # noqa: E731
remote.live_timer(store, workshop, step, waiting, on_key)
remote.playback_buttons(store, person, workshop, step)
if step.kind == "owner":
    remote.rating_form(store, person, workshop, step)
    remote.next_step_form(store, person, workshop, step)

st.subheader(queue_heading(waiting), anchor=False)  # how many wait, in the heading: one element less
auto_key = f"auto_{workshop.id}"  # per workshop: switching workshops carries nothing over
st.toggle(
    "Show reflections on the wall straight away",
    value=workshop.auto_approve,
    key=auto_key,
    on_change=lambda: remote.act(
        store, person, workshop, workshops.set_auto_approve, st.session_state[auto_key]
    ),
)
queue_body(store, person.id, workshop.id, waiting)
remote.group_reflection_form(store, person, workshop, step)

if workshop.status == "live":
    remote.close_controls(store, person, workshop)
if folded:
    another_workshop(person)
