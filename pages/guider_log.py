"""Guider's log: every shared review I led, my reflection on my guidance, and supervision."""

import streamlit as st

from verp.records import guider_log
from verp.ui import log_view
from verp.ui.downloads import guider_log_links
from verp.ui.session import get_store, require_person

person = require_person()
store = get_store()
st.title("Guider's log")
st.caption("For your own reflection and your accreditation portfolio. Participants appear by code.")
mine, supervising = st.tabs(["My log", "Shared with me for supervision"])

with mine:
    if not person.is_facilitator:
        st.info("Your log fills as you guide group workshops or one-to-one reviews.")
    else:
        entries = guider_log.my_log(store, person.id)
        guider_log_links(store, person.id)  # built by the server when fetched: no rerun can drop them
        if not entries:
            st.info("A workshop appears here once it is closed; a one-to-one review once it is saved.")
        for entry in entries:
            log_view.own_entry(store, person, entry)

with supervising:
    log_view.notes_no_longer_shared()
    shared = guider_log.shared_with_me(store, person.id)
    if not shared:
        st.info("Nothing has been shared with you for supervision.")
    for entry in shared:
        log_view.supervised_entry(store, person, entry)
