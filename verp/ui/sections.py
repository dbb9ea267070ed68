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


@contextmanager
def section(label: str, key: str, expanded: bool = False, icon: str | None = None) -> Iterator[bool]:
    """An expander that says whether it is open: draw its contents only when it is.

    ``key`` names what it holds (e.g. a moment's id). Streamlit takes an expander whose label changed
    ("shared with 2 workshops" after a share) for a new one, which would start as ``expanded`` and drop
    a click made on it under its old label; so the label it was drawn with is remembered beside the key,
    and under a new label the section keeps its state, the latest click included. (Its ``expanded`` is
    never changed for that: an expander whose identity flips from run to run loses clicks.)
    """
    label_key = f"{key}:label"
    if key in st.session_state and st.session_state.get(label_key, label) != label:
        st.session_state[key] = bool(st.session_state[key])  # carried over to the new label
    with st.expander(label, expanded=expanded, key=key, icon=icon, on_change="rerun") as box:
        st.session_state[label_key] = label
        yield bool(box.open)
