"""Groups: a VERP group that meets several times; each workshop is one session of it (chosen on Plan)."""

import streamlit as st

from verp.core import accounts
from verp.core.errors import VerpError
from verp.ui.session import get_store
from verp.ui.text import escape_markdown
from verp.ui.workshop import require_facilitator
from verp.workshop import groups

person = require_facilitator()
store = get_store()
st.title("Groups")
st.caption("Session N of a group is each member's cycle N. Choose a workshop's group and session on Plan.")
people = {p.id: p.display_name for p in accounts.list_people(store) if p.id != person.id}
mine = groups.my_groups(store, person.id)

with st.expander("New group", expanded=not mine), st.form("new_group"):
    name = st.text_input("Name", max_chars=200, placeholder="Spring group")
    members = st.multiselect("Members", list(people), format_func=people.get)
    planned = st.number_input("Planned sessions", min_value=1, max_value=groups.MAX_SESSIONS, value=3)
    if st.form_submit_button("Create group", type="primary"):
        try:
            made = groups.create_group(store, person.id, name, members, int(planned))
        except VerpError as exc:
            st.error(escape_markdown(str(exc)))
        else:
            st.success(f"Created {escape_markdown(made.name)}.")
            mine = groups.my_groups(store, person.id)

for group in mine:
    with st.container(border=True):
        st.subheader(escape_markdown(group.name), anchor=False)
        st.text("Members: " + (", ".join(m.name for m in group.members) or "none yet"))
        for n in range(1, max(group.planned_sessions, len(group.sessions)) + 1):
            ref = group.session(n)
            held = f"{ref.title} · {ref.held_on:%d %b %Y} · {ref.status}" if ref else "not planned yet"
            st.text(f"Session {n}: {held}")
        with st.expander("Change this group"), st.form(f"group_{group.id}"):
            new_name = st.text_input("Name", value=group.name, max_chars=200)
            chosen = [m.person_id for m in group.members if m.person_id in people]
            new_members = st.multiselect("Members", list(people), default=chosen, format_func=people.get)
            sessions = st.number_input(
                "Planned sessions", min_value=1, max_value=groups.MAX_SESSIONS, value=group.planned_sessions
            )
            if st.form_submit_button("Save"):
                try:
                    groups.update_group(store, person.id, group.id, new_name, new_members, int(sessions))
                except VerpError as exc:
                    st.error(escape_markdown(str(exc)))
                else:
                    st.rerun()
