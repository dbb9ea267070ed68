"""The facilitator's preparation of each shared moment: private notes, and a mark that it was prepared
with the participant. Only the facilitator reads them: never on Present, never in a summary or its
downloads; they leave the app only when the facilitator downloads them from Plan
(``verp.records.downloads``). A note goes with its moment (deleted with it) and with its workshop.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from verp.core.models import Preparation, utcnow
from verp.core.store import Store
from verp.core.text import clean_text
from verp.room.shown import shown_moment_ids
from verp.workshop.workshops import WorkshopError, facilitated_workshop

MAX_NOTE = 4000


@dataclass(frozen=True)
class PreparationView:
    moment_id: int
    note: str
    with_participant: bool
    updated_at: datetime | None


def preparations(store: Store, person_id: int, workshop_id: int) -> dict[int, PreparationView]:
    """The facilitator's preparation of each moment still shown in their workshop, by moment id."""
    with store.transaction() as s:
        facilitated_workshop(s, person_id, workshop_id)
        shown = shown_moment_ids(s, workshop_id)
        rows = s.scalars(select(Preparation).where(Preparation.workshop_id == workshop_id))
        return {
            r.moment_id: PreparationView(r.moment_id, r.note, r.with_participant, r.updated_at)
            for r in rows
            if r.moment_id in shown
        }


def save_preparation(
    store: Store, person_id: int, workshop_id: int, moment_id: int, note: str, with_participant: bool
) -> PreparationView:
    """Keep the facilitator's notes on one shared moment, and whether it was prepared with its owner."""
    note = clean_text(note, None)
    if len(note) > MAX_NOTE:
        raise WorkshopError(f"Please keep preparation notes under {MAX_NOTE} characters.")
    with store.transaction() as s:
        facilitated_workshop(s, person_id, workshop_id)
        if int(moment_id) not in shown_moment_ids(s, workshop_id):
            raise WorkshopError("That moment is no longer shared with this workshop.")
        row = s.scalar(
            select(Preparation).where(
                Preparation.workshop_id == workshop_id, Preparation.moment_id == int(moment_id)
            )
        )
        if row is None:
            row = Preparation(workshop_id=workshop_id, moment_id=int(moment_id))
            s.add(row)
        row.note, row.with_participant, row.updated_at = note, bool(with_participant), utcnow()
        s.flush()
        return PreparationView(row.moment_id, row.note, row.with_participant, row.updated_at)
