"""Summary: everything the group noticed in one workshop, kept as text and printable once clips are gone."""

import streamlit as st

from verp.core.errors import VerpError
from verp.records import summary
from verp.ui.downloads import summary_links
from verp.ui.session import get_store, require_person
from verp.ui.summary_view import principle_chart, show_groups, show_moments
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

try:
    result = summary.facilitator_summary(store, person.id, choice.id)
except VerpError as exc:
    st.error(escape_markdown(str(exc)))
    st.stop()

st.text(f"{result.title}\n{result.held_on:%d %B %Y} · facilitated by {result.facilitator}")
if result.focus:
    st.text("Focus: " + ", ".join(result.focus))

st.header("Who took part")
st.dataframe(summary.participants_table(result), hide_index=True, width="stretch")

st.header("Moments")
show_moments(result.moments)

st.header("How often each principle was noticed")
st.caption("Counted across the whole workshop: what the group saw, never a score for anyone.")
principle_chart(result.principle_counts)

st.header("What the group noticed")
# Only the chosen tab is drawn (switching reruns the page): each holds a table per principle or moment.
by_principle, by_moment = st.tabs(["By principle", "By moment"], key="summary_grouping", on_change="rerun")
if by_principle.open:
    with by_principle:
        show_groups(result.by_principle, ["text", "moment", "kind", "author"])
if by_moment.open:
    with by_moment:
        show_groups(result.by_moment, ["text", "principle", "kind", "author"])

st.header("Next steps")
st.dataframe(result.next_steps, hide_index=True, width="stretch")
