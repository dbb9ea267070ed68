"""a task queue: the embedded queue's table, and procrastinate's schema on PostgreSQL

On SQLite the ``task`` table is the queue (see ``verp.core.tasks``). On PostgreSQL the jobs go through
procrastinate, whose own schema is applied here once, so starting the app (or a worker) is all a service
needs; the ``task`` table exists there too, unused, so both databases share one schema history. A later
procrastinate version that changes its schema comes with a migration here that runs its SQL migrations.

Revision ID: queue_task_table
Revises: 0003_clip_worker_lease
"""

import sqlalchemy as sa
from alembic import op

revision = "queue_task_table"
down_revision = "room_step_key"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "task",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("args", sa.Text(), nullable=False),
        sa.Column("key", sa.String(length=120), nullable=True),
        sa.Column("period", sa.String(length=40), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("run_after", sa.DateTime(timezone=True), nullable=False),
        sa.Column("worker", sa.String(length=120), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name", "period", name="uq_task_name_period"),
    )
    op.create_index("ix_task_ready", "task", ["status", "run_after"])
    op.create_index("ix_task_key", "task", ["key"])
    if op.get_bind().dialect.name == "postgresql":
        from verp.core.pg_tasks import apply_procrastinate_schema

        apply_procrastinate_schema(op.get_bind())


def downgrade() -> None:
    op.drop_index("ix_task_key", table_name="task")
    op.drop_index("ix_task_ready", table_name="task")
    op.drop_table("task")
