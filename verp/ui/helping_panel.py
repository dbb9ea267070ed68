"""The helping question at the head of the Review page: what I want to get better at, and how it goes."""

from __future__ import annotations

import streamlit as st

from verp.core.accounts import PersonView
from verp.core.errors import VerpError
from verp.core.store import Store
from verp.review import helping
from verp.ui.sections import section
from verp.ui.text import escape_markdown


def show_helping_question(store: Store, person: PersonView) -> None:
    """The question and where it stands (its cycle, its latest rating, whether the group sees it), then
    one section to rate it, share it or change it, and to look back over the cycles so far: each of
    those is done now and then, not on every visit, and each was a share of every run of Review."""
    active = helping.active_question(store, person.id)
    with st.container(border=True, key="helping_question"):
        if active is None:
            st.caption("My helping question")
            st.info("What would you like to get better at? Write it below; it will head this page.")
        else:
            st.caption(standing(active))
            st.text(active.text)
        label = "Write my helping question" if active is None else "Rate, share or change my helping question"
        with section(label, "helping_form_open", expanded=active is None) as shown:
            if shown:
                if active is not None:
                    _rating(store, person, active)
                    _sharing(store, person, active)
                _question_form(store, person, active)
                if active is not None:
                    _cycles(store, person)


def standing(active) -> str:
    """``My helping question · cycle 1 · rated 6/10 · only for me``."""
    score = "not rated yet" if active.latest_score is None else f"rated {active.latest_score}/10"
    shared = "shown to the group with my moments" if active.shared else "only for me"
    return f"My helping question · cycle {active.cycle} · {score} · {shared}"


def _sharing(store: Store, person: PersonView, active) -> None:
    shared = st.toggle(
        "Show my helping question to the group when my moments are on screen",
        value=active.shared,
        key="share_helping",
    )
    if shared != active.shared:
        helping.share_with_group(store, person.id, shared)
        st.rerun()


def _question_form(store: Store, person: PersonView, active) -> None:
    with st.form("helping_form", border=False):
        text = st.text_area(
            "What would you like to get better at?",
            value=active.text if active else "",
            placeholder="e.g. How can I give quieter pupils more chances to start a conversation?",
            max_chars=helping.MAX_TEXT,
        )
        cycle = st.number_input(
            "Cycle (one film and its review; three is usual, one is fine)",
            min_value=1,
            max_value=helping.MAX_CYCLE,
            value=active.cycle if active else 1,
        )
        if st.form_submit_button("Save my helping question", key="save_helping"):
            try:
                helping.set_helping_question(store, person.id, text, int(cycle))
            except VerpError as exc:
                st.error(escape_markdown(str(exc)))
            else:
                st.rerun()


def _rating(store: Store, person: PersonView, active) -> None:
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    score = left.segmented_control(  # no number chosen for me: I pick one, or none is saved
        f"How near are you to it now, from 0 to 10? (cycle {active.cycle})",
        list(range(11)),
        key="helping_score",
    )
    if right.button("Save my rating", key="save_rating", disabled=score is None) and score is not None:
        helping.rate(store, person.id, int(score))
        st.rerun()


def _cycles(store: Store, person: PersonView) -> None:
    """Each cycle's question and its ratings, under the form (once there is more than this one, unrated)."""
    past = helping.history(store, person.id)
    if len(past) > 1 or any(q.ratings for q in past):
        st.caption("My cycles so far")
        rows = [{"Cycle": q.cycle, "Helping question": q.text, "Rating": q.latest_score} for q in past]
        st.dataframe(rows, hide_index=True)
