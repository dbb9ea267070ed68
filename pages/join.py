"""Join: no account needed — type the code (or scan the QR), then send short reflections from a phone."""

import streamlit as st

from verp.core.errors import VerpError
from verp.ui import announce, forms
from verp.ui.join import (
    JOINED_KEY,
    REFLECTION_KIND,
    REFLECTION_PRINCIPLE,
    REFLECTION_TEXT,
    SEND_FORM,
    STARTER_SAID,
    back_in_the_room,
    current_prompt,
    empty_reflection,
    forget_place,
    keep_place,
    look_again,
    not_you_button,
    own_reflections,
    sentence_starters,
    steps_seen_while_writing,
)
from verp.ui.session import client_address, get_store
from verp.ui.workshop import kind_options, principle_options
from verp.workshop import reflections

store = get_store()
st.title("Join a workshop")
joined = back_in_the_room(store)  # after a server restart or a reload, too

if joined is None:
    forget_place()
    with st.form("join"):
        code = st.text_input("Workshop code", value=st.query_params.get("code", ""), max_chars=16)
        name = st.text_input(
            "Your name (leave empty to stay anonymous, if the workshop allows)", max_chars=80
        )
        if st.form_submit_button("Join", type="primary"):
            try:
                joined = reflections.join_by_code(store, code, name, client=client_address())
            except VerpError as exc:
                st.error(str(exc))
            else:
                st.session_state[JOINED_KEY] = joined
                st.rerun()
    st.stop()

st.text(f"You are in as {joined.display_name}.")
keep_place(joined)
not_you_button(joined)
drawn = current_prompt(store, joined)
if drawn is None:
    st.stop()

principles, kinds = principle_options(), kind_options()
writing = forms.draft_key(SEND_FORM)
seen = steps_seen_while_writing(writing, drawn)
emptied = forms.emptied_after_a_save(SEND_FORM, empty_reflection(principles, kinds))
with st.form(SEND_FORM, enter_to_submit=False):  # the same form in every session (see verp.ui.forms)
    sentence_starters(REFLECTION_TEXT)
    text = st.text_area("Your reflection", max_chars=reflections.MAX_TEXT, height=120, key=REFLECTION_TEXT)
    principle = st.selectbox(
        "Principle (optional)", list(principles), format_func=principles.get, key=REFLECTION_PRINCIPLE
    )
    kind = st.radio("Kind", list(kinds), format_func=kinds.get, horizontal=True, key=REFLECTION_KIND)
    if st.form_submit_button("Send", type="primary", use_container_width=True) and not emptied:
        words = (text, principle, kind)
        key = forms.resend_key(SEND_FORM, words)
        try:
            reflections.submit_reflection(
                store, joined.workshop_id, joined.token, text, principle or None, kind, key, seen
            )
        except VerpError as exc:
            st.session_state.pop("sent_message", None)
            st.error(str(exc))
            if isinstance(exc, reflections.MomentLeft):
                look_again(writing, drawn)
        else:
            forms.saved(SEND_FORM, key, words)
            st.session_state["sent_message"] = "Sent. Thank you."
            st.session_state["sent_unsaid"] = True
            st.rerun()
just_sent, begun = st.session_state.pop("sent_unsaid", False), st.session_state.pop(STARTER_SAID, None)
if sent := st.session_state.get("sent_message"):  # stays until the next send, whatever reruns
    st.success(sent)
if said := sent if just_sent else begun:  # said once: a new message, or the box's new start
    announce.say(said)
own_reflections(store, joined)
