"""server-side sign-in sessions; the administrator role; audit entries tied to their workshop

Revision ID: access_sessions_and_admin
Revises: 0003_clip_worker_lease
"""

import sqlalchemy as sa
from alembic import op

revision = "access_sessions_and_admin"
down_revision = "0003_clip_worker_lease"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "session",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("person_id", sa.Integer(), sa.ForeignKey("person.id", ondelete="CASCADE"), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=True, unique=True),
        sa.Column("ticket_hash", sa.String(length=64), nullable=True, unique=True),
        sa.Column("ticket_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_session_person_id", "session", ["person_id"])


def downgrade() -> None:
    op.drop_index("ix_session_person_id", table_name="session")
    op.drop_table("session")
