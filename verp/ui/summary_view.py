"""Drawing a summary on screen: charts and tables, with every piece of user text shown as text.

Charts are Vega-Lite specifications written out, not Altair objects: Altair checks every chart against
the whole Vega-Lite schema as it turns it into the same specification, about 25 ms a chart on each
run of the page."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import streamlit as st

from verp.records.summary import MomentLine, ReflectionGroup

GREY = "#5f6368"

# The parts of the summary on its page, each a section drawn once opened: its heading and its key.
PARTS = {
    "people": ("Who took part", "summary_people_open"),
    "moments": ("Moments", "summary_moments_open"),
    "counts": ("How often each principle was noticed", "summary_counts_open"),
    "noticed": ("What the group noticed", "summary_noticed_open"),
    "steps": ("Next steps", "summary_steps_open"),
}


def quantitative(field: str, **more) -> dict:
    """A Vega-Lite field of numbers (Altair's ``"field:Q"``)."""
    return {"field": field, "type": "quantitative", **more}


def nominal(field: str, **more) -> dict:
    """A Vega-Lite field of names (Altair's ``"field:N"``)."""
    return {"field": field, "type": "nominal", **more}


def principle_chart(counts: pd.DataFrame) -> None:
    """How often each principle was noticed: all six, in catalogue order, zeros included."""
    spec = {
        "mark": {"type": "bar", "color": GREY},
        "height": 36 * len(counts),
        "encoding": {
            "x": quantitative("count", title="Times noticed", axis={"tickMinStep": 1}),
            "y": nominal("principle", sort=None, title=None, axis={"labelLimit": 320}),
            "tooltip": [nominal("principle"), quantitative("count")],
        },
    }
    st.vega_lite_chart(counts, spec, width="stretch")


def ratings_chart(ratings: pa.Table) -> None:
    """Each helping question's 0–10 rating over its cycles (1–3 at least, as many as were rated), one line
    per question."""
    last = max(3, max(ratings.column("cycle").to_pylist()))  # a fourth cycle, or a twelfth, is drawn too
    spec = {
        "mark": {"type": "line", "point": True},
        "encoding": {
            "x": quantitative("cycle", scale={"domain": [1, last]}, axis={"tickMinStep": 1}, title="Cycle"),
            "y": quantitative("score", scale={"domain": [0, 10]}, title="Rating (0–10)"),
            "color": nominal("question", legend={"orient": "bottom", "labelLimit": 600, "title": None}),
            "tooltip": [
                nominal("question"),
                quantitative("cycle"),
                quantitative("score"),
                nominal("workshop"),
            ],
        },
    }
    st.vega_lite_chart(ratings, spec, width="stretch")


def show_moments(moments: tuple[MomentLine, ...], with_owner: bool = True) -> None:
    if not moments:
        st.info("No moments were shared with this workshop.")
    for number, moment in enumerate(moments, start=1):
        with st.container(border=True):
            st.caption(f"Moment {number}")
            st.text("\n".join(moment_lines(moment, with_owner)))  # one text: a record card, read not clicked


def moment_lines(moment: MomentLine, with_owner: bool = True) -> list[str]:
    """The lines of one moment's card: its title, who brought it, its principles, marks, note, captions."""
    lines = [moment.title]
    if with_owner:
        lines.append(f"Brought by {moment.owner}")
    if moment.principles:
        lines.append("Principles tagged: " + ", ".join(moment.principles))
    lines += ["Freeze-frame " + mark for mark in moment.marks]
    if moment.note:
        lines.append("Note: " + moment.note)
    if moment.captions:
        lines.append("Captions:\n" + moment.captions)
    return lines


def show_groups(groups: tuple[ReflectionGroup, ...], columns: list[str]) -> None:
    if not groups:
        st.info("No reflections were kept for this workshop.")
    for group in groups:
        st.text(f"{group.label} · {len(group.table)}")
        st.dataframe(group.table[columns], hide_index=True, width="stretch")
