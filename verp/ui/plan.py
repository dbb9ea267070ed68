"""Pieces of the Plan page: the shared moments in running order, and who else facilitates."""

from __future__ import annotations

import streamlit as st

from verp import accounts, workshops
from verp.accounts import PersonView
from verp.prompts import prompt_book
from verp.store import Store
from verp.workshops import WorkshopView


def shared_moments_editor(store: Store, person: PersonView, workshop: WorkshopView) -> None:
    """Moments shared with the workshop, grouped by participant: move them, choose their prompts."""
    shown = workshops.shown_moments(store, workshop.id)
    if not shown:
        st.caption("Nothing shared yet. Participants share moments from their own clips.")
    sets = {s.key: s.name for s in prompt_book().sets}
    for owner_id in dict.fromkeys(m.owner_id for m in shown):
        mine = [m for m in shown if m.owner_id == owner_id]
        st.text(f"Participant: {mine[0].owner_name}")
        for m in mine:
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


def facilitators(store: Store, person: PersonView) -> None:
    """Everyone with an account; a facilitator can give the role to a colleague."""
    for other in accounts.list_people(store):
        name, action = st.columns([3, 1])
        name.text(other.display_name + ("  · facilitator" if other.is_facilitator else ""))
        if not other.is_facilitator and action.button("Make facilitator", key=f"fac_{other.id}"):
            accounts.set_facilitator(store, person.id, other.id)
            st.rerun()
