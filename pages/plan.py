"""Plan: make a workshop, see the moments shared with it, put them in order, and the agenda."""

import streamlit as st

from verp.ui import plan as plan_parts
from verp.ui import series_view
from verp.ui.sections import section
from verp.ui.session import get_store
from verp.ui.workshop import choose_workshop, require_facilitator
from verp.workshop import workshops

person = require_facilitator()
store = get_store()
st.title("Plan a workshop")

theirs = plan_parts.workshops_to_plan(store, person)
with section("New workshop", key="new_workshop", expanded=not theirs) as shown:
    if shown and plan_parts.new_workshop_form(store, person):
        theirs = plan_parts.workshops_to_plan(store, person)  # with the one just made

workshop = choose_workshop(person, include_closed=True, theirs=theirs)
plan_parts.closed_too_switch()
if workshop is None:
    st.info(plan_parts.none_to_plan())
else:
    st.text(f"Join code: {workshop.join_code} · status: {workshop.status}")
    st.page_link("pages/control.py", label="Run it from Control", icon=":material/slideshow:")
    # Set once for a workshop: a section, drawn (with the facilitator's groups) once it is opened.
    with section("Group, session and wording", key=f"series_open_{workshop.id}") as opened:
        if opened:
            series_view.choose_session(store, person, workshop)
            plan_parts.child_word_choice(store, person, workshop)
    st.subheader("Moments shared with this workshop")
    # Read once for the list and the timings; a moment's tags and freeze-frames when it is opened.
    shown = workshops.shown_moments(store, workshop.id, details=False)
    plan_parts.shared_moments_editor(store, person, workshop, shown)
    st.subheader("Timings")
    plan_parts.timings_editor(store, person, workshop, shown)

plan_parts.facilitators(store, person)
