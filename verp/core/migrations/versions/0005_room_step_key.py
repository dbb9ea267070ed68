"""the room's current step stored by what it is (a key), not by its place in the running order

Each workshop's index is turned into the key of the step it pointed at, with the running order as it
was built when this revision was written (frozen here, so later changes to the order cannot change what
this upgrade does). The downgrade turns keys back into indices the same way.

Revision ID: room_step_key
Revises: 0003_clip_worker_lease
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "room_step_key"
down_revision = "retention_for_every_clip"
branch_labels = None
depends_on = None

SHOWN = sa.text(
    "SELECT share.id, share.prompt_set, clip.owner_id FROM share"
    " JOIN moment ON moment.id = share.moment_id JOIN clip ON clip.id = moment.clip_id"
    " JOIN person ON person.id = clip.owner_id LEFT JOIN consent ON consent.clip_id = clip.id"
    " WHERE share.workshop_id = :w AND share.withdrawn_at IS NULL"
    " AND (consent.delete_by IS NULL OR consent.delete_by > :today)"
    " ORDER BY share.position, share.shared_at, share.id"
)
QUESTION = sa.text(
    "SELECT count(*) FROM helping_question WHERE person_id = :p AND active = :yes AND shared = :yes"
)


def _phases(prompt_set: str | None) -> list[str]:
    from verp.room.prompts import prompt_book  # the asset file, read as the order read it

    return [phase.key for phase in prompt_book().get(prompt_set).phases]


def _keys(connection, workshop_id: int) -> list[str]:
    """The running order's step keys, as ``verp.room.running_order`` builds them at this revision."""
    today = datetime.now(UTC).date()
    owners: dict[int, list[tuple[int, str | None]]] = {}
    for share_id, prompt_set, owner_id in connection.execute(SHOWN, {"w": workshop_id, "today": today}):
        owners.setdefault(owner_id, []).append((share_id, prompt_set))
    keys = ["welcome", "principles"]
    for owner_id, shares in owners.items():
        if connection.execute(QUESTION, {"p": owner_id, "yes": True}).scalar():
            keys.append(f"helping_question:p{owner_id}")
        for share_id, prompt_set in shares:
            keys.append(f"moment:p{owner_id}:s{share_id}")
            keys += [f"prompt:p{owner_id}:s{share_id}:{phase}" for phase in _phases(prompt_set)]
        keys += [f"wall:p{owner_id}", f"owner:p{owner_id}"]
    return [*keys, "close"]


def upgrade() -> None:
    # Plain ALTER TABLE, never a batch copy: on SQLite a copied workshop table would be dropped under
    # its shares, participants and reflections.
    op.add_column(
        "workshop",
        sa.Column("current_step_key", sa.String(length=120), nullable=False, server_default="welcome"),
    )
    connection = op.get_bind()
    rows = connection.execute(sa.text("SELECT id, current_step FROM workshop")).all()
    for workshop_id, index in rows:
        keys = _keys(connection, workshop_id)
        key = keys[min(max(int(index or 0), 0), len(keys) - 1)]
        connection.execute(
            sa.text("UPDATE workshop SET current_step_key = :k WHERE id = :w"), {"k": key, "w": workshop_id}
        )
    if connection.dialect.name != "sqlite":  # SQLite cannot drop a default in place; it is harmless there
        op.alter_column("workshop", "current_step_key", server_default=None)
    op.execute("ALTER TABLE workshop DROP COLUMN current_step")


def downgrade() -> None:
    op.add_column("workshop", sa.Column("current_step", sa.Integer(), nullable=False, server_default="0"))
    connection = op.get_bind()
    rows = connection.execute(sa.text("SELECT id, current_step_key FROM workshop")).all()
    for workshop_id, key in rows:
        keys = _keys(connection, workshop_id)
        index = keys.index(key) if key in keys else 0
        connection.execute(
            sa.text("UPDATE workshop SET current_step = :i WHERE id = :w"), {"i": index, "w": workshop_id}
        )
    op.execute("ALTER TABLE workshop DROP COLUMN current_step_key")
