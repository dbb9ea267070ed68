"""Present: what the room sees on the projector. Opened from Control by a signed link for one workshop;
it follows Control within about a second (it asks the server: see verp.ui.room_follow), and stops working
when the workshop closes."""

import streamlit as st

from verp.core.errors import VerpError
from verp.ui import clicker
from verp.ui.present import draw_step, follow
from verp.ui.session import client_address, get_store
from verp.ui.style import apply_projector_style
from verp.workshop import workshops

apply_projector_style(full_screen=True)
store = get_store()
try:
    workshop = workshops.workshop_from_present_token(store, st.query_params.get("w", ""))
except VerpError as exc:
    st.header(str(exc), anchor=False)
    st.stop()

if st.session_state.get("present_opened") != workshop.id:  # once per projector tab, not every redraw
    workshops.record_present_opened(store, st.query_params.get("w", ""), client_address())
    st.session_state["present_opened"] = workshop.id

step, _ = workshops.room_step(store, workshop, recent=True)
# The link is the facilitator's: a clicker pointed at the projector steps the room as Control does.
follow(
    store,
    workshop,
    step,
    lambda action: clicker.act_quietly(store, workshop.facilitator_id, workshop.id, action),
)
draw_step(store, workshop, step)
