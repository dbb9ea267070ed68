"""Shared fixtures: every test gets a fresh data folder and database of its own."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from verp.accounts import create_person
from verp.config import load_settings
from verp.store import Store

ROOT = Path(__file__).resolve().parent.parent


def test_database_url(tmp_path: Path) -> str:
    """SQLite in the test's folder, or a fresh schema on the server named by VERP_TEST_DATABASE_URL."""
    return os.environ.get("VERP_TEST_DATABASE_URL") or f"sqlite:///{tmp_path / 'verp.db'}"


test_database_url.__test__ = False  # a helper, not a test


@pytest.fixture
def data_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Point the app's settings at a fresh data folder (and database) for this test."""
    env = {"VERP_DATA_DIR": str(tmp_path / "data"), "VERP_DATABASE_URL": test_database_url(tmp_path)}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return env


@pytest.fixture
def store(data_env: dict[str, str]) -> Store:
    opened = Store.open(load_settings())
    yield opened
    opened.engine.dispose()


@pytest.fixture
def teacher(store: Store):
    """A signed-up teacher. Being the first account, they are also a facilitator."""
    return create_person(store, "Ana Teacher", "correct horse battery")


@pytest.fixture
def colleague(store: Store, teacher):
    return create_person(store, "Ben Colleague", "another long passphrase")
