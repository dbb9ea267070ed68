"""the shared review as a guider runs it: the room's playback, step minutes, the word for "child",
captioned freeze-frames with their place in the chain, and the facilitator's preparation per moment

New workshops are moderated by default (the model's default); existing workshops keep their setting.

Revision ID: craft_guider_review
Revises: room_step_key
"""

import sqlalchemy as sa
from alembic import op

revision = "craft_guider_review"
down_revision = "series_whole_interventions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ALTER TABLE, never a batch copy: on SQLite a copied table would be dropped under its rows.
    op.add_column("workshop", sa.Column("playback", sa.Text(), nullable=False, server_default="{}"))
    op.add_column("workshop", sa.Column("step_minutes", sa.Text(), nullable=False, server_default="{}"))
    op.add_column(
        "workshop", sa.Column("child_word", sa.String(length=40), nullable=False, server_default="child")
    )
    op.add_column(
        "freeze_frame", sa.Column("caption", sa.String(length=200), nullable=False, server_default="")
    )
    op.add_column("freeze_frame", sa.Column("chain_part", sa.String(length=16), nullable=True))
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
    for table, column in [
        ("freeze_frame", "chain_part"),
        ("freeze_frame", "caption"),
        ("workshop", "child_word"),
        ("workshop", "step_minutes"),
        ("workshop", "playback"),
    ]:
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
