"""Present: what the room sees on the projector. Opened from Control by a signed link for one workshop;
it follows Control within about two seconds, and stops working when the workshop closes."""

import streamlit as st

from verp.room.running_order import current_step
from verp.ui import clicker
from verp.ui.present import draw_step, follow
from verp.ui.session import get_store
from verp.ui.workshop import PRESENT_CSS
from verp.workshop import workshops

st.html(PRESENT_CSS)
store = get_store()
try:
    workshop = workshops.workshop_from_present_token(store, st.query_params.get("w", ""))
except workshops.WorkshopError as exc:
    st.header(str(exc), anchor=False)
    st.stop()

# The link is the facilitator's: a clicker pointed at the projector steps the room as Control does.
clicker.listen(lambda action: clicker.act_quietly(store, workshop.facilitator_id, workshop.id, action))
step, total = current_step(store, workshop.id, workshop.current_step)
follow(store, workshop.id, workshop.state_version, step)
draw_step(store, workshop, step)
