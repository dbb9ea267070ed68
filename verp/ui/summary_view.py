"""Drawing a summary on screen: charts and tables, with every piece of user text shown as text."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from verp.records.summary import MomentLine, ReflectionGroup

GREY = "#5f6368"


def principle_chart(counts: pd.DataFrame) -> None:
    """How often each principle was noticed: all six, in catalogue order, zeros included."""
    chart = (
        alt.Chart(counts)
        .mark_bar(color=GREY)
        .encode(
            x=alt.X("count:Q", title="Times noticed", axis=alt.Axis(tickMinStep=1)),
            y=alt.Y("principle:N", sort=None, title=None, axis=alt.Axis(labelLimit=320)),
            tooltip=["principle", "count"],
        )
        .properties(height=36 * len(counts))
    )
    st.altair_chart(chart, width="stretch")


def ratings_chart(ratings: pd.DataFrame) -> None:
    """Each helping question's 0–10 rating over cycles 1–3, one line per question."""
    chart = (
        alt.Chart(ratings)
        .mark_line(point=True)
        .encode(
            x=alt.X("cycle:Q", scale=alt.Scale(domain=[1, 3]), axis=alt.Axis(tickMinStep=1), title="Cycle"),
            y=alt.Y("score:Q", scale=alt.Scale(domain=[0, 10]), title="Rating (0–10)"),
            color=alt.Color("question:N", legend=alt.Legend(orient="bottom", labelLimit=600, title=None)),
            tooltip=["question", "cycle", "score", "workshop"],
        )
    )
    st.altair_chart(chart, width="stretch")


def show_moments(moments: tuple[MomentLine, ...], with_owner: bool = True) -> None:
    if not moments:
        st.info("No moments were shared with this workshop.")
    for number, moment in enumerate(moments, start=1):
        with st.container(border=True):
            st.caption(f"Moment {number}")
            st.text(moment.title)
            if with_owner:
                st.text(f"Brought by {moment.owner}")
            if moment.principles:
                st.text("Principles tagged: " + ", ".join(moment.principles))
            for mark in moment.marks:
                st.text("Freeze-frame " + mark)
            if moment.note:
                st.text("Note: " + moment.note)
            if moment.captions:
                st.text("Captions:\n" + moment.captions)


def show_groups(groups: tuple[ReflectionGroup, ...], columns: list[str]) -> None:
    if not groups:
        st.info("No reflections were kept for this workshop.")
    for group in groups:
        st.text(f"{group.label} · {len(group.table)}")
        st.dataframe(group.table[columns], hide_index=True, width="stretch")
