"""indexes for the Review and projector queries

Moments by clip, tags and freeze-frames by moment, and live shares by workshop: what
``verp.review.sharing.shared_moments`` asks on every projector rerun, and what a delete cascades through.

Revision ID: review_indexes
Revises: 0001
"""

from alembic import op

revision = "review_indexes"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_moment_clip_id", "moment", ["clip_id"])
    op.create_index("ix_moment_tag_moment_id", "moment_tag", ["moment_id"])
    op.create_index("ix_freeze_frame_moment_id", "freeze_frame", ["moment_id"])
    op.create_index("ix_share_moment_id", "share", ["moment_id"])
    op.create_index("ix_share_workshop_live", "share", ["workshop_id", "withdrawn_at"])


def downgrade() -> None:
    for name, table in (
        ("ix_share_workshop_live", "share"),
        ("ix_share_moment_id", "share"),
        ("ix_freeze_frame_moment_id", "freeze_frame"),
        ("ix_moment_tag_moment_id", "moment_tag"),
        ("ix_moment_clip_id", "moment"),
    ):
        op.drop_index(name, table_name=table)
