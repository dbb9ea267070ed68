"""timed captions for a moment, typed by its owner (WebVTT lines)

Revision ID: a11y_captions
Revises: 0003_clip_worker_lease
"""

import sqlalchemy as sa
from alembic import op

revision = "a11y_captions"
down_revision = "access_sessions_and_admin"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("moment", sa.Column("captions", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    op.execute("ALTER TABLE moment DROP COLUMN captions")  # in place on SQLite too: no table copy
