"""a number once given to a row is never given to another (SQLite)

SQLite gives a new row one more than the largest number in its table, so the number of the newest row,
once deleted, went to the next row made. The links the app signs name rows by number (a projector's link
its workshop, an upload link its person, a download link both) and a tab keeps its sign-in session's
number: after a deletion, such a link or tab could have reached the next workshop, person or session
made. Every table keyed by a number is rebuilt with AUTOINCREMENT, which never gives a number twice.

The numbers of rows deleted before this upgrade are not known any more: in a database that holds
anything, each table's count starts ``SKIPPED`` past its largest number kept, so none of them comes back
unless more than that many of a table's newest rows had been deleted (a new, empty database counts
from 1). PostgreSQL's sequences never gave a number twice: nothing
changes there.

Revision ID: numbers_never_reused
Revises: stills_in_worker
"""

from alembic import op

revision = "numbers_never_reused"
down_revision = "stills_in_worker"
branch_labels = None
depends_on = None

TABLES = (
    "attempt",
    "audit_event",
    "consent",
    "freeze_frame",
    "guider_log_entry",
    "guider_log_share",
    "helping_question",
    "moment",
    "moment_tag",
    "next_step",
    "one_to_one",
    "one_to_one_moment",
    "one_to_one_review",
    "participant",
    "person",
    "preparation",
    "rating",
    "reflection",
    "series_group",
    "series_member",
    "session",
    "share",
    "supervision_note",
    "task",
    "workshop",
)
SKIPPED = 1000


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    # Rebuilding a table drops the old one: with foreign keys on, that would delete (ON DELETE CASCADE)
    # every row that names it. ``verp.core.store.migrate`` turns them off for the whole upgrade.
    assert bind.exec_driver_sql("PRAGMA foreign_keys").scalar() == 0, "foreign keys must be off here"
    largest = {name: bind.exec_driver_sql(f"SELECT max(id) FROM {name}").scalar() for name in TABLES}  # noqa: S608
    skipped = SKIPPED if any(n is not None for n in largest.values()) else 0
    for name in TABLES:
        with op.batch_alter_table(name, recreate="always", table_kwargs={"sqlite_autoincrement": True}):
            pass
        if skipped:
            bind.exec_driver_sql("DELETE FROM sqlite_sequence WHERE name = ?", (name,))
            seq = (largest[name] or 0) + skipped
            bind.exec_driver_sql("INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)", (name, seq))


def downgrade() -> None:
    """Nothing to undo: the tables keep their rows and their numbers."""
