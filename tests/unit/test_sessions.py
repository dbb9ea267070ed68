"""A server-side session behind an HttpOnly cookie: set by the app's own route from a one-time ticket,
looked up on every run, revoked by Sign out (this browser, or everywhere)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from starlette.applications import Starlette
from starlette.testclient import TestClient

from tests.support.asgi import send_raw
from verp import web
from verp.core import sessions
from verp.core.models import SignInSession, utcnow


@pytest.fixture
def client(store):
    return TestClient(Starlette(routes=web.routes()))


def _redeem(client, ticket: str, **headers):
    return client.post(web.SESSION_ROUTE, content=ticket, headers=headers)


def test_a_ticket_sets_an_http_only_strict_cookie_once(store, teacher, client):
    started = sessions.start_session(store, teacher.id)
    answer = _redeem(client, started.ticket)
    assert answer.status_code == 204
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith(f"{web.SESSION_COOKIE}=")
    assert "HttpOnly" in cookie and "samesite=strict" in cookie.lower() and "Path=/" in cookie
    assert "Secure" not in cookie and "Max-Age" not in cookie  # closing the browser signs out
    token = cookie.split(";")[0].split("=", 1)[1]
    assert sessions.person_for_token(store, token).id == teacher.id
    assert _redeem(TestClient(Starlette(routes=web.routes())), started.ticket).status_code == 403


def test_the_cookie_is_secure_under_https(store, teacher):
    secure = TestClient(Starlette(routes=web.routes()), base_url="https://verp.school.example")
    answer = _redeem(secure, sessions.start_session(store, teacher.id).ticket)
    assert "Secure" in answer.headers["set-cookie"]
    proxy = TestClient(Starlette(routes=web.routes()), client=("127.0.0.1", 40000))
    stranger = TestClient(Starlette(routes=web.routes()), client=("203.0.113.9", 40000))
    spoofed = _redeem(
        stranger, sessions.start_session(store, teacher.id).ticket, **{"X-Forwarded-Proto": "https"}
    )
    assert "Secure" not in spoofed.headers["set-cookie"]
    behind_proxy = _redeem(
        proxy,
        sessions.start_session(store, teacher.id).ticket,
        **{"X-Forwarded-Proto": "https"},
    )
    assert "Secure" in behind_proxy.headers["set-cookie"]


def test_an_expired_or_made_up_ticket_sets_nothing(store, teacher, client):
    started = sessions.start_session(store, teacher.id)
    with store.transaction() as s:
        s.get(SignInSession, started.session_id).ticket_expires_at = utcnow() - timedelta(seconds=1)
    for ticket in (started.ticket, "made-up", ""):
        answer = _redeem(client, ticket)
        assert answer.status_code == 403 and "set-cookie" not in answer.headers


def test_only_a_hash_of_the_token_is_stored(store, teacher):
    token = sessions.issue_token(store, teacher.id)
    with store.transaction() as s:
        row = s.scalar(select(SignInSession))
        assert token not in (row.token_hash or "") and len(row.token_hash) == 64
        assert row.person_id == teacher.id and row.expires_at > utcnow() and row.revoked_at is None


def test_sign_out_ends_the_session_everywhere_it_is_used(store, teacher):
    laptop = sessions.start_session(store, teacher.id)
    token = sessions.redeem_ticket(store, laptop.ticket)
    other = sessions.issue_token(store, teacher.id)
    sessions.end_session(store, laptop.session_id)
    assert sessions.person_for_token(store, token) is None  # the cookie, after a reload
    assert sessions.person_for_session(store, laptop.session_id) is None  # the open tab, at its next run
    assert sessions.person_for_token(store, other).id == teacher.id  # another device is still signed in
    sessions.end_all_sessions(store, teacher.id)
    assert sessions.person_for_token(store, other) is None


def test_an_expired_session_is_not_accepted(store, teacher):
    token = sessions.issue_token(store, teacher.id)
    with store.transaction() as s:
        s.scalar(select(SignInSession)).expires_at = utcnow() - timedelta(seconds=1)
    assert sessions.person_for_token(store, token) is None


def test_a_session_remembers_when_it_was_last_used(store, teacher):
    token = sessions.issue_token(store, teacher.id)
    long_ago = utcnow() - timedelta(hours=1)
    with store.transaction() as s:
        s.scalar(select(SignInSession)).last_seen_at = long_ago
    sessions.person_for_token(store, token)
    with store.transaction() as s:
        assert s.scalar(select(SignInSession)).last_seen_at > long_ago


def test_an_open_tab_is_signed_out_when_its_session_runs_out_and_noted_in_use(store, teacher, monkeypatch):
    tab = sessions.start_session(store, teacher.id)
    long_ago = utcnow() - timedelta(hours=1)
    with store.transaction() as s:
        s.scalar(select(SignInSession)).last_seen_at = long_ago
    assert sessions.person_for_session(store, tab.session_id) == teacher
    with store.transaction() as s:
        assert s.scalar(select(SignInSession)).last_seen_at > long_ago
    # The lookup is a statement built once: "now" must be the time it runs, not the time it was built.
    later = utcnow() + sessions.SESSION_LIFETIME + timedelta(seconds=1)
    monkeypatch.setattr(sessions, "utcnow", lambda: later)
    assert sessions.person_for_session(store, tab.session_id) is None


def test_the_sign_out_route_clears_the_cookie_and_ends_its_session(store, teacher, client):
    token = sessions.issue_token(store, teacher.id)
    client.cookies.set(web.SESSION_COOKIE, token)
    answer = client.delete(web.SESSION_ROUTE)
    assert answer.status_code == 204 and "Max-Age=0" in answer.headers["set-cookie"]
    assert sessions.person_for_token(store, token) is None


@pytest.mark.parametrize("route", [web.SESSION_ROUTE, web.JOIN_ROUTE])
def test_a_route_anyone_may_call_reads_no_more_than_a_ticket_of_a_body(store, route):
    """No sign-in is needed to call them, so a body of hundreds of megabytes must not be read into
    memory: a ticket or a kept place is under a hundred characters."""
    megabyte = b"x" * (1 << 20)
    answer = send_raw("POST", route, [(b"content-type", b"text/plain")], [megabyte] * 64)
    assert answer.status == 413 and answer.parts_read <= 1
    declared = [(b"content-type", b"text/plain"), (b"content-length", str(64 << 20).encode())]
    assert send_raw("POST", route, declared, [megabyte] * 64).parts_read == 0
