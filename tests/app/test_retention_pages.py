"""Retention on the pages: every clip shows when it goes, and an account can be deleted with what it owns."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests.support.apptest import open_app, open_section
from tests.support.review import add_test_clip
from verp.core import accounts
from verp.core.models import Clip, today


def _due_in(store, clip_id, days):
    with store.transaction() as s:
        s.get(Clip, clip_id).delete_by = today() + timedelta(days=days)
    return today() + timedelta(days=days)


def test_my_clips_and_review_count_down_to_an_unshared_clips_deletion(store, teacher, tmp_path):
    clip = add_test_clip(store, teacher.id, tmp_path)
    day = _due_in(store, clip.id, 12)
    wanted = f"Deleted for good in 12 days, on {day.day} {day:%b %Y}."

    at = open_app("pages/my_clips.py", teacher)
    assert not at.exception
    assert any(wanted in c.value.split("  \n") for c in at.caption)  # a line of the card's facts

    at.query_params["clip"] = clip.id
    at.switch_page("pages/review.py").run()
    assert not at.exception
    assert wanted in [i.value for i in at.info]


def test_deleting_my_account_asks_for_my_name_then_removes_it_and_signs_me_out(
    store, teacher, colleague, tmp_path
):
    clip = add_test_clip(store, colleague.id, tmp_path)
    at = open_section(open_app("pages/my_progress.py", colleague), "delete_account_open")
    shown = " ".join(m.value for m in at.markdown).replace("\\", "")  # as read, without Markdown escapes
    assert "1 clip with every copy, cut and still" in shown

    at.text_input(key="confirm_account_name").input("Someone else").run()
    at.button(key="delete_account").click().run()
    assert "Type your name" in at.error[0].value
    assert accounts.get_person(store, colleague.id) is not None

    at.text_input(key="confirm_account_name").input("Ben Colleague").run()
    at.button(key="delete_account").click().run()
    assert not at.exception
    assert accounts.get_person(store, colleague.id) is None
    assert not clip.original.parent.exists()
    assert "deleted for good" in at.success[0].value
    assert "person_id" not in at.session_state
    with store.transaction() as s:
        assert s.scalars(select(Clip)).all() == []


def test_the_consent_form_asks_who_agreed_and_for_the_no_child_without_consent_confirmation(
    store, teacher, tmp_path
):
    from verp.review import consent

    clip = add_test_clip(store, teacher.id, tmp_path)
    at = open_app()
    at.session_state["person_id"] = teacher.id
    at.query_params["clip"] = clip.id
    at.switch_page("pages/review.py").run()
    labels = [s.label for s in at.selectbox]
    assert "Basis for filming" in labels
    basis = next(s for s in at.selectbox if s.label == "Basis for filming")
    assert "no_identifiable" not in basis.options and all("backs only" not in o for o in basis.options)

    form = {t.label.split(" (")[0]: t for t in at.text_input}
    form["Who was filmed?"].input("Year 2")
    form["Who gave or recorded it?"].input("Office")
    at.radio[0].set_value("too_young")
    form["Other adults in the frame"].input("Teaching assistant")
    at.button(key=f"FormSubmitter:consent_{clip.id}-Save consent").click().run()
    assert "Other adults in the frame must agree" in at.error[0].value
    assert consent.get_consent(store, teacher.id, clip.id) is None

    boxes = {c.label.split(" (")[0].split(",")[0]: c for c in at.checkbox}
    boxes["They agreed to be shown"].check()
    boxes["No child without consent is in shot"].check()
    at.button(key=f"FormSubmitter:consent_{clip.id}-Save consent").click().run()
    assert not at.exception
    kept = consent.get_consent(store, teacher.id, clip.id)
    assert (kept.children_agreement, kept.other_adults, kept.no_child_without_consent) == (
        "too_young",
        "Teaching assistant",
        True,
    )
