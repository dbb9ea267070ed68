"""the shared review as a guider runs it: the room's playback, step minutes, the word for "child",
captioned freeze-frames with their place in the chain, and the facilitator's preparation per moment

New workshops are moderated by default (the model's default); existing workshops keep their setting.

Revision ID: craft_guider_review
Revises: room_step_key
"""

import sqlalchemy as sa
from alembic import op

revision = "craft_guider_review"
down_revision = "room_step_key"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("workshop") as batch:
        batch.add_column(sa.Column("playback", sa.Text(), nullable=False, server_default="{}"))
        batch.add_column(sa.Column("step_minutes", sa.Text(), nullable=False, server_default="{}"))
        batch.add_column(
            sa.Column("child_word", sa.String(length=40), nullable=False, server_default="child")
        )
    with op.batch_alter_table("freeze_frame") as batch:
        batch.add_column(sa.Column("caption", sa.String(length=200), nullable=False, server_default=""))
        batch.add_column(sa.Column("chain_part", sa.String(length=16), nullable=True))
    op.create_table(
        "preparation",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "workshop_id", sa.Integer(), sa.ForeignKey("workshop.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("moment_id", sa.Integer(), sa.ForeignKey("moment.id", ondelete="CASCADE"), nullable=False),
        sa.Column("note", sa.Text(), nullable=False, server_default=""),
        sa.Column("with_participant", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("workshop_id", "moment_id"),
    )


def downgrade() -> None:
    op.drop_table("preparation")
    with op.batch_alter_table("freeze_frame") as batch:
        batch.drop_column("chain_part")
        batch.drop_column("caption")
    with op.batch_alter_table("workshop") as batch:
        batch.drop_column("child_word")
        batch.drop_column("step_minutes")
        batch.drop_column("playback")
