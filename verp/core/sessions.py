"""Server-side sign-in sessions: a random token in an HttpOnly cookie, its hash in the ``session`` table.

The page that checked the passphrase cannot set an HttpOnly cookie itself (it speaks to the browser
over a WebSocket), so it makes a session with a one-time ticket that lives a minute; the browser hands
the ticket to the app's own route (``verp.web``), which swaps it for the token and sets the cookie.
Ending a session takes effect at once: every run of every page looks the session up.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import cast

from sqlalchemy import CursorResult, bindparam, select, update

from verp.core.accounts import PersonView, get_person
from verp.core.models import Person, SignInSession, utcnow
from verp.core.store import Store

SESSION_LIFETIME = timedelta(hours=12)  # a working day; closing the browser ends it sooner
TICKET_LIFETIME = timedelta(minutes=1)
SESSION_COOKIE = "verp_session"  # the HttpOnly cookie that holds a browser's session token
# How old a person's signed link (a video, a download) may be and still work in the browser signed in as
# that person (``signed_in_as``): a page left open keeps its links as long as its sign-in lasts.
KEPT_LINK_S = int(SESSION_LIFETIME.total_seconds())
SEEN_EVERY = timedelta(minutes=1)  # how stale ``last_seen_at`` may get: no write on every rerun


@dataclass(frozen=True)
class StartedSession:
    session_id: int
    ticket: str


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def start_session(store: Store, person_id: int) -> StartedSession:
    """A new session for someone whose passphrase (or organisation's login) was just checked."""
    ticket = secrets.token_urlsafe(32)
    now = utcnow()
    with store.transaction() as s:
        row = SignInSession(
            person_id=person_id,
            ticket_hash=_digest(ticket),
            ticket_expires_at=now + TICKET_LIFETIME,
            created_at=now,
            last_seen_at=now,
            expires_at=now + SESSION_LIFETIME,
        )
        s.add(row)
        s.flush()
        return StartedSession(row.id, ticket)


def redeem_ticket(store: Store, ticket: str) -> str | None:
    """Swap a fresh, unused ticket for the session's cookie token; a ticket works once."""
    if not ticket:
        return None
    token = secrets.token_urlsafe(32)
    now = utcnow()
    with store.transaction() as s:
        done = s.execute(
            update(SignInSession)
            .where(
                SignInSession.ticket_hash == _digest(ticket),
                SignInSession.ticket_expires_at > now,
                SignInSession.revoked_at.is_(None),
                SignInSession.expires_at > now,
            )
            .values(ticket_hash=None, ticket_expires_at=None, token_hash=_digest(token), last_seen_at=now)
        )
    return token if cast(CursorResult, done).rowcount == 1 else None


def issue_token(store: Store, person_id: int) -> str:
    """A session and its cookie token straight away (for tools and tests that act as a browser)."""
    return redeem_ticket(store, start_session(store, person_id).ticket) or ""


def ticket_redeemed(store: Store, session_id: int) -> bool:
    """True once the browser has swapped this session's ticket for its cookie (or it can no longer)."""
    with store.transaction() as s:
        row = s.get(SignInSession, session_id)
        if row is None or row.ticket_hash is None or row.ticket_expires_at is None:
            return True
        return row.ticket_expires_at <= utcnow()


def _live(s, row: SignInSession | None) -> SignInSession | None:
    now = utcnow()
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        return None
    if now - row.last_seen_at > SEEN_EVERY:
        row.last_seen_at = now
    return row


def person_for_token(store: Store, token: str | None) -> PersonView | None:
    """The person a cookie's token belongs to, while its session is live."""
    found = session_for_token(store, token)
    return found[1] if found else None


def signed_in_as(store: Store, token: str | None, person_id: int | None) -> bool:
    """Is the browser that holds this cookie token signed in as ``person_id``, now?"""
    if person_id is None:
        return False
    person = person_for_token(store, token)
    return person is not None and person.id == person_id


def session_for_token(store: Store, token: str | None) -> tuple[int, PersonView] | None:
    """The session id and person a cookie's token belongs to, while the session is live."""
    if not token:
        return None
    with store.transaction() as s:
        row = _live(s, s.scalar(select(SignInSession).where(SignInSession.token_hash == _digest(token))))
        if row is None:
            return None
        session_id, person_id = row.id, row.person_id
    person = get_person(store, person_id)
    return (session_id, person) if person else None


# Every run of every page asks who its tab's session belongs to: one statement built once, run without an
# ORM session (``Store.first_row``). It finds the session only while it is live; "now" is worked out each
# time it runs.
_SESSION, _PERSON = SignInSession.__table__.c, Person.__table__.c
_LIVE_SESSION_AND_PERSON = (
    select(_SESSION.last_seen_at, _PERSON.id, _PERSON.display_name, _PERSON.is_facilitator, _PERSON.is_admin)
    .join_from(SignInSession.__table__, Person.__table__, _PERSON.id == _SESSION.person_id)
    .where(
        _SESSION.id == bindparam("session_id"),
        _SESSION.revoked_at.is_(None),
        _SESSION.expires_at > bindparam("now", type_=_SESSION.expires_at.type, callable_=lambda: utcnow()),
    )
)


def person_for_session(store: Store, session_id: int) -> PersonView | None:
    """The person of a tab's session, while the session is live (an ended one signs the tab out)."""
    row = store.first_row(_LIVE_SESSION_AND_PERSON, {"session_id": session_id})
    if row is None:
        return None
    last_seen_at, person_id, display_name, is_facilitator, is_admin = row
    if utcnow() - last_seen_at > SEEN_EVERY:
        _seen(store, session_id)
    return PersonView(person_id, display_name, bool(is_facilitator), bool(is_admin))


def _seen(store: Store, session_id: int) -> None:
    with store.transaction() as s:
        s.execute(update(SignInSession).where(SignInSession.id == session_id).values(last_seen_at=utcnow()))


def end_session(store: Store, session_id: int) -> None:
    with store.transaction() as s:
        s.execute(
            update(SignInSession)
            .where(SignInSession.id == session_id, SignInSession.revoked_at.is_(None))
            .values(revoked_at=utcnow(), ticket_hash=None)
        )


def end_session_of_token(store: Store, token: str | None) -> None:
    if token:
        with store.transaction() as s:
            s.execute(
                update(SignInSession)
                .where(SignInSession.token_hash == _digest(token), SignInSession.revoked_at.is_(None))
                .values(revoked_at=utcnow())
            )


def end_all_sessions(store: Store, person_id: int) -> None:
    """Sign out everywhere: every browser of this person, at its next page run or reload."""
    with store.transaction() as s:
        s.execute(
            update(SignInSession)
            .where(SignInSession.person_id == person_id, SignInSession.revoked_at.is_(None))
            .values(revoked_at=utcnow(), ticket_hash=None)
        )
