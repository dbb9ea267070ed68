"""The accessibility statement stays true to the checks: the rules it says are left out are exactly the
ones the browser test leaves out, and every test it names exists."""

from __future__ import annotations

import re

from tests.e2e.accessibility import STREAMLIT_OWN_MARKUP
from tests.support.paths import ROOT
from verp.ui.shell import PAGES
from verp.ui.style import ACCESSIBILITY_STATEMENT

STATEMENT = ACCESSIBILITY_STATEMENT.read_text(encoding="utf-8")


def _section(title: str) -> str:
    return STATEMENT.split(f"## {title}\n", 1)[1].split("\n## ", 1)[0]


def test_the_rules_left_out_are_the_same_in_the_statement_and_the_test():
    listed = set(re.findall(r"^- `([a-z0-9-]+)`", _section("Rules the checks leave out"), re.MULTILINE))
    assert listed == set(STREAMLIT_OWN_MARKUP)
    if not STREAMLIT_OWN_MARKUP:
        assert "No rule is left out today" in _section("Rules the checks leave out")


def test_every_test_the_statement_names_exists():
    named = re.findall(r"`(tests/[\w/]+\.py)(?:::(\w+))?`", STATEMENT)
    assert named, "the statement names the tests that check it"
    for path, test in named:
        source = (ROOT / path).read_text(encoding="utf-8")
        assert not test or f"def {test}(" in source, f"{path}::{test} is named in the statement"


def test_the_statement_is_a_page_for_everyone():
    assert ("pages/accessibility.py", "Accessibility", ":material/accessibility_new:", "everyone") in PAGES
