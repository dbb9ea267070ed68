"""a freeze-frame's picture is made by a worker; a clip keeps its frame rate

Freezing a frame used to decode it inside the web server while the teacher waited. A worker makes the
picture now; the freeze-frame says meanwhile that it is being made, and afterwards why it could not be, if
so. Stepping a frame on needs the clip's frame rate, which the web server used to read from the file
itself: it is kept with the clip when the clip comes in (0: not known, for clips from before).

Revision ID: stills_in_worker
Revises: moment_cut_in_worker
"""

import sqlalchemy as sa
from alembic import op

revision = "stills_in_worker"
down_revision = "moment_cut_in_worker"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "freeze_frame", sa.Column("still_status", sa.String(16), nullable=False, server_default="ready")
    )
    op.add_column(
        "freeze_frame", sa.Column("still_detail", sa.String(300), nullable=False, server_default="")
    )
    op.add_column("clip", sa.Column("fps", sa.Float(), nullable=False, server_default="0"))


def downgrade() -> None:
    op.execute("ALTER TABLE clip DROP COLUMN fps")  # in place on SQLite too: no table copy
    op.execute("ALTER TABLE freeze_frame DROP COLUMN still_detail")
    op.execute("ALTER TABLE freeze_frame DROP COLUMN still_status")
