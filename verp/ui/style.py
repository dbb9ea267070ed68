"""The app's look: calm, readable, and large on a projector."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

CSS_FILE = Path(__file__).resolve().parents[2] / "assets" / "app.css"
ACCESSIBILITY_STATEMENT = Path(__file__).resolve().parents[2] / "docs" / "accessibility.md"

PROJECTOR_CSS = """
<style>
[data-testid="stMain"] p, [data-testid="stMain"] li, [data-testid="stMain"] label,
[data-testid="stMain"] [data-testid="stMarkdownContainer"] { font-size: 26px !important; line-height: 1.45; }
[data-testid="stMain"] h1 { font-size: 56px !important; }
[data-testid="stMain"] h2 { font-size: 44px !important; }
[data-testid="stMain"] h3 { font-size: 36px !important; }
</style>
"""


def apply_base_style() -> None:
    st.html(f"<style>{CSS_FILE.read_text()}</style>")


def apply_projector_style() -> None:
    """Body text at 26 px and larger headings, for a room reading from the back."""
    st.html(PROJECTOR_CSS)
