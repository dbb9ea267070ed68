"""One-to-one: a guider and one participant around one laptop. No join code, no projector."""

import streamlit as st

from verp.ui import one_to_one_view as parts
from verp.ui.session import get_store
from verp.ui.workshop import require_facilitator
from verp.workshop import one_to_one

person = require_facilitator()
store = get_store()
st.title("One-to-one review")
st.caption("Goal-setting, then film and review: three cycles, or a single one.")
parts.show_message()
parts.new_one_to_one(store, person, expanded=not one_to_one.my_one_to_ones(store, person.id))

view = parts.choose(store, person)
if view is None:
    st.info("No one-to-ones yet: start one above.")
    st.stop()

parts.show_shape(view)
goal, clips, review, away = st.tabs(["Goal-setting", "Clips", "Review", "Until we meet again"])
with goal:
    parts.goal_setting(store, person, view)
with clips:
    if view.holds_clips:
        parts.held_clips(store, person, view)
    else:
        st.info("The participant chooses their own moments for each review on their My progress page.")
with review:
    parts.review(store, person, view)
with away:
    parts.take_away(store, person, view.id)
