"""Signing in starts a server-side session; Sign out ends it (here, or everywhere) and the org's login."""

from __future__ import annotations

import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.support.apptest import ROOT, open_app
from verp.core import sessions
from verp.ui import session as ui_session

# The app's frame without its navigation: AppTest runs only the page after the first run of a
# navigation app, so the sidebar's buttons are driven here, on the same functions the app calls.
FRAME = """
from verp.ui.session import current_person, send_ticket
from verp.ui.shell import _sidebar

person = current_person()
send_ticket()
_sidebar(person)
"""


def _signed_in(store, teacher):
    """Sign in through the page, then carry on in the whole app (AppTest runs a switched-to page alone)."""
    page = open_app("pages/sign_in.py")
    page.text_input(key="signin_name").input("Ana Teacher")
    page.text_input(key="signin_pass").input("correct horse battery")
    page.button(key="signin_submit").click().run()
    assert not page.exception
    at = AppTest.from_string(FRAME, default_timeout=30)
    for key in (ui_session.PERSON_KEY, ui_session.SESSION_KEY, ui_session.TICKET_KEY):
        at.session_state[key] = page.session_state[key]
    return at.run()


def test_signing_in_starts_a_session_and_asks_the_browser_for_its_cookie(store, teacher):
    at = _signed_in(store, teacher)
    session_id = at.session_state[ui_session.SESSION_KEY]
    assert sessions.person_for_session(store, session_id).id == teacher.id
    scripts = [str(h.proto) for h in at.get("html")]
    assert any("/api/session" in s and "fetch(" in s for s in scripts)
    assert not at.get("iframe")  # no cookie written by a components iframe any more


def test_sign_out_ends_the_session(store, teacher):
    at = _signed_in(store, teacher)
    session_id = at.session_state[ui_session.SESSION_KEY]
    at.sidebar.button(key="sign_out").click().run()
    assert sessions.person_for_session(store, session_id) is None
    assert "Not signed in" in [c.value for c in at.sidebar.caption]


def test_sign_out_everywhere_is_under_my_account_and_ends_every_session_of_the_person(store, teacher):
    other_device = sessions.issue_token(store, teacher.id)
    at = _signed_in(store, teacher)
    assert [b.key for b in at.sidebar.button] == ["sign_out"]  # the sidebar has the one everyday button
    this_tab = at.session_state[ui_session.SESSION_KEY]
    progress = AppTest.from_file(str(ROOT / "pages" / "my_progress.py"), default_timeout=30)
    for key in (ui_session.PERSON_KEY, ui_session.SESSION_KEY):
        progress.session_state[key] = at.session_state[key]
    progress.run()
    progress.button(key="sign_out_everywhere").click().run()
    assert sessions.person_for_token(store, other_device) is None
    assert sessions.person_for_session(store, this_tab) is None
    assert any("Please sign in first" in i.value for i in progress.info)


def test_a_tab_whose_session_ended_elsewhere_is_signed_out_at_its_next_run(store, teacher):
    at = _signed_in(store, teacher)
    sessions.end_all_sessions(store, teacher.id)
    at.run()
    assert "Not signed in" in [c.value for c in at.sidebar.caption]


def test_sign_out_also_signs_out_of_the_organisations_login(store, teacher, monkeypatch):
    calls = []
    monkeypatch.setattr(st, "logout", lambda: calls.append("logout"))
    at = _signed_in(store, teacher)
    monkeypatch.setattr(ui_session, "oidc_configured", lambda: True)
    at.sidebar.button(key="sign_out").click().run()
    assert calls == ["logout"]
