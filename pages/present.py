"""Present: what the room sees on the projector. Opened from Control by a signed link for one workshop;
it follows Control within about a second, and stops working when the workshop closes."""

import streamlit as st

from verp.room.running_order import current_step
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

step, total = current_step(store, workshop.id, workshop.current_step)
follow(store, workshop.id, workshop.state_version, step)
draw_step(store, workshop, step)
