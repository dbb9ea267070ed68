"""Helpers for the workshop page tests: open a page in the whole app, or run a page script alone."""

from __future__ import annotations

from pathlib import Path
from unittest.mock import patch

from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT


def open_page(page: str, person_id: int | None = None, query: dict | None = None) -> AppTest:
    """Run ``app.py`` (signed in as ``person_id``, if given) with ``query`` in the address; open ``page``."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    if person_id is not None:
        at.session_state["person_id"] = person_id
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    at.switch_page(f"pages/{page}.py")
    return at.run()


def run_page_alone(page: str, person_id: int | None = None, query: dict | None = None) -> AppTest:
    """Run one page script on its own, as someone typing its address would reach it without the menu."""
    at = AppTest.from_file(str(ROOT / "pages" / f"{page}.py"), default_timeout=30)
    if person_id is not None:
        at.session_state["person_id"] = person_id
    for key, value in (query or {}).items():
        at.query_params[key] = value
    return at.run()


def navigation_pages(person) -> list[str]:
    """The pages the menu shows to ``person`` (registered but hidden pages left out)."""
    from verp.ui import shell

    def fake_page(path, **options):
        return (path, options.get("visibility", "visible"))

    with patch.object(shell.st, "Page", fake_page):
        pages = shell._pages(person)
    return sorted(Path(path).stem for path, visibility in pages if visibility == "visible")
