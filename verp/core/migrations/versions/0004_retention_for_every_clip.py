"""a delete-by date on every clip, and a consent record that protects children

Every clip gets ``delete_by``: its consent's date where it has one, otherwise ``VERP_RETENTION_DAYS``
after it was added — but never sooner than two weeks after this upgrade, so that nobody's unshared clip
vanishes on the day the service is upgraded without its owner having seen the countdown.

The consent record gains who agreed (the children's own agreement), other adults in the frame and their
agreement, a confirmation that no child without consent is in shot, and a reference to the school's
data-protection assessment. Records made before this have none of these and are read as needing review;
nothing in them is changed or dropped.

Revision ID: retention_for_every_clip
Revises: 0003_clip_worker_lease
"""

import os
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from alembic import op

revision = "retention_for_every_clip"
down_revision = "0003_clip_worker_lease"
branch_labels = None
depends_on = None

UPGRADE_GRACE_DAYS = 14


PLACEHOLDER = sa.text("'1970-01-01'")  # only until every row has its date, a moment later


def upgrade() -> None:
    # Added in place (no table copy): on SQLite, copying ``clip`` would drop the old table, and with
    # foreign keys on, that cascades to every moment and consent record.
    op.add_column("clip", sa.Column("delete_by", sa.Date(), nullable=False, server_default=PLACEHOLDER))
    _fill_clip_delete_by()
    if op.get_bind().dialect.name != "sqlite":  # SQLite cannot drop a default without a copy
        op.alter_column("clip", "delete_by", server_default=None)
    op.create_index("ix_clip_delete_by", "clip", ["delete_by"])
    with op.batch_alter_table("consent") as batch:
        batch.add_column(sa.Column("children_agreement", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("other_adults", sa.String(200), nullable=False, server_default=""))
        batch.add_column(
            sa.Column("other_adults_agreed", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(
            sa.Column("no_child_without_consent", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("dpia_reference", sa.String(200), nullable=False, server_default=""))


def _fill_clip_delete_by() -> None:
    keep = timedelta(days=int(os.environ.get("VERP_RETENTION_DAYS", 60)))
    earliest = datetime.now(UTC).date() + timedelta(days=UPGRADE_GRACE_DAYS)
    bind = op.get_bind()
    rows = bind.execute(
        sa.text(
            "SELECT clip.id, clip.created_at, consent.delete_by FROM clip "
            "LEFT JOIN consent ON consent.clip_id = clip.id"
        )
    ).all()
    for clip_id, created_at, consented in rows:
        created = _as_date(created_at)  # never None (the column is NOT NULL), but typed as may-be
        fallback = earliest if created is None else max(created + keep, earliest)
        delete_by = _as_date(consented) or fallback
        bind.execute(
            sa.text("UPDATE clip SET delete_by = :d WHERE id = :id"), {"d": delete_by, "id": clip_id}
        )


def _as_date(value) -> date | None:
    """SQLite hands back text, PostgreSQL dates and datetimes."""
    if value is None:
        return None
    if isinstance(value, str):
        return datetime.fromisoformat(value[:10]).date()
    return value.date() if isinstance(value, datetime) else value


def downgrade() -> None:
    with op.batch_alter_table("consent") as batch:
        for name in (
            "dpia_reference",
            "no_child_without_consent",
            "other_adults_agreed",
            "other_adults",
            "children_agreement",
        ):
            batch.drop_column(name)
    op.drop_index("ix_clip_delete_by", table_name="clip")
    op.drop_column("clip", "delete_by")
