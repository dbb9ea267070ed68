"""Helpers for the page tests: run the whole app (navigation and all) and open one page."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT


def open_page(page: str, person_id: int | None = None, query: dict | None = None) -> AppTest:
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


def navigation_pages(person_id: int | None) -> list[str]:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    if person_id is not None:
        at.session_state["person_id"] = person_id
    at.run()
    paths = [str(info.get("script_path", "")) for info in at._registered_pages.values()]
    return sorted(p.rsplit("/", 1)[-1].removesuffix(".py") for p in paths)
