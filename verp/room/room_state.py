"""Telling the rooms when what they may show changes outside Control (a share added, withdrawn,
removed; a moment or clip deleted).

Only ORM models here, so sharing, moments and clips can all use it. The step list itself is rebuilt
from the database, and the room's place is stored by what the step is (see
:mod:`verp.room.running_order`), so nothing else needs doing when the order shifts.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select, update

from verp.core.models import Moment, Share, Workshop


def workshops_showing(s, moment_ids: Iterable[int] = (), clip_id: str | None = None) -> set[int]:
    """Workshops with an active share of these moments (or of any moment of ``clip_id``)."""
    query = select(Share.workshop_id).where(Share.withdrawn_at.is_(None))
    if clip_id is not None:
        query = query.join(Moment, Moment.id == Share.moment_id).where(Moment.clip_id == clip_id)
    else:
        ids = list(moment_ids)
        if not ids:
            return set()
        query = query.where(Share.moment_id.in_(ids))
    return set(s.scalars(query))


def bump(s, workshop_ids: Iterable[int]) -> None:
    """Bump the state version of these workshops in the caller's transaction: every screen redraws."""
    ids = list(set(workshop_ids))
    if ids:
        s.execute(
            update(Workshop).where(Workshop.id.in_(ids)).values(state_version=Workshop.state_version + 1)
        )
