"""Small helpers for the trust tests: a clip row with its consent, a moment, a still and its files.

The files are small stand-ins (these tests are about keeping and deleting, not about video), so no
media work slows them down; ``test_hostile_input`` covers real and broken media.
"""

from __future__ import annotations

import io
import uuid
from datetime import date
from pathlib import Path

from verp.core.models import Clip, Consent, FreezeFrame, Moment
from verp.core.store import Store

FILES = ("original.mp4", "playable.mp4", "thumb.jpg", "stills/1_abc.jpg")


def clip_row(clip_id: str, owner_id: int, title: str, **more) -> Clip:
    """A clip's row as an upload leaves it (``title``, from ``<title>.mp4``), with ``more`` columns set."""
    return Clip(
        id=clip_id,
        owner_id=owner_id,
        title=title,
        original_filename=f"{title}.mp4",
        stored_name=f"{clip_id}/original.mp4",
        **more,
    )


def clip_with_consent(store: Store, owner_id: int, delete_by: date, tmp: Path, name: str = "lesson") -> str:
    """A ready clip owned by ``owner_id`` with consent, one moment and a freeze-frame still."""
    clip_id = uuid.uuid4().hex
    for file in FILES:
        store.write_file(f"{clip_id}/{file}", io.BytesIO(f"{name}:{file}".encode() * 100))
    with store.transaction() as s:
        s.add(
            clip_row(
                clip_id,
                owner_id,
                name,
                playable_name=f"{clip_id}/playable.mp4",
                duration_s=12.5,
                width=160,
                height=120,
                size_bytes=100,
                video_codec="h264",
                audio_codec="aac",
                delete_by=delete_by,
            )
        )
        s.flush()
        s.add(
            Consent(
                clip_id=clip_id,
                filmed_group="Year 3",
                basis="public_task",
                recorded_by="Ana",
                consent_date=date(2026, 1, 5),
                children_agreement="agreed",
                no_child_without_consent=True,
                delete_by=delete_by,
            )
        )
        moment = Moment(clip_id=clip_id, title="Waiting", start_s=0.0, end_s=1.0)
        s.add(moment)
        s.flush()
        s.add(FreezeFrame(moment_id=moment.id, at_s=0.5, still_name=f"{clip_id}/stills/1_abc.jpg"))
    return clip_id
