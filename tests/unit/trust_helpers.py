"""Small helpers for the trust tests: a real clip with its consent, moments and files."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from tests.media_fixtures import make_clip
from verp import clips
from verp.models import Consent, FreezeFrame, Moment
from verp.store import Store


def clip_with_consent(store: Store, owner_id: int, delete_by: date, tmp: Path, name: str = "lesson") -> str:
    """Upload a tiny real clip, record its consent, add a moment with a still; return the clip id."""
    source = make_clip(tmp / f"{name}.mp4", seconds=1)
    with source.open("rb") as f:
        clip = clips.add_clip(store, owner_id, f"{name}.mp4", f)
    store.write_file(f"{clip.id}/moment-1.jpg", (tmp / f"{name}.mp4").open("rb"))
    with store.transaction() as s:
        s.add(
            Consent(
                clip_id=clip.id,
                filmed_group="Year 3",
                basis="public_task",
                recorded_by="Ana",
                consent_date=date(2026, 1, 5),
                delete_by=delete_by,
            )
        )
        moment = Moment(clip_id=clip.id, title="Waiting", start_s=0.0, end_s=1.0)
        s.add(moment)
        s.flush()
        s.add(FreezeFrame(moment_id=moment.id, at_s=0.5, still_name=f"{clip.id}/moment-1.jpg"))
    return clip.id
