"""The test database: SQLite in the test's folder, or a PostgreSQL schema of its own.

With ``VERP_TEST_DATABASE_URL`` set (a PostgreSQL database) every test folder gets its own schema on that
server, so tests, module-wide fixtures and the app servers that browser tests start never see one
another's rows. This is the suite's one way of keeping tests apart on PostgreSQL.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

from sqlalchemy import Engine, create_engine, make_url, text
from sqlalchemy.pool import NullPool

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
        with server().begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{name}"'))
        _schemas[str(tmp_path)] = name
    url = make_url(SERVER_URL).update_query_dict({"options": f"-csearch_path={_schemas[str(tmp_path)]}"})
    return url.render_as_string(hide_password=False)


test_database_url.__test__ = False  # type: ignore[attr-defined]  # a helper, not a test


def server_database_url(tmp_path: Path) -> str | None:
    """The test's PostgreSQL schema for an app server to use, or None on SQLite (the server then keeps
    its database in its data folder, as an installed app does)."""
    return test_database_url(tmp_path) if SERVER_URL else None


@cache
def server() -> Engine:
    assert SERVER_URL
    return create_engine(SERVER_URL, poolclass=NullPool, connect_args={"connect_timeout": 5})


def made_schemas() -> bool:
    return bool(_schemas)


def drop_test_schemas(pattern: str) -> None:
    """Drop the test schemas matching ``pattern``, one per transaction (one would run out of locks)."""
    with server().connect() as connection:
        names = list(
            connection.execute(
                text("SELECT nspname FROM pg_namespace WHERE nspname LIKE :p"), {"p": pattern}
            ).scalars()
        )
    for name in names:
        with server().begin() as connection:
            connection.execute(text("SET LOCAL lock_timeout = '10s'"))
            connection.execute(text(f'DROP SCHEMA "{name}" CASCADE'))
