"""The store the server's own routes use: opened once per data folder and database, per process.

Routes are plain Starlette and never import Streamlit, so they cannot share the pages' cached store; one
engine (with its pool) per process is enough for them all. A test that points the settings at a fresh
data folder gets a fresh store.
"""

from __future__ import annotations

from functools import lru_cache

from verp.core.config import Settings, load_settings
from verp.core.store import Store


@lru_cache(maxsize=4)
def _open(data_dir: str, database_url: str) -> Store:
    return Store.open(load_settings())


def route_store(settings: Settings | None = None) -> Store:
    """The store described by ``settings`` (default: the process environment), opened on first use."""
    settings = settings or load_settings()
    return _open(str(settings.data_dir), settings.database_url)
