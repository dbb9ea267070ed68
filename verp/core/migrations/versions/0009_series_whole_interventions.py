"""whole interventions: group series, one-to-one VIG reviews, the guider's log

Only new tables; nothing existing changes.

Revision ID: series_whole_interventions
Revises: room_step_key
"""

import sqlalchemy as sa
from alembic import op

revision = "series_whole_interventions"
down_revision = "a11y_captions"
branch_labels = None
depends_on = None


def _id() -> sa.Column:
    return sa.Column("id", sa.Integer(), primary_key=True)


def _fk(name: str, target: str, ondelete: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.Integer(), sa.ForeignKey(target, ondelete=ondelete), nullable=nullable)


def _when(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _index(table: str, *columns: str) -> None:
    for column in columns:
        op.create_index(f"ix_{table}_{column}", table, [column])


def upgrade() -> None:
    op.create_table(
        "series_group",
        _id(),
        _fk("facilitator_id", "person.id", "CASCADE"),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("planned_sessions", sa.Integer(), nullable=False),
        _when("created_at"),
    )
    _index("series_group", "facilitator_id")
    op.create_table(
        "series_member",
        _id(),
        _fk("group_id", "series_group.id", "CASCADE"),
        _fk("person_id", "person.id", "CASCADE"),
        sa.UniqueConstraint("group_id", "person_id"),
    )
    _index("series_member", "group_id", "person_id")
    op.create_table(
        "series_session",
        sa.Column(
            "workshop_id", sa.Integer(), sa.ForeignKey("workshop.id", ondelete="CASCADE"), primary_key=True
        ),
        _fk("group_id", "series_group.id", "CASCADE"),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.UniqueConstraint("group_id", "number"),
    )
    _index("series_session", "group_id")
    _one_to_one_tables()
    _log_tables()


def _one_to_one_tables() -> None:
    op.create_table(
        "one_to_one",
        _id(),
        _fk("guider_id", "person.id", "CASCADE"),
        sa.Column("participant_code", sa.String(40), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        _fk("participant_id", "person.id", "SET NULL", nullable=True),
        sa.Column("planned_cycles", sa.Integer(), nullable=False),
        sa.Column("helping_question", sa.Text(), nullable=False),
        sa.Column("next_review_on", sa.Date(), nullable=True),
        _when("created_at"),
    )
    _index("one_to_one", "guider_id", "participant_id")
    op.create_table(
        "one_to_one_review",
        _id(),
        _fk("one_to_one_id", "one_to_one.id", "CASCADE"),
        sa.Column("cycle", sa.Integer(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        _when("started_at"),
        _when("finished_at", nullable=True),
        sa.Column("words", sa.Text(), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("next_step", sa.Text(), nullable=False),
        sa.Column("principles", sa.String(400), nullable=False),
        sa.UniqueConstraint("one_to_one_id", "cycle"),
    )
    _index("one_to_one_review", "one_to_one_id")
    op.create_table(
        "one_to_one_moment",
        _id(),
        _fk("one_to_one_id", "one_to_one.id", "CASCADE"),
        _fk("moment_id", "moment.id", "CASCADE"),
        sa.Column("cycle", sa.Integer(), nullable=False),
        _when("chosen_at"),
        _when("withdrawn_at", nullable=True),
    )
    _index("one_to_one_moment", "one_to_one_id", "moment_id")
    op.create_table(
        "held_clip",
        sa.Column("clip_id", sa.String(36), sa.ForeignKey("clip.id", ondelete="CASCADE"), primary_key=True),
        _fk("one_to_one_id", "one_to_one.id", "CASCADE"),
    )
    _index("held_clip", "one_to_one_id")


def _log_tables() -> None:
    op.create_table(
        "guider_log_entry",
        _id(),
        _fk("guider_id", "person.id", "CASCADE"),
        sa.Column("source", sa.String(40), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("participant_codes", sa.String(400), nullable=False),
        sa.Column("cycle", sa.Integer(), nullable=False),
        sa.Column("principles", sa.String(400), nullable=False),
        sa.Column("duration_min", sa.Integer(), nullable=False),
        sa.Column("reflection", sa.Text(), nullable=False),
        sa.Column("applied_principles", sa.String(400), nullable=False),
        _when("created_at"),
        sa.UniqueConstraint("guider_id", "source"),
    )
    _index("guider_log_entry", "guider_id", "held_on")
    op.create_table(
        "guider_log_share",
        _id(),
        _fk("entry_id", "guider_log_entry.id", "CASCADE"),
        _fk("supervisor_id", "person.id", "CASCADE"),
        _when("shared_at"),
        sa.UniqueConstraint("entry_id", "supervisor_id"),
    )
    _index("guider_log_share", "entry_id", "supervisor_id")
    op.create_table(
        "supervision_note",
        _id(),
        _fk("entry_id", "guider_log_entry.id", "CASCADE"),
        _fk("author_id", "person.id", "CASCADE"),
        sa.Column("text", sa.Text(), nullable=False),
        _when("created_at"),
    )
    _index("supervision_note", "entry_id", "author_id")


def downgrade() -> None:
    for table in (
        "supervision_note",
        "guider_log_share",
        "guider_log_entry",
        "held_clip",
        "one_to_one_moment",
        "one_to_one_review",
        "one_to_one",
        "series_session",
        "series_member",
        "series_group",
    ):
        op.drop_table(table)
