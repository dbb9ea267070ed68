"""Forms that keep one key for good, emptied after a save.

A form's key (and its fields' keys) never change, so after a server restart the browser tab reconnects to
a new session that draws the same form: what was typed before the restart goes with the form's button. A
save empties the form at the next run, before it is drawn. Two presses in a row save once: a press that
reaches the run which empties the form is the second press of the save just made, and is ignored; one
that comes after it, with the saved words still in the browser, is known by its words and given the
save's own resend key (or not saved again, where nothing else would know it).
"""

from __future__ import annotations

import uuid
from collections.abc import Hashable

import streamlit as st


def emptied_after_a_save(name: str, empty: dict) -> bool:
    """Empty the form ``name`` (its fields' keys -> their empty values) if it was just saved; True then:
    a press of its button in this run is the second press of that save."""
    if st.session_state.pop(f"{name}_saved", False):
        st.session_state.update(empty)
        return True
    return False


def draft_key(name: str) -> str:
    """The resend key of what the form is holding now: stored once however often its button is pressed."""
    return st.session_state.setdefault(f"{name}_key", uuid.uuid4().hex)


def resend_key(name: str, words: Hashable) -> str:
    """The key to save ``words`` under: the last save's, if these are its words, else the draft's."""
    last = st.session_state.get(f"{name}_last")
    return last[0] if last is not None and last[1] == words else draft_key(name)


def last_saved(name: str) -> Hashable | None:
    """The words of the form's last save (None before one)."""
    last = st.session_state.get(f"{name}_last")
    return None if last is None else last[1]


def saved_already(name: str, words: Hashable) -> bool:
    """``words`` are the last save's: for a form whose saves have no resend key."""
    last = st.session_state.get(f"{name}_last")
    return last is not None and last[1] == words


def saved(name: str, key: str | None, words: Hashable) -> None:
    """After a successful save: remember it, and empty the form at the next run with a new draft."""
    st.session_state[f"{name}_last"] = (key, words)
    st.session_state[f"{name}_saved"] = True
    st.session_state.pop(f"{name}_key", None)


def forget(name: str) -> None:
    """Drop the form ``name``'s draft key and last save: the next person at this tab starts anew (a
    save not yet emptied still empties the form when it is next drawn)."""
    for suffix in ("key", "last"):
        st.session_state.pop(f"{name}_{suffix}", None)
