"""an index for a facilitator's audit log: their own actions

A facilitator reads the entries of the workshops they facilitate (indexed by workshop) and their own
actions. With no index on the actor the database walked the whole log newest first to find them
(10,000 rows for a facilitator with 250); with it, each half comes from its own index.

Revision ID: audit_actor_index
Revises: perf_indexes
"""

from alembic import op

revision = "audit_actor_index"
down_revision = "perf_indexes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_audit_event_actor_at", "audit_event", ["actor", "at"])


def downgrade() -> None:
    op.drop_index("ix_audit_event_actor_at", table_name="audit_event")
