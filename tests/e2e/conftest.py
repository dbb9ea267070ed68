"""End-to-end fixtures: a real ``streamlit run app.py`` server and headless Debian Chromium.

Browser tests skip only when chromium is missing *and* ``VERP_REQUIRE_BROWSER`` is unset; CI sets it, so
a machine without chromium fails loudly there instead of passing quietly. Helpers live in
``tests/support/browser.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    AppServer,
    count_runs,
    require_browser,
    start_app,
)


@pytest.fixture
def app_server(tmp_path: Path) -> Iterator[AppServer]:
    require_browser()
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    server = start_app(data_dir)
    yield server
    server.stop()


@pytest.fixture(scope="package")
def playwright():
    """One Playwright for the browser tests: its sync API allows only one at a time in a process.

    Package scope, not session: it keeps an event loop running on this thread, so it must be gone before
    the unit tests that call ``asyncio.run`` (they run after ``tests/e2e`` in pytest's order).
    """
    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="package")
def chromium(playwright):
    browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    count_runs(browser)  # for rerun_of
    yield browser
    browser.close()


@pytest.fixture
def browser_page(chromium):
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(20000)
    yield page
    context.close()


@pytest.fixture(autouse=True)
def _close_what_the_test_left_open(request):
    """Close every browser context a test opened: pages left behind (a projector, phones) would go on
    running their scripts and reconnecting to a stopped server through all the tests after it."""
    yield
    if "chromium" in request.fixturenames:
        for context in list(request.getfixturevalue("chromium").contexts):
            context.close()
