"""a moment's cut is made by a worker: where it has got to, and why it failed

Saving a moment used to cut it (a frame-exact re-encode of up to two minutes of 1080p) inside the web
server while the teacher waited. A worker cuts it now; the moment says meanwhile that it is being cut,
and afterwards why it could not be, if so. Moments from before were cut when they were saved: ready.

Revision ID: moment_cut_in_worker
Revises: audit_actor_index
"""

import sqlalchemy as sa
from alembic import op

revision = "moment_cut_in_worker"
down_revision = "audit_actor_index"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("moment", sa.Column("cut_status", sa.String(16), nullable=False, server_default="ready"))
    op.add_column("moment", sa.Column("cut_detail", sa.String(300), nullable=False, server_default=""))


def downgrade() -> None:
    op.execute("ALTER TABLE moment DROP COLUMN cut_detail")  # in place on SQLite too: no table copy
    op.execute("ALTER TABLE moment DROP COLUMN cut_status")
