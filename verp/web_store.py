"""The store the server's own routes use: opened once per data folder and database, per process.

Routes are plain Starlette and never import Streamlit, so they cannot share the pages' cached store; one
engine (with its pool) per process is enough for them all. A test that points the settings at a fresh
data folder gets a fresh store; the oldest of many is closed (a deployment has one).
"""

from __future__ import annotations

import threading

from verp.core.config import Settings, load_settings
from verp.core.store import Store

MAX_OPEN = 4
_stores: dict[tuple[str, str], Store] = {}
_lock = threading.Lock()


def route_store(settings: Settings | None = None) -> Store:
    """The store described by ``settings`` (default: the process environment), opened on first use."""
    settings = settings or load_settings()
    key = (str(settings.data_dir), settings.database_url)
    with _lock:
        if key not in _stores:
            while len(_stores) >= MAX_OPEN:
                _stores.pop(next(iter(_stores))).engine.dispose()
            _stores[key] = Store.open(settings)
        return _stores[key]
