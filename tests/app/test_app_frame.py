"""The app's frame (``verp.ui.shell.run_app``) around every page: what each run of every page pays.

These run the pages as a started server does, inside the frame (``server_pages_manager``), signed in
with a sign-in session as a browser is.
"""

from __future__ import annotations

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest, app_test

from tests.support.apptest import server_pages_manager
from tests.support.paths import ROOT
from verp.core import sessions
from verp.ui import session as ui_session
from verp.ui import shell


@pytest.fixture(autouse=True)
def _in_the_frame(monkeypatch):
    monkeypatch.setattr(app_test, "PagesManager", server_pages_manager())


def _signed_in_on(page: str, store, person) -> AppTest:
    session_id = sessions.start_session(store, person.id).session_id
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    at.session_state[ui_session.PERSON_KEY] = person.id
    at.session_state[ui_session.SESSION_KEY] = session_id
    at.run()
    at.switch_page(page)
    return at.run()


def _counting(monkeypatch, module, name: str) -> list:
    calls: list = []
    real = getattr(module, name)

    def counted(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, counted)
    return calls


def test_the_frame_and_its_page_look_the_person_up_once_a_run(store, teacher, monkeypatch):
    at = _signed_in_on("pages/my_clips.py", store, teacher)
    assert [b.label for b in at.sidebar.button][:1] == ["Sign out"]  # the frame ran
    assert at.title[0].value == "My clips"  # and the page inside it
    looked_up = _counting(monkeypatch, ui_session.sessions, "person_for_session")
    at.run()
    assert len(looked_up) == 1
    at.run()
    assert len(looked_up) == 2


def test_a_session_ended_elsewhere_signs_the_tab_out_at_its_next_run(store, teacher):
    at = _signed_in_on("pages/my_clips.py", store, teacher)
    assert not at.exception and at.title[0].value == "My clips"
    sessions.end_all_sessions(store, teacher.id)  # "Sign out everywhere" from another browser
    at.run()
    assert "Please sign in first: your clips are private to you." in [i.value for i in at.info]
    assert [c.value for c in at.sidebar.caption] == ["Not signed in"]


def test_the_menu_is_made_once_and_each_run_gets_its_own_pages(store, teacher, monkeypatch):
    shell._page_set.cache_clear()
    made = _counting(monkeypatch, st, "Page")
    at = _signed_in_on("pages/my_clips.py", store, teacher)
    first = len(made)
    assert first == len(shell.PAGES)  # one menu: this person's
    for _ in range(3):
        at.run()
    assert len(made) == first and not at.exception
    at.switch_page("pages/principles.py").run()  # navigating runs another copy of the same menu
    assert len(made) == first and not at.exception
    assert at.title[0].value == "Principles of attuned interaction"
