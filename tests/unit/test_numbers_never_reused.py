"""A number once given to a row is never given to another. The links the app signs name rows by number
(a projector's link its workshop, an upload link its person) and a tab keeps its sign-in session's number:
on SQLite the newest row's number, once deleted, used to go to the next row made, and an old link then
reached someone else's workshop or account."""

from __future__ import annotations

import base64
import subprocess
import sys
from datetime import date

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session
from starlette.applications import Starlette
from starlette.testclient import TestClient

from tests.support.paths import ROOT
from tests.support.workshop import make_workshop
from verp import web, web_uploads
from verp.core import sessions
from verp.core.accounts import create_person, set_facilitator
from verp.core.models import INTEGER_KEYED, Participant, Person, Workshop
from verp.core.store import Store, head_revision, make_engine, migrate, schema_revision
from verp.records import admin, erasure
from verp.web_room import room_signal_path
from verp.workshop import workshops


def test_a_deleted_workshops_projector_link_reaches_no_workshop_made_after_it(store: Store, teacher):
    dora = create_person(store, "Dora Facilitator", "yet another long passphrase")
    set_facilitator(store, teacher.id, dora.id)
    gone = make_workshop(store, dora.id, "Dora's group")
    old_link, old_signal = (
        workshops.present_token(store, dora.id, gone.id),
        room_signal_path(store.settings, gone.id),
    )
    erasure.delete_account(store, dora.id, "Dora Facilitator")  # her workshops go with her

    later = make_workshop(store, teacher.id, "Ana's group")
    assert later.id > gone.id
    with pytest.raises(workshops.WorkshopError):
        workshops.workshop_from_present_token(store, old_link)
    assert TestClient(Starlette(routes=web.routes())).get(old_signal).status_code == 403


def test_a_deleted_accounts_upload_link_sends_nothing_into_an_account_made_after_it(store: Store):
    dora = create_person(store, "Dora Gone", "yet another long passphrase")
    token = web_uploads.upload_token(
        store.settings, dora.id, sessions.start_session(store, dora.id).session_id
    )
    erasure.delete_account(store, dora.id, "Dora Gone")
    eve = create_person(store, "Eve New", "a different long passphrase")
    assert eve.id > dora.id
    headers = {
        "Authorization": f"Bearer {token}",
        "Tus-Resumable": "1.0.0",
        "Upload-Length": "1000",
        "Upload-Metadata": "filename " + base64.b64encode(b"Story time.mp4").decode(),
    }
    sent = TestClient(Starlette(routes=web.routes())).post(web_uploads.UPLOAD_ROUTE, headers=headers)
    assert sent.status_code == 401


