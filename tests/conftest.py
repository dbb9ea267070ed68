"""Shared fixtures: every test gets a fresh data folder and database of its own.

On PostgreSQL (``VERP_TEST_DATABASE_URL``) each test folder gets a schema of its own: see
``tests/support/database.py``.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.support.database import (
    SCHEMA_PREFIX,
    SERVER_URL,
    drop_test_schemas,
    made_schemas,
    server,
    test_database_url,
)
from verp.core.accounts import create_person
from verp.core.config import load_settings
from verp.core.store import Store

# Passphrase hashing at a test's cost (the default follows OWASP's guidance and takes real time); app
# servers that browser tests start inherit it.
os.environ.setdefault("VERP_PASSPHRASE_MEMORY_KIB", "1024")
os.environ.setdefault("VERP_PASSPHRASE_TIME_COST", "1")


def pytest_sessionstart(session: pytest.Session) -> None:
    """A database server that was asked for but cannot be reached fails the run; it never skips."""
    if not SERVER_URL:
        return
    try:
        with server().connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any failure to connect is the message
        pytest.exit(f"VERP_TEST_DATABASE_URL is set but the database cannot be reached: {exc}", returncode=3)
    if not hasattr(session.config, "workerinput"):  # not in each of pytest-xdist's workers: only once
        drop_test_schemas(f"{SCHEMA_PREFIX}%")  # left by an interrupted earlier run


def pytest_sessionfinish(session: pytest.Session) -> None:
    if SERVER_URL and made_schemas():
        with contextlib.suppress(Exception):  # never hide the tests' own result
            drop_test_schemas(f"{SCHEMA_PREFIX}{os.getpid()}_%")


@pytest.fixture
def data_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Point the app's settings at a fresh data folder (and database) for this test."""
    env = {"VERP_DATA_DIR": str(tmp_path / "data"), "VERP_DATABASE_URL": test_database_url(tmp_path)}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return env


@pytest.fixture
def store(data_env: dict[str, str]):
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
