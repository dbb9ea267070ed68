"""a lease on preparing a clip, so several instances never transcode the same clip twice

Revision ID: 0003_clip_worker_lease
Revises: review_indexes
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_clip_worker_lease"
down_revision = "review_indexes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("clip") as batch:
        batch.add_column(sa.Column("worker", sa.String(length=120), nullable=True))
        batch.add_column(sa.Column("worker_seen_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("clip") as batch:
        batch.drop_column("worker_seen_at")
        batch.drop_column("worker")
