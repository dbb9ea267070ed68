"""Uploads for page tests: a clip sent through the resumable-upload steps, and the uploader's "done".

AppTest cannot run the uploader component's JavaScript, so a page test sends the file the way the route
does and then lets the page see the component's "done" trigger for one run, as a browser would.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from verp.core.store import Store
from verp.review import uploads
from verp.ui import uploader


def send_upload(store: Store, person_id: int, name: str, data: bytes) -> uploads.UploadStatus:
    """Create, fill and finish one upload, as the route does for a browser."""
    created = uploads.create_upload(store, person_id, name, len(data))
    with uploads.open_for_append(store, person_id, created.upload_id, 0) as out:
        out.write(data)
    return uploads.finish_upload(store, person_id, created.upload_id)


def half_upload(store: Store, person_id: int, name: str = "amy-at-circle-time.mp4") -> Path:
    """An upload begun and given up part-way: the part file its first bytes went into."""
    created = uploads.create_upload(store, person_id, name, 10_000)
    with uploads.open_for_append(store, person_id, created.upload_id, 0) as out:
        out.write(b"\0" * 4000)
    part = store.settings.tmp_dir / "uploads" / f"{created.upload_id}.part"
    assert part.stat().st_size == 4000
    return part


def uploader_reports(monkeypatch: pytest.MonkeyPatch, clip_id: str | None) -> None:
    """The uploader returns ``clip_id`` on the next page run (a trigger: once), then nothing."""
    pending = [clip_id]

    def fake(store, person_id):
        return pending.pop() if pending else None

    monkeypatch.setattr(uploader, "clip_uploader", fake)
