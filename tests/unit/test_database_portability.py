"""The same schema, migrations and queries on SQLite and on PostgreSQL (run with VERP_TEST_DATABASE_URL)."""

from datetime import UTC, date, datetime, timedelta, timezone

from alembic.script import ScriptDirectory
from sqlalchemy import select, text

from verp.core.models import Person, Workshop
from verp.core.store import alembic_config, head_revision, make_engine, migrate, schema_revision


def test_each_migration_upgrades_a_database_made_by_the_one_before_on_this_server(data_env):
    revisions = [r.revision for r in ScriptDirectory.from_config(alembic_config()).walk_revisions()]
    engine = make_engine(data_env["VERP_DATABASE_URL"])
    migrate(engine, revisions[-1])  # the oldest
    with engine.begin() as c:
        c.execute(
            text(
                "INSERT INTO person (display_name, name_key, is_facilitator, created_at) "
                "VALUES ('Old', 'old', false, '2026-01-01 00:00:00+00:00')"
            )
        )
    migrate(engine)
    migrate(engine)  # running it again changes nothing
    assert schema_revision(engine) == head_revision()
    with engine.connect() as c:
        assert c.execute(text("SELECT display_name FROM person")).scalar() == "Old"
    engine.dispose()


def test_times_come_back_in_utc_and_dates_as_dates(store, teacher):
    paris_evening = datetime(2026, 3, 1, 21, 30, tzinfo=timezone(timedelta(hours=1)))
    with store.transaction() as s:
        s.add(Workshop(title="Late", held_on=date(2026, 3, 1), facilitator_id=teacher.id, join_code="LATE1"))
        s.get(Person, teacher.id).created_at = paris_evening
    with store.transaction() as s:
        created = s.get(Person, teacher.id).created_at
        held_on = s.scalar(select(Workshop.held_on))
    assert created == paris_evening and created.tzinfo is not None
    assert created.astimezone(UTC).hour == 20
    assert held_on == date(2026, 3, 1)


def test_text_is_stored_exactly_including_emoji_and_quotes(store, teacher):
    words = "She waited 🌱 — and he said “again!” O'Brien; DROP TABLE person; --"
    with store.transaction() as s:
        s.add(Workshop(title=words, held_on=date(2026, 3, 1), facilitator_id=teacher.id, join_code="EMOJI"))
    with store.transaction() as s:
        assert s.scalar(select(Workshop.title)) == words