def test_every_table_keyed_by_a_number_counts_on_past_its_deleted_rows(store: Store):
    if store.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL's sequences never give a number twice")
    assert {"person", "workshop", "session", "moment", "participant"} <= set(INTEGER_KEYED)
    with store.engine.connect() as c:
        made = dict(c.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'table'")).all())
    assert [name for name in INTEGER_KEYED if "AUTOINCREMENT" not in made[name]] == []


def test_an_upgrade_keeps_every_row_and_every_reference_and_skips_the_numbers_of_deleted_rows(tmp_path):
    """The tables are rebuilt: nothing naming a rebuilt table may go with the old copy (cascades)."""
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    migrate(engine, "stills_in_worker")  # the revision before
    with Session(engine) as s, s.begin():  # the columns are the same as the models' at that revision
        people = [Person(display_name=f"P{n}", name_key=f"p{n}", is_facilitator=True) for n in (1, 2, 3)]
        s.add_all(people)
        s.flush()
        room = Workshop(title="W", held_on=date(2026, 1, 2), facilitator_id=people[2].id, join_code="ABC123")
        s.add(room)
        s.flush()
        s.add(Participant(workshop_id=room.id, person_id=people[1].id, display_name="P2", token="tok"))
    with engine.begin() as c:
        before = {t: c.execute(text(f"SELECT count(*) FROM {t}")).scalar() for t in INTEGER_KEYED}  # noqa: S608
    migrate(engine)
    assert schema_revision(engine) == head_revision()
    with engine.begin() as c:
        after = {t: c.execute(text(f"SELECT count(*) FROM {t}")).scalar() for t in INTEGER_KEYED}  # noqa: S608
        assert after == before and after["participant"] == 1
        assert c.execute(text("PRAGMA foreign_key_check")).all() == []
        assert c.execute(text("PRAGMA foreign_keys")).scalar() == 1  # the pool's connections keep them on
        c.execute(text("DELETE FROM workshop"))
        assert c.execute(text("SELECT count(*) FROM participant")).scalar() == 0  # cascades still work
        c.execute(
            text(
                "INSERT INTO person (display_name, name_key, is_facilitator, is_admin, created_at) "
                "VALUES ('New', 'new', 0, 0, '2026-01-03 00:00:00')"
            )
        )
        newest = c.execute(text("SELECT max(id) FROM person")).scalar()
    assert newest > 3 + 999  # past any number a row deleted before the upgrade may have had


DIES_PART_WAY = """
import os, sys
from alembic.operations import Operations
from verp.core.store import make_engine, migrate
real = Operations.batch_alter_table
def dying(self, name, *args, **kwargs):
    if name == "moment":  # the process is killed part-way through the upgrade (a container stopped)
        os._exit(9)
    return real(self, name, *args, **kwargs)
Operations.batch_alter_table = dying
migrate(make_engine("sqlite:///" + sys.argv[1]))
"""


def test_an_upgrade_cut_off_part_way_leaves_the_database_as_it_was_and_runs_again(tmp_path):
    """The whole upgrade is one transaction, table rebuilds included: killed part-way, it leaves
    nothing behind, and the app starting again upgrades it."""
    db = tmp_path / "old.db"
    engine = make_engine(f"sqlite:///{db}")
    migrate(engine, "stills_in_worker")
    engine.dispose()
    run = subprocess.run([sys.executable, "-c", DIES_PART_WAY, str(db)], cwd=ROOT, check=False)
    assert run.returncode == 9
    engine = make_engine(f"sqlite:///{db}")
    assert schema_revision(engine) == "stills_in_worker"
    with engine.connect() as c:
        left = c.execute(text("SELECT name FROM sqlite_master WHERE name LIKE '_alembic_tmp%'")).all()
        assert left == [] and "AUTOINCREMENT" not in c.execute(text(SQL_OF_PERSON)).scalar()
    migrate(engine)
    assert schema_revision(engine) == head_revision()


SQL_OF_PERSON = "SELECT sql FROM sqlite_master WHERE name = 'person'"


def test_a_restored_backup_counts_on_past_the_numbers_of_rows_deleted_before_it(
    store: Store, teacher, tmp_path
):
    """A backup carries rows, not SQLite's counts: the restored database counts on a thousand past each
    table's largest number, so a link to a row deleted before the backup reaches nothing made after."""
    dora = create_person(store, "Dora Facilitator", "yet another long passphrase")
    set_facilitator(store, teacher.id, dora.id)
    make_workshop(store, teacher.id, "Kept")
    gone = make_workshop(store, dora.id, "Dora's group")
    old_link = workshops.present_token(store, dora.id, gone.id)
    erasure.delete_account(store, dora.id, "Dora Facilitator")
    admin.backup(store, tmp_path / "backup")
    settings = store.settings
    store.engine.dispose()
    admin.restore(settings, tmp_path / "backup", force=True)  # the same data folder: the same secret key
    restored = Store.open(settings)
    try:
        later = make_workshop(restored, teacher.id, "Ana's next group")
        assert later.id > gone.id
        with pytest.raises(workshops.WorkshopError):
            workshops.workshop_from_present_token(restored, old_link)
    finally:
        restored.engine.dispose()
