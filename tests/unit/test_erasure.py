"""A person can delete their account and everything it owns; the audit log keeps only that it happened."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.support.review import add_consent, add_test_clip, add_workshop, cut_moment
from tests.support.upload import half_upload
from verp.__main__ import main
from verp.core import accounts
from verp.core.models import (
    Attempt,
    AuditEvent,
    Clip,
    HelpingQuestion,
    Moment,
    NextStep,
    Person,
    Rating,
    Share,
    Workshop,
)
from verp.records import erasure
from verp.review import helping, sharing
from verp.workshop import groups, one_to_one


def _count(store, model, *where) -> int:
    with store.transaction() as s:
        return s.scalar(select(func.count()).select_from(model).where(*where))


@pytest.fixture
def busy_colleague(store, teacher, colleague, tmp_path):
    """A colleague with a clip, a moment shared with the teacher's workshop, a question, a rating, a step."""
    clip = add_test_clip(store, colleague.id, tmp_path)
    add_consent(store, colleague.id, clip.id)
    moment = cut_moment(store, colleague.id, clip.id, "Waiting", 1.0, 3.0)
    workshop_id = add_workshop(store, teacher.id, status="planned")
    sharing.share_moment(store, colleague.id, moment.id, "ABCD23")
    helping.set_helping_question(store, colleague.id, "How can I wait longer?")
    helping.rate(store, colleague.id, 6)
    with store.transaction() as s:
        s.add(NextStep(workshop_id=workshop_id, person_id=colleague.id, participant_name="Ben", text="wait"))
        s.add(Attempt(kind="signin", key="ben colleague"))
    return clip, workshop_id


def test_the_confirmation_names_what_goes(store, colleague, busy_colleague):
    goes = erasure.what_goes(store, colleague.id)
    assert goes.lines() == [
        "1 clip with every copy, cut and still",
        "1 moment",
        "1 share of a moment with a workshop",
        "1 helping question",
        "1 rating",
        "1 next step",
    ]


def test_deleting_an_account_removes_everything_it_owns_and_leaves_an_audit_line_without_content(
    store, teacher, colleague, busy_colleague
):
    clip, workshop_id = busy_colleague
    with pytest.raises(erasure.ErasureError, match="Type your name"):
        erasure.delete_account(store, colleague.id, "Ben")
    assert _count(store, Clip) == 1

    erasure.delete_account(store, colleague.id, "  ben   colleague ")

    assert accounts.get_person(store, colleague.id) is None
    assert not clip.original.parent.exists()
    for model in (Clip, Moment, Share, HelpingQuestion, Rating, NextStep, Attempt):
        assert _count(store, model) == 0, model.__name__
    assert _count(store, Workshop, Workshop.id == workshop_id) == 1  # the teacher's workshop stays
    with store.transaction() as s:
        last = s.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        texts = " ".join(f"{e.actor} {e.subject} {e.detail}" for e in s.scalars(select(AuditEvent)))
    who = f"person:{colleague.id}"
    assert (last.actor, last.action, last.subject, last.detail) == (who, "account_deleted", who, "")
    assert "Ben" not in texts and "Waiting" not in texts and "wait longer" not in texts


def test_deleting_an_account_removes_the_uploads_it_had_begun(store, teacher, colleague):
    """Footage half-sent is the account's too: it goes at once, and someone else's stays."""
    theirs, mine = half_upload(store, colleague.id), half_upload(store, teacher.id)
    erasure.delete_account(store, colleague.id, colleague.display_name)
    assert not theirs.exists() and not theirs.with_suffix(".json").exists()
    assert mine.is_file() and mine.with_suffix(".json").is_file()


def test_a_facilitators_workshops_go_with_their_account_but_not_while_one_is_live(store, teacher, colleague):
    workshop_id = add_workshop(store, teacher.id, status="live")
    with pytest.raises(erasure.ErasureError, match="live workshop"):
        erasure.delete_account(store, teacher.id, "Ana Teacher")
    assert erasure.what_goes(store, teacher.id).lines() == [
        "1 workshop you facilitate with its reflections and next steps"
    ]
    groups.create_group(store, teacher.id, "Spring group", [colleague.id])
    for code in ("P1", "P2"):
        one_to_one.start_one_to_one(store, teacher.id, code, "teacher")
    assert erasure.what_goes(store, teacher.id).lines()[1:] == [
        "1 group you facilitate",
        "2 one-to-one interventions you guide (reviews and held clips included)",
    ]
    with store.transaction() as s:
        s.get(Workshop, workshop_id).status = "closed"
    erasure.delete_account(store, teacher.id, "Ana Teacher")
    assert _count(store, Workshop) == 0 and _count(store, Person) == 1


def test_an_account_can_be_deleted_from_the_command_line(store, colleague, busy_colleague, capsys):
    assert main(["admin", "delete-account", "Ben Colleague"]) == 2  # asks for --yes first
    assert "1 clip" in capsys.readouterr().out
    assert accounts.get_person(store, colleague.id) is not None
    assert main(["admin", "delete-account", "Ben Colleague", "--yes"]) == 0
    assert accounts.get_person(store, colleague.id) is None
    with store.transaction() as s:
        assert s.scalar(select(AuditEvent.actor).where(AuditEvent.action == "account_deleted")) == "admin"
