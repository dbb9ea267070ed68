"""A participant's side of a one-to-one review (on My progress): choose which of my moments each review
looks at, take one back, and take away the sheet and calendar file."""

from __future__ import annotations

import streamlit as st

from verp.core.accounts import PersonView
from verp.core.errors import VerpError
from verp.core.store import Store
from verp.review import clips, moments
from verp.ui.one_to_one_view import take_away
from verp.ui.text import escape_markdown
from verp.workshop import one_to_one
from verp.workshop.one_to_one import OneToOneView


def _my_moments(store: Store, person: PersonView) -> dict[int, str]:
    found = {}
    for clip in clips.list_clips(store, person.id):
        for m in moments.list_moments(store, person.id, clip.id):
            found[m.id] = f"{m.title} ({clip.title})"
    return found


def my_one_to_ones(store: Store, person: PersonView) -> None:
    mine = one_to_one.as_participant(store, person.id)
    if not mine:
        return
    st.header("My one-to-one reviews")
    own = _my_moments(store, person)
    for view in mine:
        with st.container(border=True):
            st.text(f"With {view.guider_name} · {view.planned_cycles} cycle(s)")
            st.text("  →  ".join(f"{s.label} ({s.state})" for s in one_to_one.shape(view)))
            if view.helping_question:
                st.text(f"My helping question: {view.helping_question}")
            _chosen(store, person, view)
            _choose(store, person, view, own)
            take_away(store, person, view.id)


def _chosen(store: Store, person: PersonView, view: OneToOneView) -> None:
    for m in one_to_one.chosen_moments(store, person.id, view.id):
        title, action = st.columns([3, 1])
        title.text(f"Review {m.cycle}: {m.title}")
        if action.button("Take back", key=f"oto_withdraw_{m.choice_id}"):
            one_to_one.withdraw_moment(store, person.id, m.choice_id)
            st.rerun()


def _choose(store: Store, person: PersonView, view: OneToOneView, own: dict[int, str]) -> None:
    if not own:
        st.caption("Mark moments of your clips on Review; then choose them here for your guider.")
        return
    with st.form(f"oto_choose_{view.id}"):
        moment_id = st.selectbox("One of my moments", list(own), format_func=own.__getitem__)
        cycles = list(range(1, view.planned_cycles + 1))
        cycle = st.selectbox("For review", cycles, view.current_cycle - 1)
        if st.form_submit_button("Share with my guider for this review"):
            try:
                one_to_one.choose_moment(store, person.id, view.id, moment_id, cycle)
            except VerpError as exc:
                st.error(escape_markdown(str(exc)))
            else:
                st.success(f"Shared with {escape_markdown(view.guider_name)} for review {cycle}.")
