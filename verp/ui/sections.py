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

    ``key`` keeps it open across runs of the page (give one that names what it holds, e.g. a moment's id).
    """
    with st.expander(label, expanded=expanded, key=key, icon=icon, on_change="rerun") as box:
        yield bool(box.open)
