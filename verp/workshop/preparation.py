"""The facilitator's preparation of each shared moment: private notes, and a mark that it was prepared
with the participant. Only the facilitator reads them: never on Present, never in a summary or its
downloads; they leave the app only when the facilitator downloads them from Plan
(``verp.records.downloads``). A note goes with its moment (deleted with it) and with its workshop.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select

from verp.core.models import Person, Preparation, Workshop, utcnow
from verp.core.store import Store
from verp.core.text import clean_text
from verp.room.shown import ShownMoment, shown_moment_ids, shown_moment_ids_query
from verp.workshop.workshops import WorkshopError, facilitated_row, facilitated_workshop

MAX_NOTE = 4000


@dataclass(frozen=True)
class PreparationView:
    moment_id: int
    note: str
    with_participant: bool
    updated_at: datetime | None


# The facilitator's workshop with its preparations (a row with none when there are none): one statement,
# built once, that is also the check that the reader facilitates it (Plan reads it on every run).
_PREPARED_FOR = (
    select(Preparation.moment_id, Preparation.note, Preparation.with_participant, Preparation.updated_at)
    .select_from(Workshop)
    .join(Person, Person.id == Workshop.facilitator_id)
    .outerjoin(Preparation, Preparation.workshop_id == Workshop.id)
    .where(
        Workshop.id == bindparam("workshop_id"),
        Person.id == bindparam("person_id"),
        Person.is_facilitator.is_(True),
    )
)


def preparations(
    store: Store, person_id: int, workshop_id: int, shown: Iterable[ShownMoment] | None = None
) -> dict[int, PreparationView]:
    """The facilitator's preparation of each moment still shown in their workshop, by moment id.

    ``shown``: the workshop's shown moments when the caller has just read them (Plan, on every run),
    so they are not asked for again."""
    with store.reading_connection() as c:
        rows = c.execute(_PREPARED_FOR, {"workshop_id": workshop_id, "person_id": person_id}).all()
        if not rows:  # not theirs, or not a facilitator now: the refusal says which
            facilitated_row(c, person_id, workshop_id)
        still = (
            set(c.scalars(shown_moment_ids_query(workshop_id)))
            if shown is None
            else {m.moment_id for m in shown}
        )
    return {r.moment_id: PreparationView(*r) for r in rows if r.moment_id in still}


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
