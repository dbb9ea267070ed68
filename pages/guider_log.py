"""Guider's log: every shared review I led, my reflection on my guidance, and supervision."""

from datetime import date

import streamlit as st

from verp.records import guider_log
from verp.ui import log_view
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
        pdf, csv = st.columns(2)
        pdf.download_button(
            "Download my log (PDF)",
            lambda: guider_log.log_pdf(entries, person.display_name),
            f"verp-guiders-log-{date.today().isoformat()}.pdf",
            "application/pdf",
            key="log_pdf",
            icon=":material/download:",
            on_click=lambda: guider_log.record_export(store, person.id, "pdf"),
        )
        csv.download_button(
            "Download my log (spreadsheet, CSV)",
            lambda: guider_log.log_csv(entries),
            f"verp-guiders-log-{date.today().isoformat()}.csv",
            "text/csv",
            key="log_csv",
            icon=":material/download:",
            on_click=lambda: guider_log.record_export(store, person.id, "csv"),
        )
        if not entries:
            st.info("A workshop appears here once it is closed; a one-to-one review once it is saved.")
        for entry in entries:
            log_view.own_entry(store, person, entry)

with supervising:
    shared = guider_log.shared_with_me(store, person.id)
    if not shared:
        st.info("Nothing has been shared with you for supervision.")
    for entry in shared:
        log_view.supervised_entry(store, person, entry)
