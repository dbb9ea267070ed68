"""Plan: make a workshop, see the moments shared with it, put them in order, and the agenda."""

from datetime import date

import streamlit as st

from verp.core.errors import VerpError
from verp.room.principles import catalogue
from verp.ui import announce, series_view
from verp.ui import plan as plan_parts
from verp.ui.session import get_store
from verp.ui.workshop import WORKSHOP_KEY, choose_workshop, require_facilitator
from verp.workshop import workshops

person = require_facilitator()
store = get_store()
st.title("Plan a workshop")

with st.expander("New workshop", expanded=not workshops.my_workshops(store, person.id)), st.form("new"):
    title = st.text_input("Title", max_chars=200, placeholder="Spring group, session 1")
    held_on = st.date_input("Date", value=date.today())
    names = {p.key: p.name for p in catalogue().principles}
    focus = st.multiselect("Focus principles", list(names), format_func=names.get)
    rules = st.text_area("Ground rules", value=workshops.DEFAULT_GROUND_RULES, max_chars=2000)
    anonymous = st.checkbox("People may join without giving a name", value=True)
    auto = st.checkbox("Show reflections on the wall straight away (without approving each)", value=False)
    if st.form_submit_button("Create workshop", type="primary"):
        try:
            made = workshops.create_workshop(store, person.id, title, held_on, focus, rules, anonymous, auto)
        except VerpError as exc:
            st.error(str(exc))
        else:
            st.session_state[WORKSHOP_KEY] = made.id
            st.success(f"Created. Join code: {made.join_code}")
            announce.say(f"Created. Join code: {' '.join(made.join_code)}")  # read letter by letter

workshop = choose_workshop(person, include_closed=True)
if workshop is None:
    st.info("No workshops yet: create one above.")
else:
    st.text(f"Join code: {workshop.join_code} · status: {workshop.status}")
    st.page_link("pages/control.py", label="Run it from Control", icon=":material/slideshow:")
    st.subheader("Group and session")
    series_view.choose_session(store, person, workshop)
    st.subheader("Moments shared with this workshop")
    plan_parts.shared_moments_editor(store, person, workshop)
    plan_parts.child_word_choice(store, person, workshop)
    st.subheader("Timings")
    plan_parts.timings_editor(store, person, workshop)

with st.expander("Facilitators"):
    plan_parts.facilitators(store, person)
