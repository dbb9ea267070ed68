"""indexes for the pages of a whole service: lists by owner, facilitator and person, the wall, the log

At the size of a county service (hundreds of clips, dozens of workshops, thousands of reflections and
audit rows) every page rerun asks these by an owner, a facilitator, a person or a workshop; without an
index each is a scan of the whole table, and on PostgreSQL a scan per rerun per person.

Revision ID: perf_indexes
Revises: 0003_clip_worker_lease
"""

from alembic import op

revision = "perf_indexes"
down_revision = "craft_guider_review"
branch_labels = None
depends_on = None

INDEXES = (
    ("ix_clip_owner_id", "clip", ["owner_id"]),
    ("ix_workshop_facilitator_id", "workshop", ["facilitator_id"]),
    ("ix_participant_person_id", "participant", ["person_id"]),
    ("ix_reflection_workshop_status", "reflection", ["workshop_id", "status"]),
    ("ix_reflection_participant_id", "reflection", ["participant_id"]),
    ("ix_reflection_supersedes_id", "reflection", ["supersedes_id"]),
    ("ix_helping_question_person_id", "helping_question", ["person_id"]),
    ("ix_rating_helping_question_id", "rating", ["helping_question_id"]),
    ("ix_next_step_workshop_id", "next_step", ["workshop_id"]),
    ("ix_next_step_person_id", "next_step", ["person_id"]),
    ("ix_audit_event_at", "audit_event", ["at"]),
    ("ix_attempt_kind_key_at", "attempt", ["kind", "key", "at"]),
)


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
