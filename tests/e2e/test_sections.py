"""Sections drawn once opened, in a real browser: a click is never lost, even on one relabelled meanwhile."""

from __future__ import annotations

import pytest

from tests.e2e.test_workshop import signed_in_context
from tests.support.browser import wait_for_app
from tests.support.workshop import make_workshop, share_moment
from verp.core.accounts import create_person
from verp.core.config import load_settings
from verp.core.store import Store

LONG = 60000  # the test machine is shared and busy


@pytest.mark.browser
def test_a_section_relabelled_behind_the_page_opens_at_the_first_click(app_server, chromium):
    """Plan's step minutes are headed with the number of steps. A colleague shares a moment while the
    facilitator's Plan sits drawn, so the heading the facilitator clicks is no longer the one the server
    would draw; Streamlit takes a relabelled expander for a new one, and the click must carry over."""
    store = Store.open(load_settings(app_server.env))
    try:
        ana = create_person(store, "Ana Teacher", "correct horse battery")
        ben = create_person(store, "Ben Colleague", "another long passphrase")
        workshop = make_workshop(store, ana.id, "Autumn group")
        page = signed_in_context(chromium, app_server.url, store, ana).new_page()
        page.set_default_timeout(LONG)
        page.goto(app_server.url + "/plan")
        wait_for_app(page)
        minutes = page.locator("summary", has_text="Each step's start and minutes")
        minutes.wait_for()
        before = minutes.inner_text()
        share_moment(store, ben.id, workshop.id, "Circle time")  # more steps: a new heading on the next run
        minutes.click()
        page.get_by_role("button", name="Save the minutes").wait_for()
        assert minutes.inner_text() != before  # relabelled, and open
        minutes.click()
        page.get_by_role("button", name="Save the minutes").wait_for(state="detached")  # and closes again
    finally:
        store.engine.dispose()
