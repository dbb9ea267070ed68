"""Crash safety: a process killed mid-write leaves no half clip, and every acknowledged reflection stays.

Plain tests (no browser): the writers are child processes killed with SIGKILL, as by the OOM killer or a
power cut of the app's container; the app's own server is killed with them and started again.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from tests.support.browser import start_app
from tests.support.paths import ROOT
from tests.support.waiting import wait_until
from verp.core.config import load_settings
from verp.core.models import Reflection
from verp.core.store import Store
from verp.review import clips

SLOW_UPLOAD = """
import sys, time
from verp.review import clips
from verp.core.accounts import create_person
from verp.core.config import load_settings
from verp.core.store import Store

class SlowUpload:
    # A 2 GB upload arriving 1 MB at a time.
    def __init__(self):
        self.sent = 0
    def read(self, n=-1):
        if self.sent == 0:
            print("started", flush=True)
        time.sleep(0.01)  # waits on nothing: a slow upload on purpose, so the kill lands in the middle
        self.sent += 1
        return bytes(1 << 20) if self.sent < 2048 else b""

store = Store.open(load_settings())
person = create_person(store, "Ana Teacher", "correct horse battery")
print(person.id, flush=True)
clips.add_clip(store, person.id, "big lesson.mp4", SlowUpload())
print("finished", flush=True)
"""

REFLECTION_WRITER = """
from datetime import date
from verp.core.accounts import create_person
from verp.core.config import load_settings
from verp.core.models import Reflection, Workshop
from verp.core.store import Store

store = Store.open(load_settings())
person = create_person(store, "Ana Teacher", "correct horse battery")
with store.transaction() as s:
    workshop = Workshop(title="Crash", held_on=date(2026, 3, 1), facilitator_id=person.id, join_code="CRASH1")
    s.add(workshop)
    s.flush()
    workshop_id = workshop.id
n = 0
while True:
    n += 1
    with store.transaction() as s:
        reflection = Reflection(workshop_id=workshop_id, text=f"noticed number {n}: she waited")
        s.add(reflection)
        s.flush()
        rid = reflection.id
    print(rid, flush=True)  # acknowledged only after the commit returned
"""


def _child(code: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", code], cwd=ROOT, env=dict(os.environ), stdout=subprocess.PIPE, text=True
    )


def _wait_for_part_file(tmp_dir: Path, at_least: int, timeout: float = 20) -> None:
    def growing() -> bool:
        parts = list(tmp_dir.glob("*.part")) if tmp_dir.is_dir() else []
        return bool(parts) and parts[0].stat().st_size >= at_least

    wait_until(growing, timeout, "the upload never got going")


def test_a_killed_upload_leaves_no_half_clip_and_tmp_is_cleaned_at_start(data_env):
    data_dir = Path(data_env["VERP_DATA_DIR"])
    data_dir.mkdir(parents=True)
    server = start_app(data_dir)
    writer = _child(SLOW_UPLOAD)
    try:
        person_id = int(writer.stdout.readline())
        assert writer.stdout.readline().strip() == "started"
        _wait_for_part_file(data_dir / "tmp", at_least=8 << 20)
        writer.send_signal(signal.SIGKILL)
        server.stop(kill=True)  # the whole app goes down with it
        writer.wait(10)
    finally:
        writer.kill()
        server.stop(kill=True)
    assert list((data_dir / "tmp").glob("*.part")), "the interrupted write should have left its temp file"

    server = start_app(data_dir)  # the app comes back on the same data folder
    try:
        store = Store.open(load_settings())
        assert list(store.settings.tmp_dir.iterdir()) == []
        assert clips.list_clips(store, person_id) == []
        assert [p for p in store.settings.clips_dir.rglob("*") if p.is_file()] == []
        store.engine.dispose()
    finally:
        server.stop(kill=True)


def test_every_reflection_acknowledged_before_a_kill_is_there_after_restart(data_env):
    writer = _child(REFLECTION_WRITER)
    acknowledged = []
    try:
        while len(acknowledged) < 40:
            acknowledged.append(int(writer.stdout.readline()))
        writer.send_signal(signal.SIGKILL)
        writer.wait(10)
        acknowledged += [int(line) for line in writer.stdout.read().split()]  # printed before the kill
    finally:
        writer.kill()
    store = Store.open(load_settings())
    with store.transaction() as s:
        stored = set(s.scalars(select(Reflection.id)))
    store.engine.dispose()
    assert set(acknowledged) <= stored
    assert len(stored) - len(acknowledged) <= 1  # at most the one being committed when it died
