"""Drawing a summary on screen: charts and tables, with every piece of user text shown as text."""

from __future__ import annotations

from functools import partial

import altair as alt
import pandas as pd
import streamlit as st

from verp.core.accounts import PersonView
from verp.core.store import Store
from verp.records import export, summary
from verp.records.summary import MomentLine, ReflectionGroup, WorkshopSummary

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


def show_groups(groups: tuple[ReflectionGroup, ...], columns: list[str]) -> None:
    if not groups:
        st.info("No reflections were kept for this workshop.")
    for group in groups:
        st.text(f"{group.label} · {len(group.table)}")
        st.dataframe(group.table[columns], hide_index=True, width="stretch")


def download_buttons(
    store: Store,
    person: PersonView,
    result: WorkshopSummary,
    stills: bool,
    ratings: bool = False,
    authors: bool = False,
) -> None:
    """PDF (built only when clicked), Markdown and CSV; each download is noted in the audit log."""
    pdf, md, csv, exact = st.columns(4)
    note = partial(summary.record_download, store, person.id, result.workshop_id)
    name = partial(export.file_name, result.title, result.held_on)
    pdf.download_button(
        export.LABEL_PDF,
        partial(export.summary_pdf, result, stills, include_ratings=ratings, include_authors=authors),
        name("pdf"),
        "application/pdf",
        key="download_pdf",
        icon=":material/picture_as_pdf:",
        on_click=partial(note, "pdf with stills" if stills else "pdf"),
    )
    md.download_button(
        export.LABEL_TEXT,
        export.summary_markdown(result, include_ratings=ratings, include_authors=authors),
        name("md"),
        "text/markdown",
        key="download_md",
        icon=":material/description:",
        on_click=partial(note, "markdown"),
    )
    csv.download_button(
        export.LABEL_SPREADSHEET,
        export.reflections_csv(result, include_authors=authors),
        name("csv"),
        "text/csv",
        key="download_csv",
        icon=":material/table:",
        on_click=partial(note, "csv"),
        help="For spreadsheets: a cell that would run as a formula starts with an apostrophe.",
    )
    exact.download_button(
        export.LABEL_DATA_TOOLS,
        export.reflections_csv(result, exact=True, include_authors=authors),
        name("csv", "exact"),
        "text/csv",
        key="download_csv_exact",
        icon=":material/dataset:",
        on_click=partial(note, "csv exact"),
        help="For data tools such as pandas or R: every cell exactly as typed. Do not open it in a "
        "spreadsheet by double-clicking: a cell typed as a formula could run.",
    )
