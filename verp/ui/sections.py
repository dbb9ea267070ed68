"""Parts of a page drawn only while someone has them open.

A closed ``st.expander`` still runs everything inside it, and sends it to the browser, on every run of
its page. On a page with a dozen of them (a preparation form for each shared moment, a row for each
colleague, a change form for each reflection a phone sent) that was most of each run, on the server and
in the browser. A section reruns the page when it is opened or closed, and draws its contents only while
it is open; it looks and works like any expander, keyboard and screen reader included.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

# The label each section was drawn with, by key: one entry of the session for them all. Every text box,
# number box and choice box on a page copies the whole session (Streamlit's ``filtered_state``) when it
# is drawn, so an entry for each section's label made every such box slower on a page of sections.
LABELS_KEY = "section_labels"


@contextmanager
def section(label: str, key: str, expanded: bool = False, icon: str | None = None) -> Iterator[bool]:
    """An expander that says whether it is open: draw its contents only when it is.

    ``key`` names what it holds (e.g. a moment's id). Streamlit takes an expander whose label changed
    ("shared with 2 workshops" after a share) for a new one, which would start as ``expanded`` and drop
    a click made on it under its old label; so the label it was drawn with is remembered (``LABELS_KEY``),
    and under a new label the section keeps its state, the latest click included. (Its ``expanded`` is
    never changed for that: an expander whose identity flips from run to run loses clicks.)
    """
    labels = st.session_state.setdefault(LABELS_KEY, {})
    if key in st.session_state and labels.get(key, label) != label:
        st.session_state[key] = bool(st.session_state[key])  # carried over to the new label
    with st.expander(label, expanded=expanded, key=key, icon=icon, on_change="rerun") as box:
        labels[key] = label
        yield bool(box.open)
