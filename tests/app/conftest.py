"""Page tests run the real app against the test's own store (helpers: ``tests/support/apptest.py``)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _fresh_store_per_test(data_env):
    """Each AppTest gets the store of its own test folder (the app caches stores by folder)."""
    yield
