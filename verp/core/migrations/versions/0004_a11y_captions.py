"""timed captions for a moment, typed by its owner (WebVTT lines)

Revision ID: a11y_captions
Revises: 0003_clip_worker_lease
"""

import sqlalchemy as sa
from alembic import op

revision = "a11y_captions"
down_revision = "0003_clip_worker_lease"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("moment") as batch:
        batch.add_column(sa.Column("captions", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("moment") as batch:
        batch.drop_column("captions")
