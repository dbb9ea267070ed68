"""Shared moments made straight through the ORM, for workshop tests (until verp.review.sharing is merged)."""

from __future__ import annotations

import uuid
from datetime import date

from verp.core.models import Clip, HelpingQuestion, Moment, MomentTag, Share
from verp.core.store import Store
from verp.workshop.workshops import create_workshop, get_workshop, go_to_step, room_step, steps


def make_workshop(store: Store, facilitator_id: int, title: str = "Spring group, session 1", **kw):
    kw.setdefault("focus", ["attentive", "receiving"])
    kw.setdefault("auto_approve", True)  # most tests look at the wall; moderation has its own tests
    return create_workshop(store, facilitator_id, title, date(2026, 11, 25), **kw)


def share_moment(
    store: Store,
    owner_id: int,
    workshop_id: int,
    title: str = "Story time",
    position: int = 0,
    note: str = "",
    share_note: bool = False,
    tags: tuple[str, ...] = (),
    video_file: str | None = None,
) -> tuple[int, int]:
    """A clip, one moment of it and its share with the workshop; returns (share id, moment id).

    ``video_file`` names a file under the clip's folder to use as the moment's cut.
    """
    clip_id = uuid.uuid4().hex
    with store.transaction() as s:
        s.add(
            Clip(
                id=clip_id,
                owner_id=owner_id,
                title="Clip",
                original_filename="clip.mp4",
                stored_name=f"{clip_id}/original.mp4",
                playable_name=f"{clip_id}/original.mp4",
            )
        )
        s.flush()
        moment = Moment(
            clip_id=clip_id,
            title=title,
            start_s=1.0,
            end_s=11.0,
            note=note,
            share_note=share_note,
            cut_name=f"{clip_id}/{video_file}" if video_file else None,
        )
        s.add(moment)
        s.flush()
        for key in tags:
            s.add(MomentTag(moment_id=moment.id, principle_key=key))
        share = Share(moment_id=moment.id, workshop_id=workshop_id, position=position)
        s.add(share)
        s.flush()
        return share.id, moment.id


def add_helping_question(store: Store, person_id: int, text: str, shared: bool) -> None:
    with store.transaction() as s:
        s.add(HelpingQuestion(person_id=person_id, text=text, shared=shared))


def go_to_index(store: Store, person_id: int, workshop_id: int, index: int):
    """Move the room to the step at ``index`` of the running order as it is now (clamped), by its key."""
    order = steps(store, workshop_id)
    return go_to_step(store, person_id, workshop_id, order[min(max(index, 0), len(order) - 1)].key)


def step_index(store: Store, workshop_id: int) -> int:
    """Where the step the room is on sits in the running order as it is now."""
    return room_step(store, get_workshop(store, workshop_id))[0].index
