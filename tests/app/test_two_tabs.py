"""Deleting something already deleted in another tab is explained, never a crash.

A fresh rerun no longer draws a deleted item, so the race is the other tab deleting it between this
page being drawn and the click being handled: the delete then finds nothing, as simulated here.
"""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.support.apptest import open_app, open_section
from tests.support.review import add_test_clip, cut_moment
from verp.review import clips, moments


def _gone_meanwhile(monkeypatch, module, name):
    real = getattr(module, name)

    def delete_twice(store, owner_id, item_id):
        real(store, owner_id, item_id)  # the other tab
        real(store, owner_id, item_id)  # this one: already gone

    monkeypatch.setattr(module, name, delete_twice)


def test_deleting_a_clip_already_deleted_elsewhere_on_my_clips(store, teacher, tmp_path, monkeypatch):
    clip = add_test_clip(store, teacher.id, tmp_path, seconds=2)
    at = open_section(open_app("pages/my_clips.py", teacher), f"rename_open_{clip.id}")
    at.button(key=f"delete_{clip.id}").click().run()
    _gone_meanwhile(monkeypatch, clips, "delete_clip")
    at.button(key=f"confirm_{clip.id}").click().run()
    assert not at.exception
    assert "already deleted" in at.success[0].value


def test_deleting_a_clip_already_deleted_elsewhere_on_review(store, teacher, tmp_path, monkeypatch):
    clip = add_test_clip(store, teacher.id, tmp_path, seconds=2)
    at = open_app("pages/review.py", teacher)
    at.button(key=f"delete_clip_{clip.id}").click().run()
    _gone_meanwhile(monkeypatch, clips, "delete_clip")
    at.button(key=f"yes_delete_clip_{clip.id}").click().run()
    assert not at.exception
    assert "already deleted" in at.success[0].value


def test_deleting_a_moment_already_deleted_elsewhere(store, teacher, tmp_path, monkeypatch):
    clip = add_test_clip(store, teacher.id, tmp_path, seconds=3)
    moment = cut_moment(store, teacher.id, clip.id, "Sam waits", 0.5, 2.0)
    at = open_section(open_app("pages/review.py", teacher), f"moment_open_{moment.id}")
    at.button(key=f"delete_moment_{moment.id}").click().run()
    _gone_meanwhile(monkeypatch, moments, "delete_moment")
    at.button(key=f"yes_delete_moment_{moment.id}").click().run()
    assert not at.exception
    assert "already deleted" in at.success[0].value


def _watch_a_clip_being_prepared() -> None:
    """The card's watch on a clip being prepared, as its every-two-seconds rerun runs it; then the page
    drawn again (without the clip, as My clips would)."""
    import streamlit as st

    from verp.core.accounts import get_person
    from verp.ui.clip_card import _watch_processing
    from verp.ui.session import get_store

    st.session_state["runs"] = st.session_state.get("runs", 0) + 1
    if st.session_state["runs"] == 1:
        store = get_store()
        _watch_processing(store, get_person(store, st.session_state["owner"]), st.session_state["clip"])


def test_a_clip_being_prepared_and_deleted_in_another_tab_leaves_my_clips_without_an_error(
    store, teacher, tmp_path
):
    clip = add_test_clip(store, teacher.id, tmp_path, seconds=2)
    clips.delete_clip(store, teacher.id, clip.id)  # in the other tab, between two of the watch's reruns
    at = AppTest.from_function(_watch_a_clip_being_prepared, default_timeout=30)
    at.session_state["owner"], at.session_state["clip"] = teacher.id, clip.id
    at.run()
    assert not at.exception
    assert at.session_state["runs"] == 2  # the page was drawn again, without the card
