"""The worker beside the app, started exactly as ``start.sh`` starts it, prepares what is uploaded.

No browser needed (the browser upload is in test_my_clips.py), so this also runs on PostgreSQL, where
the worker is procrastinate's.
"""

from __future__ import annotations

import os
from pathlib import Path

from tests.support.browser import start_app
from tests.support.database import test_database_url
from tests.support.media import make_clip
from tests.support.waiting import wait_until
from verp.core.accounts import create_person
from verp.core.config import load_settings
from verp.core.store import Store
from verp.review import clips


def _wait_for(condition, timeout: float = 90.0) -> None:
    wait_until(condition, timeout, "the worker did not get to it in time")


def test_the_worker_started_with_the_app_prepares_an_upload_and_stops_with_the_app(tmp_path: Path):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    env = {"VERP_DATA_DIR": str(data_dir), "VERP_DATABASE_URL": test_database_url(tmp_path)}
    server = start_app(data_dir, {"VERP_DATABASE_URL": env["VERP_DATABASE_URL"]})
    try:
        store = Store.open(load_settings(env))
        teacher = create_person(store, "Ana Teacher", "correct horse battery")
        source = make_clip(tmp_path / "phone.webm", seconds=2, codec="vp8", container="webm")
        with source.open("rb") as f:  # the way the upload page and the upload route hand it over
            clip = clips.add_clip(store, teacher.id, "phone.webm", f)
        assert clip.status == "processing"
        _wait_for(lambda: clips.get_clip(store, teacher.id, clip.id).status != "processing")
        ready = clips.get_clip(store, teacher.id, clip.id)
        assert (ready.status, ready.status_detail) == ("ready", "")
        assert ready.playable is not None and ready.playable.stat().st_size > 0
        store.engine.dispose()
    finally:
        server.stop()
    _wait_for(lambda: not _group_alive(server.process.pid), timeout=20)  # the worker went with the app


def _group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    return True
