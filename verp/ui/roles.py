"""The administrator's list of people, to grant or remove the facilitator role."""

from __future__ import annotations

import streamlit as st

from verp.core import accounts
from verp.core.accounts import AccountError, PersonView
from verp.core.store import Store


def roles_panel(store: Store, admin: PersonView) -> None:
    """One switch per account; each change is written to the audit log."""
    st.subheader("Facilitators", anchor=False)
    st.caption("Facilitators plan and run workshops and read their own workshops' audit entries.")
    for other in accounts.list_people(store):
        name, switch = st.columns([3, 1], vertical_alignment="center")
        name.text(other.display_name)  # a name someone typed: shown as text, never Markdown
        wanted = switch.toggle(
            "Facilitator", value=other.is_facilitator, key=f"role_{other.id}", label_visibility="visible"
        )
        if wanted != other.is_facilitator:
            try:
                accounts.set_facilitator(store, admin.id, other.id, wanted)
            except AccountError as exc:
                st.error(str(exc))
            else:
                st.rerun()
