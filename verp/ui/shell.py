"""The app's frame: navigation for whoever is signed in, and the sidebar that says who they are."""

from __future__ import annotations

import copy
import functools
import gc
import importlib
import logging
import threading

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from verp.ui.session import current_person, forget, send_ticket, this_run
from verp.ui.style import apply_base_style
from verp.ui.text import escape_markdown


def prepare_server() -> None:
    """Run once when the server imports ``app.py``, before any browser connects.

    Streamlit treats an app that has a ``pages/`` folder as an old-style multipage app until the first
    run calls ``st.navigation``; a first visitor arriving on a deep link (a join QR code, say) would then
    run that page alone, without the sign-in frame. Declaring the navigation style up front avoids that.
    """
    from streamlit.runtime.pages_manager import PagesManager

    from verp.core.config import ConfigError, load_settings

    try:
        load_settings().secret_key()  # a weak VERP_SECRET_KEY stops the server before anyone signs in
    except ConfigError as exc:
        raise SystemExit(f"VERP Workshop cannot start: {exc}") from None
    PagesManager.uses_pages_directory = False
    threading.Thread(target=_preload, name="verp-preload", daemon=True).start()


# What the pages import that takes a while (tables, charts, PDF, media, the domain): imported in the
# background when the server starts, so the first visitor of a page does not wait for it. Only modules
# that do nothing on import beyond defining things (no Streamlit components: those register in a run).
PRELOAD = (
    "pandas",
    "fpdf",
    "av",
    "segno",
    "verp.records.summary",
    "verp.records.export",
    "verp.records.downloads",
    "verp.records.guider_log",
    "verp.workshop.workshops",
    "verp.workshop.reflections",
    "verp.review.clips",
    "verp.review.moments",
)


def _preload() -> None:
    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - a page that needs it will say what is wrong
            logging.getLogger(__name__).warning("could not preload %s", name, exc_info=True)
    _settle()


def _settle() -> None:
    """Put what the server has made by now (its modules and their tables) out of the garbage
    collector's way.

    A full collection walks every object the process holds (about 240,000 once the pages' modules are
    loaded), about 150 ms here during which no page of any visitor runs. What start-up made lives as long
    as the server, so it need not be walked again; what page runs make afterwards is collected as usual.
    """
    gc.collect()
    gc.freeze()


def run_app() -> None:
    st.set_page_config(page_title="VERP Workshop", page_icon=":material/videocam:", layout="wide")
    apply_base_style()
    person = current_person()
    send_ticket()
    navigation = st.navigation(_pages(person))
    _sidebar(person)
    with this_run(person):
        navigation.run()


# Every page, and who sees it in the menu. Every page is registered for everyone, so a deep link (a join
# QR code, a bookmarked review) always lands on its page, which then asks for what it needs.
PAGES = [
    ("pages/home.py", "Home", ":material/home:", "everyone"),
    ("pages/my_clips.py", "My clips", ":material/video_library:", "signed_in"),
    ("pages/capture.py", "Record a clip", ":material/videocam:", "signed_in"),
    ("pages/review.py", "Review", ":material/movie_edit:", "signed_in"),
    ("pages/my_progress.py", "My progress", ":material/trending_up:", "signed_in"),
    ("pages/principles.py", "Principles", ":material/diversity_3:", "everyone"),
    ("pages/join.py", "Join", ":material/qr_code_2:", "everyone"),
    ("pages/plan.py", "Plan", ":material/event_note:", "facilitator"),
    ("pages/control.py", "Control", ":material/slideshow:", "facilitator"),
    ("pages/summary.py", "Summary", ":material/summarize:", "facilitator"),
    ("pages/audit.py", "Audit log", ":material/policy:", "facilitator"),
    ("pages/accessibility.py", "Accessibility", ":material/accessibility_new:", "everyone"),
    ("pages/groups.py", "Groups", ":material/groups:", "facilitator"),
    ("pages/one_to_one.py", "One-to-one", ":material/people:", "facilitator"),
    ("pages/guider_log.py", "Guider's log", ":material/menu_book:", "signed_in"),
    ("pages/present.py", "Present", ":material/tv:", "nobody"),  # opened from Control by its link
    ("pages/sign_in.py", "Sign in", ":material/login:", "signed_out"),
]


def shown_to(person, who: str) -> bool:
    signed_in = person is not None
    return {
        "everyone": True,
        "signed_out": not signed_in,
        "signed_in": signed_in,
        "facilitator": signed_in and person.is_facilitator,
        "nobody": False,
    }[who]


def menu(person) -> list[str]:
    """The page files shown in the menu for ``person`` (None: nobody signed in)."""
    return [path for path, _, _, who in PAGES if shown_to(person, who)]


def _pages(person) -> list:
    """This run's pages, as copies: ``st.navigation`` marks the one it will run on the object itself."""
    shown = tuple(shown_to(person, who) for _, _, _, who in PAGES)
    ctx = get_script_run_ctx()
    if ctx is None:  # outside a run a page is an empty shell: nothing to keep
        return list(_page_set.__wrapped__("", shown))
    return [copy.copy(page) for page in _page_set(str(ctx.pages_manager.main_script_parent), shown)]


@functools.cache
def _page_set(_app_folder: str, shown: tuple[bool, ...]) -> tuple:
    """The pages for one menu, made once per server: making a page checks its file on disk and its
    icon, which was a sixth of a small page's run (there are only a few menus: who is signed in)."""
    return tuple(
        st.Page(
            path,
            title=title,
            icon=icon,
            default=path == "pages/home.py",
            visibility="visible" if visible else "hidden",
        )
        for (path, title, icon, _), visible in zip(PAGES, shown, strict=True)
    )


def _sidebar(person) -> None:
    with st.sidebar:
        if person is None:
            st.caption("Not signed in")
            return
        st.caption(f"Signed in as  \n**{escape_markdown(person.display_name)}**")  # their words, as text
        # Signing out everywhere else is an account matter: under My account, on My progress.
        if st.button("Sign out", icon=":material/logout:", key="sign_out"):
            forget()
            st.rerun()
