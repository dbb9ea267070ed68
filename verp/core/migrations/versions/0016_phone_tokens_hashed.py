"""a phone's token is kept as its hash

A phone joined to a workshop holds a random token that lets it send, change and take back its own
reflections. The database kept it as it was, so a copy of the database (a backup taken during a live
workshop) could speak for any phone in the room. Now only a SHA-256 of it is kept, as for sign-in
sessions: the phones keep their tokens, which are hashed when they are used.

Revision ID: phone_tokens_hashed
Revises: numbers_never_reused
"""

import hashlib

import sqlalchemy as sa
from alembic import op

revision = "phone_tokens_hashed"
down_revision = "numbers_never_reused"
branch_labels = None
depends_on = None

participant = sa.table("participant", sa.column("id", sa.Integer), sa.column("token", sa.String))


def upgrade() -> None:
    connection = op.get_bind()
    rows = connection.execute(sa.select(participant.c.id, participant.c.token)).all()
    for row in rows:
        digest = hashlib.sha256(str(row.token).encode()).hexdigest()
        connection.execute(participant.update().where(participant.c.id == row.id).values(token=digest))


def downgrade() -> None:
    """The tokens cannot be had back from their hashes: phones in a live room join again."""
