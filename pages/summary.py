"""Summary: everything the group noticed in one workshop, kept as text and printable once clips are gone."""

import streamlit as st

from verp.core.errors import VerpError
from verp.records import summary
from verp.ui.downloads import summary_links
from verp.ui.sections import section
from verp.ui.session import get_store, require_person
from verp.ui.summary_view import PARTS, principle_chart, show_groups, show_moments
from verp.ui.text import escape_markdown

person = require_person()
store = get_store()
st.title("Workshop summary")

workshops = summary.facilitated_workshops(store, person.id)
if not workshops:
    st.info("Summaries belong to the workshops you facilitate. You have none yet.")
    st.stop()
choice = st.selectbox(
    "Workshop", workshops, format_func=lambda w: f"{w.title} · {w.held_on:%d %b %Y}", key="summary_workshop"
)
# The links come before the summary is gathered: the server builds each file when its link is fetched.
with st.container(border=True):
    st.caption("A record of strengths noticed, not for appraisal or performance management.")
    stills = st.checkbox("Include stills where consent allows", key="summary_stills")
    ratings = st.checkbox("Include each person's rating of their helping question", key="summary_ratings")
    authors = st.checkbox("Include who wrote each reflection", key="summary_authors")
    summary_links(store, person.id, choice.id, stills, ratings, authors)

focus = f"\nFocus: {', '.join(choice.focus)}" if choice.focus else ""
st.text(f"{choice.title}\n{choice.held_on:%d %B %Y} · facilitated by {person.display_name}{focus}")
st.caption("Open a part to read it here. Each download holds all of it.")

# The summary is gathered once a run, and only when a part of it is open: with a live room it is the
# most a page reads, and most visits come for a download.
gathered: dict[str, summary.WorkshopSummary] = {}


def whole() -> summary.WorkshopSummary:
    if not gathered:
        try:
            gathered["summary"] = summary.facilitator_summary(store, person.id, choice.id)
        except VerpError as exc:
            st.error(escape_markdown(str(exc)))
            st.stop()
    return gathered["summary"]


with section(*PARTS["people"]) as shown:
    if shown:
        st.dataframe(summary.participants_table(whole()), hide_index=True, width="stretch")

with section(*PARTS["moments"]) as shown:
    if shown:
        show_moments(whole().moments)

with section(*PARTS["counts"]) as shown:
    if shown:
        st.caption("Counted across the whole workshop: what the group saw, never a score for anyone.")
        principle_chart(whole().principle_counts)

with section(*PARTS["noticed"]) as shown:
    if shown:
        # Only the chosen tab is drawn (switching reruns the page): each holds a table per group.
        by_principle, by_moment = st.tabs(
            ["By principle", "By moment"], key="summary_grouping", on_change="rerun"
        )
        if by_principle.open:
            with by_principle:
                show_groups(whole().by_principle, ["text", "moment", "kind", "author"])
        if by_moment.open:
            with by_moment:
                show_groups(whole().by_moment, ["text", "principle", "kind", "author"])

with section(*PARTS["steps"]) as shown:
    if shown:
        st.dataframe(whole().next_steps, hide_index=True, width="stretch")
