"""Readable from the back of the room: every text colour on the projector is at least 7:1 (WCAG AAA
contrast, 1.4.6) against every background it is drawn on; the rest of the app at least 4.5:1 (AA, 1.4.3).

The colours are read from the CSS and the theme themselves, so changing one re-checks it.
"""

from __future__ import annotations

import re
import tomllib

import pytest

from tests.support.paths import ROOT
from verp.ui.style import CSS_FILE, FULL_SCREEN_CSS, PROJECTOR_CSS

PRESENT_CSS = PROJECTOR_CSS + FULL_SCREEN_CSS

THEME = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["theme"]
_COLOUR = re.compile(r"(?<![-\w])color:\s*(#[0-9a-fA-F]{6})")
_BACKGROUND = re.compile(r"background(?:-color)?:\s*(#[0-9a-fA-F]{6})")


def luminance(hex_colour: str) -> float:
    channels = [int(hex_colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_the_contrast_formula_matches_known_values():
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)


def _pairs(css: str) -> list[tuple[str, str]]:
    texts = set(_COLOUR.findall(css)) | {THEME["textColor"]}
    grounds = set(_BACKGROUND.findall(css)) | {THEME["backgroundColor"], THEME["secondaryBackgroundColor"]}
    return [(t, g) for t in sorted(texts) for g in sorted(grounds)]


@pytest.mark.parametrize(("text", "ground"), _pairs(PRESENT_CSS))
def test_projector_text_is_at_least_7_to_1(text, ground):
    assert contrast(text, ground) >= 7.0, f"{text} on {ground}: {contrast(text, ground):.2f}:1"


@pytest.mark.parametrize(("text", "ground"), _pairs(CSS_FILE.read_text()))
def test_the_apps_own_text_colours_are_at_least_4_5_to_1(text, ground):
    assert contrast(text, ground) >= 4.5, f"{text} on {ground}: {contrast(text, ground):.2f}:1"


def test_every_projector_colour_was_found():
    """The pattern reads the colours the projector sets (a silent miss would check nothing)."""
    assert {"#111a22", "#155166"} <= set(_COLOUR.findall(PRESENT_CSS))
    assert "#f1f5f7" in _BACKGROUND.findall(PRESENT_CSS)


def test_the_stylesheet_is_sent_without_its_comments_and_loses_nothing_else():
    """Every page run sends the stylesheet: without its comments and line breaks, every rule as written."""
    from verp.ui.style import compact_css

    written = CSS_FILE.read_text()
    sent = compact_css(written)
    assert "/*" not in sent and "\n" not in sent and len(sent) < len(written)
    assert sent.split() == re.sub(r"/\*.*?\*/", " ", written, flags=re.DOTALL).split()
    assert compact_css(PRESENT_CSS).split() == PRESENT_CSS.split()  # no comments there: only spacing
