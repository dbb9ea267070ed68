"""Who is using this browser tab, and the store they work in.

Only small values live in ``st.session_state`` (the signed-in person's id); everything else is asked of
the database, so any instance of the app can serve any page.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import cast

import streamlit as st

from verp.core import accounts, limits, sessions
from verp.core.accounts import PersonView
from verp.core.config import load_settings
from verp.core.store import Store
from verp.records import retention
from verp.web import SESSION_COOKIE, SESSION_ROUTE

PERSON_KEY = "person_id"
SESSION_KEY = "session_id"
TICKET_KEY = "sign_in_ticket"
CLEAR_COOKIE_KEY = "clear_session_cookie"
COOKIE = SESSION_COOKIE


# One store (engine and pool) per data folder and database, shared by every session of the server. A
# dictionary, not ``st.cache_resource``: every run of every page asks, two or three times, and Streamlit's
# cache hashed its arguments each time (a tenth of a millisecond a call).
_stores: dict[tuple[str, str], Store] = {}
_opening = threading.Lock()


def _open_store(key: tuple[str, str]) -> Store:
    with _opening:
        if key not in _stores:
            settings = load_settings()
            assert (str(settings.data_dir), settings.database_url) == key
            store = Store.open(settings)
            retention.purge_at_start(store)  # clips past their delete-by date go before anyone sees them
            _stores[key] = store
        return _stores[key]


def get_store() -> Store:
    settings = load_settings()
    key = (str(settings.data_dir), settings.database_url)
    return _stores.get(key) or _open_store(key)


def client_address() -> str:
    """This tab's device address, for slowing down guessers (a proxy's header only from a trusted proxy)."""
    settings = get_store().settings
    peer, raw = st.context.ip_address, st.context.headers
    peer = peer if isinstance(peer, str) else None  # no connection (a page test) is loopback too
    headers = {str(k): str(v) for k, v in raw.items()} if isinstance(raw, Mapping) else {}
    return limits.client_address(peer, headers, settings.trusted_proxies)


# The person the app's frame found at the start of this run (``this_run``): the page it runs asks again,
# and would read the session and the person a second time. Unset outside a run of the frame (a fragment's
# rerun runs only the fragment, and looks the person up).
_NOT_LOOKED_UP = object()
_this_run: ContextVar[object] = ContextVar("verp_person_this_run", default=_NOT_LOOKED_UP)


@contextmanager
def this_run(person: PersonView | None) -> Iterator[None]:
    """While the frame runs the page: ``current_person`` answers ``person`` without asking again."""
    token = _this_run.set(person)
    try:
        yield
    finally:
        _this_run.reset(token)


def current_person() -> PersonView | None:
    """The signed-in person: this tab's session, or the session cookie after a reload.

    The session is looked up on every run, so Sign out (here, or everywhere) and expiry take effect at
    the next run of every open tab; within one run it is looked up once.
    """
    known = _this_run.get()
    if known is not _NOT_LOOKED_UP:
        return cast(PersonView | None, known)
    store = get_store()
    person_id, session_id = st.session_state.get(PERSON_KEY), st.session_state.get(SESSION_KEY)
    if session_id is not None:
        person = sessions.person_for_session(store, session_id)
        if person is None:
            _clear_tab()
        return person
    if person_id is not None:  # a tab signed in without a browser session (page tests)
        return accounts.get_person(store, person_id)
    found = sessions.session_for_token(store, st.context.cookies.get(COOKIE) if st.context.cookies else None)
    if found is None:
        return None
    st.session_state[SESSION_KEY], person = found
    st.session_state[PERSON_KEY] = person.id
    return person


def remember(person: PersonView) -> None:
    """Sign this tab in with a new server-side session, and have the browser fetch its cookie.

    The cookie is HttpOnly, so only the app's own route can set it: the page hands the browser a
    one-time ticket (see :func:`send_ticket`) that the route swaps for the cookie.
    """
    started = sessions.start_session(get_store(), person.id)
    _this_run.set(_NOT_LOOKED_UP)  # the rest of this run asks again
    st.session_state[PERSON_KEY] = person.id
    st.session_state[SESSION_KEY] = started.session_id
    st.session_state[TICKET_KEY] = started.ticket


def _clear_tab() -> None:
    _this_run.set(_NOT_LOOKED_UP)  # the rest of this run asks again
    for key in (PERSON_KEY, SESSION_KEY, TICKET_KEY):
        st.session_state.pop(key, None)


def forget(everywhere: bool = False) -> None:
    """Sign out: end this tab's session (or every session of the person), and the organisation's login."""
    store = get_store()
    person_id, session_id = st.session_state.get(PERSON_KEY), st.session_state.get(SESSION_KEY)
    if everywhere and person_id is not None:
        sessions.end_all_sessions(store, person_id)
    elif session_id is not None:
        sessions.end_session(store, session_id)
    _clear_tab()
    st.session_state[CLEAR_COOKIE_KEY] = True
    if oidc_configured():
        st.logout()


def send_ticket() -> None:
    """Ask the browser to swap a pending sign-in ticket for the cookie (or to clear it after Sign out).

    Drawn on every run until the ticket is used or has expired: a rerun right after signing in can
    replace the page before the browser ran the script, and a fetch that repeats is refused harmlessly.
    """
    ticket = st.session_state.get(TICKET_KEY)
    if ticket and sessions.ticket_redeemed(get_store(), st.session_state.get(SESSION_KEY, -1)):
        st.session_state.pop(TICKET_KEY, None)
        ticket = None
    if ticket:
        options = {"method": "POST", "body": ticket, "credentials": "same-origin"}
    elif st.session_state.pop(CLEAR_COOKIE_KEY, False):
        options = {"method": "DELETE", "credentials": "same-origin"}
    else:
        return
    script = f"fetch({json.dumps(SESSION_ROUTE)}, {json.dumps(options)});"
    st.html(f"<script>{script}</script>", unsafe_allow_javascript=True, width=1)


def require_person() -> PersonView:
    """Stop the page with a friendly pointer when nobody is signed in."""
    person = current_person()
    if person is None:
        st.info("Please sign in first: your clips are private to you.")
        st.page_link("pages/sign_in.py", label="Sign in", icon=":material/login:")
        st.stop()
    return person


def oidc_configured() -> bool:
    """True when the deployment set up its own login (an ``[auth]`` section in Streamlit's secrets)."""
    try:
        return "auth" in st.secrets
    except (FileNotFoundError, st.errors.StreamlitSecretNotFoundError):
        return False
