"""The app's look: calm, readable, and large on a projector."""

from __future__ import annotations

import functools
import re
from pathlib import Path

import streamlit as st

CSS_FILE = Path(__file__).resolve().parents[2] / "assets" / "app.css"
ACCESSIBILITY_STATEMENT = Path(__file__).resolve().parents[2] / "docs" / "accessibility.md"

# The one projector stylesheet: large text for a room reading from the back (the Principles page's
# Projector toggle), and with FULL_SCREEN the Present page's bare screen, wall, code and timer.
PROJECTOR_CSS = """
<style>
[data-testid="stMain"] p, [data-testid="stMain"] li, [data-testid="stMain"] pre, [data-testid="stMain"] label,
[data-testid="stMain"] [data-testid="stText"], [data-testid="stMain"] [data-testid="stMarkdownContainer"],
[data-testid="stMain"] .verp-big { font-size: 30px !important; line-height: 1.45; color: #111a22; }
[data-testid="stMain"] pre, [data-testid="stMain"] [data-testid="stText"] { white-space: pre-wrap; }
[data-testid="stMain"] h1 { font-size: 60px !important; }
[data-testid="stMain"] h2 { font-size: 46px !important; }
[data-testid="stMain"] h3 { font-size: 38px !important; }
</style>
"""

FULL_SCREEN_CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stSidebarNav"],
[data-testid="stHeader"], [data-testid="stToolbar"], header { display: none !important; }
[data-testid="stMainBlockContainer"] { max-width: 100% !important; padding: 1.5rem 3rem !important; }
.verp-wall { display: flex; flex-wrap: wrap; gap: 1.2rem; }
.verp-group { flex: 1 1 30%; border-left: 8px solid #1f6f8b; background: #f1f5f7; padding: .6rem 1rem; }
.verp-group h3 { margin: 0 0 .4rem 0; }
.verp-wall.compact .verp-group { flex-basis: 100%; padding: .3rem .8rem; }
.verp-wall.compact .verp-group h3 { font-size: 28px !important; }
.verp-note { font-size: 28px; margin: .3rem 0; white-space: pre-wrap; overflow-wrap: anywhere; }
.verp-code { font-size: 64px; font-weight: 700; letter-spacing: .25em; font-family: monospace; }
.verp-timer { font-size: 32px; color: #155166; text-align: right; font-variant-numeric: tabular-nums; }
</style>
"""


class Markup:
    """HTML the app wrote itself, for ``st.html`` as it is: Streamlit re-indents a plain string first
    (``textwrap.dedent``), which took 0.2 ms for the stylesheet on every run of every page."""

    def __init__(self, html: str) -> None:
        self.html = html

    def _repr_html_(self) -> str:
        return self.html


def compact_css(css: str) -> str:
    """The stylesheet without its comments and runs of white space: what the browser needs, smaller to
    send (and for Streamlit to look through) on every run of every page."""
    return re.sub(r"\s+", " ", re.sub(r"/\*.*?\*/", "", css, flags=re.DOTALL)).strip()


@functools.cache
def _base_css() -> Markup:
    """The stylesheet, read once per server (it ships with the app): every page run of every tab draws it."""
    return Markup(f"<style>{compact_css(CSS_FILE.read_text())}</style>")


@functools.cache
def _projector_css(full_screen: bool) -> Markup:
    return Markup(compact_css(PROJECTOR_CSS + (FULL_SCREEN_CSS if full_screen else "")))


def apply_base_style() -> None:
    st.html(_base_css())


def apply_projector_style(full_screen: bool = False) -> None:
    """Body text at 30 px and larger headings, for a room reading from the back; ``full_screen`` also
    hides everything but the workshop (the Present page)."""
    st.html(_projector_css(full_screen))
