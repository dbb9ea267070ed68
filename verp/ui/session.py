"""Who is using this browser tab, and the store they work in.

Only small values live in ``st.session_state`` (the signed-in person's id); everything else is asked of
the database, so any instance of the app can serve any page.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

import streamlit as st
import streamlit.components.v1 as components

from verp.core import accounts, limits
from verp.core.accounts import PersonView
from verp.core.config import load_settings
from verp.core.store import Store
from verp.media import processing
from verp.records import retention

PERSON_KEY = "person_id"
COOKIE = "verp_session"
PENDING_COOKIE = "pending_cookie"


@st.cache_resource(show_spinner=False)
def _open_store(data_dir: str, database_url: str) -> Store:
    """One store (engine and pool) per data folder and database, shared by every session."""
    settings = load_settings()
    assert str(settings.data_dir) == data_dir and settings.database_url == database_url
    store = Store.open(settings)
    retention.purge_at_start(store)  # clips past their delete-by date go before anyone sees them
    processing.resume_unfinished(store)
    return store


def get_store() -> Store:
    settings = load_settings()
    return _open_store(str(settings.data_dir), settings.database_url)


def client_address() -> str:
    """This tab's device address, for slowing down guessers (a proxy's header only from a trusted proxy)."""
    settings = get_store().settings
    peer, raw = st.context.ip_address, st.context.headers
    peer = peer if isinstance(peer, str) else None  # no connection (a page test) is loopback too
    headers = {str(k): str(v) for k, v in raw.items()} if isinstance(raw, Mapping) else {}
    return limits.client_address(peer, headers, settings.trusted_proxies)


def current_person() -> PersonView | None:
    """The signed-in person: from this session, or from the signed, expiring cookie after a refresh."""
    store = get_store()
    person_id = st.session_state.get(PERSON_KEY)
    if person_id is not None:
        return accounts.get_person(store, person_id)
    token = st.context.cookies.get(COOKIE) if st.context.cookies else None
    if token and not st.session_state.get("signed_out"):
        person = accounts.person_from_token(store, token)
        if person:
            st.session_state[PERSON_KEY] = person.id
            return person
    return None


def remember(person: PersonView) -> None:
    """Sign this tab in and keep it signed in across a refresh with a signed, expiring session cookie.

    The token rides in a cookie, never in the URL, so a copied link does not carry anyone's identity.
    """
    st.session_state[PERSON_KEY] = person.id
    st.session_state.pop("signed_out", None)
    token = accounts.issue_token(get_store(), person)
    st.session_state[PENDING_COOKIE] = (token, accounts.TOKEN_MAX_AGE_S)


def forget() -> None:
    st.session_state.pop(PERSON_KEY, None)
    st.session_state["signed_out"] = True
    st.session_state[PENDING_COOKIE] = ("", 0)


def flush_cookie() -> None:
    """Write the sign-in (or sign-out) cookie. Called on every run of the app, not once: a rerun right
    after signing in can remove the writer before the browser ran it, and an unchanged element costs
    nothing to draw again."""
    pending = st.session_state.get(PENDING_COOKIE)
    if pending is None:
        return
    value, max_age = pending
    # A session cookie (no max-age) ends when the browser closes, so the next person on a shared school
    # laptop starts signed out; the token inside still expires on its own after a working day.
    lifetime = "" if value else "; max-age=0"
    secure = "; Secure" if (st.context.url or "").startswith("https:") else ""
    cookie = f"{COOKIE}={value}; path=/; SameSite=Strict{lifetime}{secure}"
    script = f"<script>window.parent.document.cookie = {json.dumps(cookie)};</script>"
    components.html(script, height=0)


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
