"""Helpers for whole-intervention tests: a group with two closed-then-open sessions, a chosen moment."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from tests.support.review import add_consent, add_test_clip, cut_moment
from verp.core.models import today
from verp.core.store import Store
from verp.review import helping
from verp.workshop import groups, reflections, workshops


def consented_moment(store: Store, owner_id: int, tmp: Path, title: str = "Story time"):
    """A real little clip with a complete consent record and one moment cut from it."""
    clip = add_test_clip(store, owner_id, tmp, seconds=3, name=f"{title.replace(' ', '-')}.mp4")
    add_consent(store, owner_id, clip.id)
    return clip, cut_moment(store, owner_id, clip.id, title, 0.5, 2.0)


def group_with_two_sessions(store: Store, facilitator_id: int, member_id: int, step: str = "Wait longer"):
    """Session 1 held and closed (with the member's next step and rating), session 2 planned."""
    group = groups.create_group(store, facilitator_id, "Spring group", [member_id], 3)
    first = workshops.create_workshop(store, facilitator_id, "Session one", today() - timedelta(days=14))
    groups.set_session(store, facilitator_id, first.id, group.id, 1)
    helping.set_helping_question(store, member_id, "How do I give children time to start?", cycle=1)
    helping.share_with_group(store, member_id, True)
    helping.rate(store, member_id, 4, workshop_id=first.id)
    reflections.record_next_step(store, facilitator_id, first.id, member_id, "Ben", step)
    workshops.open_workshop(store, facilitator_id, first.id)
    workshops.close_workshop(store, facilitator_id, first.id)
    second = workshops.create_workshop(store, facilitator_id, "Session two", today() + timedelta(days=7))
    groups.set_session(store, facilitator_id, second.id, group.id, 2)
    return group, first, second


def next_week() -> date:
    return today() + timedelta(days=7)
