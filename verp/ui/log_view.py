"""Pieces of the Guider's log page: an entry, the guider's reflection, sharing, supervision notes."""

from __future__ import annotations

import streamlit as st

from verp.core import accounts
from verp.core.accounts import PersonView
from verp.core.errors import NotYours, VerpError
from verp.core.store import Store
from verp.records import guider_log
from verp.records.guider_log import EntryView
from verp.room.principles import catalogue
from verp.ui.text import escape_markdown


def facts(entry: EntryView) -> None:
    st.text(f"{entry.held_on:%d %b %Y} · {entry.kind_label} · cycle {entry.cycle} · {entry.duration_min} min")
    st.text(f"Participants: {entry.participant_codes or 'none recorded'}")
    st.text(f"Principles worked on: {', '.join(entry.principles) or 'none recorded'}")


def notes(entry: EntryView) -> None:
    for note in entry.notes:
        st.text(f"Supervision note · {note.author} · {note.at:%d %b %Y}\n{note.text}")


def own_entry(store: Store, guider: PersonView, entry: EntryView) -> None:
    """The guider's own entry: the facts, their reflection, who supervises it, the notes."""
    names = {p.key: p.name for p in catalogue().principles}
    with st.container(border=True):
        facts(entry)
        with st.form(f"reflect_{entry.id}"):
            text = st.text_area("My reflection on my guidance", value=entry.reflection, max_chars=5000)
            applied = st.multiselect(
                "Principles I applied to my own guidance",
                list(names),
                default=list(entry.applied_principles),
                format_func=names.__getitem__,
            )
            if st.form_submit_button("Save my reflection"):
                try:
                    guider_log.reflect(store, guider.id, entry.id, text, applied)
                except VerpError as exc:
                    st.error(escape_markdown(str(exc)))
                else:
                    st.rerun()
        _sharing(store, guider, entry)
        notes(entry)


def _sharing(store: Store, guider: PersonView, entry: EntryView) -> None:
    people = {p.id: p.display_name for p in accounts.list_people(store) if p.id != guider.id}
    for supervisor_id, name in entry.supervisors:
        who, stop = st.columns([3, 1])
        who.text(f"Shared with {name}")
        if stop.button("Stop sharing", key=f"unshare_{entry.id}_{supervisor_id}"):
            guider_log.unshare_entry(store, guider.id, entry.id, supervisor_id)
            st.rerun()
    others = [i for i in people if i not in dict(entry.supervisors)]
    if others:
        who, share = st.columns([3, 1], vertical_alignment="bottom")
        chosen = who.selectbox(
            "Share with a supervisor", others, format_func=people.__getitem__, key=f"sup_{entry.id}"
        )
        if share.button("Share", key=f"share_{entry.id}"):
            guider_log.share_entry(store, guider.id, entry.id, chosen)
            st.rerun()


def supervised_entry(store: Store, supervisor: PersonView, entry: EntryView) -> None:
    """An entry shared with me: read it, and add a supervision note."""
    with st.container(border=True):
        st.text(f"From {entry.guider_name}")
        facts(entry)
        if entry.reflection:
            st.text(f"Their reflection: {entry.reflection}")
        if entry.applied_principles:
            st.text(
                "Principles applied: " + ", ".join(catalogue().name_of(k) for k in entry.applied_principles)
            )
        notes(entry)
        if refused := st.session_state.pop(f"{NOTE_REFUSED}{entry.id}", None):
            st.error(escape_markdown(refused))
        with st.form(f"note_{entry.id}"):
            st.text_area("Supervision note", max_chars=5000, key=f"{NOTE_TEXT}{entry.id}")
            st.form_submit_button("Add note", on_click=_add_note, args=(store, supervisor.id, entry.id))


NOTE_TEXT, NOTE_REFUSED = "note_text_", "note_refused_"
UNSHARED_NOTES = "unshared_notes"


def _add_note(store: Store, supervisor_id: int, entry_id: int) -> None:
    """Add the note (a callback: it runs before the page is drawn again, whether or not the entry is
    still there to draw). The words are cleared only once kept; refused, they stay in their box, or,
    if the entry is no longer shared, they are shown to copy."""
    key = f"{NOTE_TEXT}{entry_id}"
    text = st.session_state.get(key, "")
    try:
        guider_log.add_note(store, supervisor_id, entry_id, text)
    except NotYours:
        st.session_state.setdefault(UNSHARED_NOTES, []).append(text)
    except VerpError as exc:
        st.session_state[f"{NOTE_REFUSED}{entry_id}"] = str(exc)
    else:
        st.session_state[key] = ""


def notes_no_longer_shared() -> None:
    """Notes written for an entry its guider stopped sharing meanwhile: not added, shown to copy."""
    for text in st.session_state.pop(UNSHARED_NOTES, []):
        st.warning(
            "That entry is no longer shared with you, so your note was not added. Here it is, to copy:"
        )
        st.text(text)
