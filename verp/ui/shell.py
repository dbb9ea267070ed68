"""The app's frame: navigation for whoever is signed in, and the sidebar that says who they are."""

from __future__ import annotations

import streamlit as st

from verp.ui.session import current_person, flush_cookie, forget
from verp.ui.style import apply_base_style


def prepare_server() -> None:
    """Run once when the server imports ``app.py``, before any browser connects.

    Streamlit treats an app that has a ``pages/`` folder as an old-style multipage app until the first
    run calls ``st.navigation``; a first visitor arriving on a deep link (a join QR code, say) would then
    run that page alone, without the sign-in frame. Declaring the navigation style up front avoids that.
    """
    from streamlit.runtime.pages_manager import PagesManager

    PagesManager.uses_pages_directory = False


def run_app() -> None:
    st.set_page_config(page_title="VERP Workshop", page_icon=":material/videocam:", layout="wide")
    apply_base_style()
    flush_cookie()
    person = current_person()
    navigation = st.navigation(_pages(person))
    _sidebar(person)
    navigation.run()


def _pages(person) -> list:
    """Every page is registered for everyone, so a deep link always lands on its page, which then
    asks for sign-in if it needs it; only the pages that make sense right now are shown."""
    signed_in = person is not None
    facilitator = signed_in and person.is_facilitator
    return [
        st.Page("pages/home.py", title="Home", icon=":material/home:", default=True),
        _page("pages/my_clips.py", "My clips", ":material/video_library:", signed_in),
        _page("pages/review.py", "Review", ":material/movie_edit:", signed_in),
        st.Page("pages/principles.py", title="Principles", icon=":material/diversity_3:"),
        _page("pages/sign_in.py", "Sign in", ":material/login:", not signed_in),
        st.Page("pages/join.py", title="Join", icon=":material/qr_code_2:"),
        _page("pages/plan.py", "Plan", ":material/event_note:", facilitator),
        _page("pages/control.py", "Control", ":material/slideshow:", facilitator),
        _page("pages/present.py", "Present", ":material/tv:", False),  # opened from Control by its link
    ]


def _page(path: str, title: str, icon: str, shown: bool):
    return st.Page(path, title=title, icon=icon, visibility="visible" if shown else "hidden")


def _sidebar(person) -> None:
    with st.sidebar:
        if person is None:
            st.caption("Not signed in")
            return
        st.caption("Signed in as")
        st.text(person.display_name)
        if st.button("Sign out", icon=":material/logout:"):
            forget()
            st.rerun()
