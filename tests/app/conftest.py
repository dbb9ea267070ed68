"""AppTest helpers: run the real app (``app.py`` with its navigation) against the test's own store."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT


def open_app(page: str | None = None, person=None) -> AppTest:
    """Run ``app.py`` (optionally signed in as ``person``) and switch to ``page`` if given."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    if person is not None:
        at.session_state["person_id"] = person.id
    at.run()
    if page is not None:
        at.switch_page(page)
        at.run()
    return at


@pytest.fixture(autouse=True)
def _fresh_store_per_test(data_env):
    """Each AppTest gets the store of its own test folder (the app caches stores by folder)."""
    yield
