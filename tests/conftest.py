"""Shared fixtures: every test gets a fresh data folder and database of its own.

With ``VERP_TEST_DATABASE_URL`` set (a PostgreSQL database) the suite runs there instead of SQLite:
each test folder gets its own schema, so tests, module-wide fixtures and the app servers that browser
tests start never see one another's rows.
"""

from __future__ import annotations

import contextlib
import os
from functools import cache
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.pool import NullPool

from verp.core.accounts import create_person
from verp.core.config import load_settings
from verp.core.store import Store

ROOT = Path(__file__).resolve().parent.parent

# Passphrase hashing at a test's cost (the default follows OWASP's guidance and takes real time); app
# servers that browser tests start inherit it.
os.environ.setdefault("VERP_PASSPHRASE_MEMORY_KIB", "1024")
os.environ.setdefault("VERP_PASSPHRASE_TIME_COST", "1")


SERVER_URL = os.environ.get("VERP_TEST_DATABASE_URL")
SCHEMA_PREFIX = "verp_test_"
_schemas: dict[str, str] = {}  # test folder -> its PostgreSQL schema


def test_database_url(tmp_path: Path) -> str:
    """SQLite in the test's folder, or a fresh schema of its own on the server named by
    VERP_TEST_DATABASE_URL (the same folder always gets the same schema)."""
    if not SERVER_URL:
        return f"sqlite:///{tmp_path / 'verp.db'}"
    if str(tmp_path) not in _schemas:
        name = f"{SCHEMA_PREFIX}{os.getpid()}_{len(_schemas)}"
        with _server().begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{name}"'))
        _schemas[str(tmp_path)] = name
    url = make_url(SERVER_URL).update_query_dict({"options": f"-csearch_path={_schemas[str(tmp_path)]}"})
    return url.render_as_string(hide_password=False)


test_database_url.__test__ = False  # a helper, not a test


@cache
def _server():
    return create_engine(SERVER_URL, poolclass=NullPool, connect_args={"connect_timeout": 5})


def _drop_test_schemas(pattern: str) -> None:
    """Drop the test schemas matching ``pattern``, one per transaction (one would run out of locks)."""
    with _server().connect() as connection:
        names = connection.execute(
            text("SELECT nspname FROM pg_namespace WHERE nspname LIKE :p"), {"p": pattern}
        ).scalars()
        names = list(names)
    for name in names:
        with _server().begin() as connection:
            connection.execute(text("SET LOCAL lock_timeout = '10s'"))
            connection.execute(text(f'DROP SCHEMA "{name}" CASCADE'))


def pytest_sessionstart(session: pytest.Session) -> None:
    """A database server that was asked for but cannot be reached fails the run; it never skips."""
    if not SERVER_URL:
        return
    try:
        with _server().connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any failure to connect is the message
        pytest.exit(f"VERP_TEST_DATABASE_URL is set but the database cannot be reached: {exc}", returncode=3)
    _drop_test_schemas(f"{SCHEMA_PREFIX}%")  # left by an interrupted earlier run


def pytest_sessionfinish(session: pytest.Session) -> None:
    if SERVER_URL and _schemas:
        with contextlib.suppress(Exception):  # never hide the tests' own result
            _drop_test_schemas(f"{SCHEMA_PREFIX}{os.getpid()}_%")


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
