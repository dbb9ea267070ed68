"""Drawing a group series: the opening of session N on the projector, a member's view on My progress,
the session choice on Plan. Each member's ratings are a chart of their own: never people side by side
on one scale."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from verp.core.accounts import PersonView
from verp.core.errors import VerpError
from verp.core.store import Store
from verp.records import between_sessions, export
from verp.ui.summary_view import GREY, quantitative
from verp.ui.text import escape_markdown
from verp.workshop import groups
from verp.workshop.groups import MemberOpening
from verp.workshop.workshops import WorkshopView


def own_ratings_chart(member: MemberOpening, sessions: int) -> None:
    """One member's ratings, cycle by cycle, on the 0–10 scale."""
    data = pd.DataFrame(member.ratings, columns=["cycle", "score"])
    spec = {
        "mark": {"type": "line", "point": True, "color": GREY},
        "height": 160,
        "encoding": {
            "x": quantitative("cycle", scale={"domain": [1, max(sessions, 2)]}, axis={"tickMinStep": 1}),
            "y": quantitative("score", scale={"domain": [0, 10]}, title="Rating (0–10)"),
        },
    }
    st.vega_lite_chart(data, spec, width="stretch")


def series_opening(store: Store, workshop: WorkshopView, big_text=st.text) -> None:
    """Session N opens: each member's next step from session N−1, and their own ratings so far."""
    opening = groups.series_opening(store, workshop.id)
    if opening is None:
        return
    st.html(f"<h1>Since session {opening.number - 1}</h1>")
    big_text("  ".join(opening.prompts))
    for member in opening.members:
        with st.container(border=True):
            st.subheader(escape_markdown(member.name), anchor=False)  # a name its owner typed
            words, chart = st.columns([3, 2])
            with words:
                for step in member.next_steps or ("No next step was recorded last time.",):
                    big_text(f"Next step: {step}")
            with chart:
                if not member.ratings_shared:
                    st.caption("Their ratings stay with them.")
                elif member.ratings:
                    own_ratings_chart(member, opening.number)
                else:
                    st.caption("No ratings yet.")


def choose_session(store: Store, person: PersonView, workshop: WorkshopView) -> None:
    """On Plan: which group, and which session of it, this workshop is."""
    mine = groups.my_groups(store, person.id)
    if not mine:
        st.caption("Make a group on the Groups page to run this workshop as one session of a series.")
        return
    found = groups.session_of(store, workshop.id)
    ids = [None, *[g.id for g in mine]]
    names = {g.id: g.name for g in mine}
    current = found[0].id if found else None
    with st.form(f"series_{workshop.id}"):
        group_id = st.selectbox(
            "Group",
            ids,
            ids.index(current) if current in ids else 0,
            format_func=lambda i: "Not part of a group" if i is None else names[i],
        )
        number = st.number_input(
            "Session number", min_value=1, max_value=groups.MAX_SESSIONS, value=found[1] if found else 1
        )
        if st.form_submit_button("Save the session"):
            try:
                groups.set_session(store, person.id, workshop.id, group_id, int(number))
            except VerpError as exc:
                st.error(escape_markdown(str(exc)))
            else:
                st.success("Saved." if group_id else "This workshop stands on its own.")


def my_series(store: Store, person: PersonView) -> None:
    """On My progress: each group's next session, what I set myself, and what to take away."""
    mine = groups.my_series(store, person.id)
    if not mine:
        return
    st.header("My group sessions")
    sheets = {s.heading: s for s in between_sessions.group_sheets(store, person.id, person.display_name)}
    for n, item in enumerate(mine):
        with st.container(border=True):
            st.text(item.group_name)
            if item.next_number is None:
                st.text(f"All {item.planned_sessions} sessions have been held.")
            else:
                when = f" on {item.next_on:%A %d %B %Y}" if item.next_on else " (date to be agreed)"
                st.text(f"Next: session {item.next_number} of {item.planned_sessions}{when}")
            st.text(f"My helping question: {item.helping_question or 'not written yet'}")
            st.text(f"My next step: {item.next_step or 'not set yet'}")
            if sheet := sheets.get(item.group_name):
                _take_away(sheet, f"g{n}_{person.id}")


def _take_away(sheet: between_sessions.BetweenSheet, key: str) -> None:
    pdf, ics = st.columns(2)
    pdf.download_button(
        "Until we meet again (PDF)",
        lambda: between_sessions.sheet_pdf(sheet),
        f"verp-until-we-meet-again-{export.slugify(sheet.heading, 'group')}.pdf",
        "application/pdf",
        key=f"sheet_{key}",
        icon=":material/download:",
        on_click="ignore",  # no rerun: one could drop the file before the browser fetched it
    )
    ics.download_button(
        "Calendar: next session and filming reminder",
        lambda: between_sessions.calendar_ics(sheet, key),
        f"verp-next-session-{export.slugify(sheet.heading, 'group')}.ics",
        "text/calendar",
        key=f"ics_{key}",
        icon=":material/event:",
        on_click="ignore",  # no rerun: one could drop the file before the browser fetched it
    )
