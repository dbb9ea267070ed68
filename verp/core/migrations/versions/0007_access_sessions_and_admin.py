"""server-side sign-in sessions; the administrator role; audit entries tied to their workshop

Revision ID: access_sessions_and_admin
Revises: 0003_clip_worker_lease
"""

import sqlalchemy as sa
from alembic import op

revision = "access_sessions_and_admin"
down_revision = "queue_task_table"
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
    # Plain ALTER TABLE, never a batch copy: on SQLite a copied person table would be dropped under the
    # rows that point at it.
    op.add_column("person", sa.Column("is_admin", sa.Boolean(), nullable=False, server_default=sa.false()))
    # The workshop an entry belongs to, so each facilitator sees their own workshops' entries. No foreign
    # key: the record outlives the workshop for the audit period. Older rows named it in their text.
    op.add_column("audit_event", sa.Column("workshop_id", sa.Integer(), nullable=True))
    op.create_index("ix_audit_event_workshop_id", "audit_event", ["workshop_id"])
    audit = sa.table(
        "audit_event",
        sa.column("id", sa.Integer),
        sa.column("subject"),
        sa.column("detail"),
        sa.column("workshop_id"),
    )
    connection = op.get_bind()
    for row_id, subject, detail in connection.execute(sa.select(audit.c.id, audit.c.subject, audit.c.detail)):
        found = _workshop_named(subject) or _workshop_named(detail)
        if found is not None:
            connection.execute(sa.update(audit).where(audit.c.id == row_id).values(workshop_id=found))


def _workshop_named(text: str | None) -> int | None:
    rest = (text or "").partition("workshop:")[2]
    digits = rest[: len(rest) - len(rest.lstrip("0123456789"))] if rest else ""
    return int(digits) if digits else None


def downgrade() -> None:
    op.drop_index("ix_audit_event_workshop_id", table_name="audit_event")
    op.execute("ALTER TABLE audit_event DROP COLUMN workshop_id")
    op.execute("ALTER TABLE person DROP COLUMN is_admin")
    op.drop_index("ix_session_person_id", table_name="session")
    op.drop_table("session")
