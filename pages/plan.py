"""Plan: make a workshop, see the moments shared with it, put them in order, and the agenda."""

from datetime import date

import streamlit as st

from verp import accounts, workshops
from verp.principles import catalogue
from verp.prompts import prompt_book
from verp.ui.session import get_store
from verp.ui.workshop import WORKSHOP_KEY, choose_workshop, require_facilitator

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
    auto = st.checkbox("Show reflections on the wall straight away", value=True)
    if st.form_submit_button("Create workshop", type="primary"):
        try:
            made = workshops.create_workshop(store, person.id, title, held_on, focus, rules, anonymous, auto)
        except workshops.WorkshopError as exc:
            st.error(str(exc))
        else:
            st.session_state[WORKSHOP_KEY] = made.id
            st.success(f"Created. Join code: {made.join_code}")

workshop = choose_workshop(person, include_closed=True)
if workshop is None:
    st.info("No workshops yet: create one above.")
else:
    st.text(f"Join code: {workshop.join_code} · status: {workshop.status}")
    st.page_link("pages/control.py", label="Run it from Control", icon=":material/slideshow:")
    st.subheader("Moments shared with this workshop")
    shown = workshops.shown_moments(store, workshop.id)
    if not shown:
        st.caption("Nothing shared yet. Participants share moments from their own clips.")
    sets = {s.key: s.name for s in prompt_book().sets}
    for owner in dict.fromkeys(m.owner_name for m in shown):
        st.markdown("**Participant**")
        st.text(owner)
        for m in [m for m in shown if m.owner_name == owner]:
            with st.container(border=True, key=f"share_{m.share_id}"):
                st.text(f"{m.title}  ({m.start_s:.1f}–{m.end_s:.1f} s)")
                up, down, prompts = st.columns([1, 1, 4])
                if up.button("Up", key=f"up_{m.share_id}", icon=":material/arrow_upward:"):
                    workshops.move_share(store, person.id, workshop.id, m.share_id, -1)
                    st.rerun()
                if down.button("Down", key=f"down_{m.share_id}", icon=":material/arrow_downward:"):
                    workshops.move_share(store, person.id, workshop.id, m.share_id, 1)
                    st.rerun()
                chosen = prompts.selectbox(
                    "Prompt set",
                    list(sets),
                    list(sets).index(m.prompt_set) if m.prompt_set in sets else 0,
                    format_func=sets.get,
                    key=f"set_{m.share_id}",
                )
                if chosen != m.prompt_set:
                    workshops.set_prompt_set(store, person.id, workshop.id, m.share_id, chosen)
    st.subheader("Agenda")
    items = workshops.agenda(store, workshop.id)
    st.dataframe(
        {
            "Starts (min)": [i.starts_at_min for i in items],
            "Part": [i.title for i in items],
            "Minutes": [i.minutes for i in items],
        },
        hide_index=True,
    )

with st.expander("Facilitators"):
    for other in accounts.list_people(store):
        name, action = st.columns([3, 1])
        name.text(other.display_name + ("  · facilitator" if other.is_facilitator else ""))
        if not other.is_facilitator and action.button("Make facilitator", key=f"fac_{other.id}"):
            accounts.set_facilitator(store, person.id, other.id)
            st.rerun()
