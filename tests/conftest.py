"""Shared fixtures: every test gets a fresh data folder and database of its own."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from verp.accounts import create_person
from verp.config import load_settings
from verp.store import Store

ROOT = Path(__file__).resolve().parent.parent


def test_database_url(tmp_path: Path) -> str:
    """SQLite in the test's folder, or a fresh schema on the server named by VERP_TEST_DATABASE_URL."""
    return os.environ.get("VERP_TEST_DATABASE_URL") or f"sqlite:///{tmp_path / 'verp.db'}"


test_database_url.__test__ = False  # a helper, not a test

SERVER_URL = os.environ.get("VERP_TEST_DATABASE_URL")


def pytest_sessionstart(session: pytest.Session) -> None:
    """A database server that was asked for but cannot be reached fails the run; it never skips."""
    if not SERVER_URL:
        return
    try:
        engine = create_engine(SERVER_URL, connect_args={"connect_timeout": 5})
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as exc:  # noqa: BLE001 - any failure to connect is the message
        pytest.exit(f"VERP_TEST_DATABASE_URL is set but the database cannot be reached: {exc}", returncode=3)


def empty_server_database() -> None:
    """Give the next test an empty database: drop everything in the public schema.

    Connections an earlier test left open (an app's cached store) are ended first so nothing holds a lock;
    the app's engines use ``pool_pre_ping`` and simply reconnect.
    """
    engine = create_engine(SERVER_URL, poolclass=NullPool)
    with engine.begin() as connection:
        connection.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        )
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture
def data_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Point the app's settings at a fresh data folder (and database) for this test."""
    if SERVER_URL:
        empty_server_database()
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
