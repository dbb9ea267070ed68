"""Audit log: who uploaded, shared, showed, downloaded or deleted which video, and when.

A facilitator reads the entries of the workshops they facilitate and their own actions; an
administrator reads all of them and grants or removes the facilitator role here.
"""

import pyarrow as pa
import streamlit as st

from verp.core import audit
from verp.core.errors import VerpError
from verp.ui.downloads import audit_log_link
from verp.ui.roles import roles_panel
from verp.ui.session import get_store, require_person

person = require_person()
store = get_store()

st.title("Audit log")
try:
    events = audit.log_for(store, person.id, limit=audit.SHOWN_ROWS)
except VerpError as exc:
    st.error(str(exc))
    st.stop()

if person.is_admin:
    about = "Everything recorded in this service, newest first. You see it all as an administrator."
else:
    about = "Your workshops and your own actions, newest first."
if len(events) == audit.SHOWN_ROWS:
    about += f" The newest {audit.SHOWN_ROWS} are here; the download has up to {audit.DOWNLOAD_ROWS:,}."
st.caption(about)
if not events:
    st.info("Nothing has happened to any video yet.")
else:
    # An Arrow table, handed to the browser as it is (a pandas frame is converted on every run).
    table = pa.table(
        {
            "When (UTC)": [e.at.strftime("%Y-%m-%d %H:%M") for e in events],
            "Who": [e.actor_name for e in events],
            "Did": [e.action for e in events],
            "To what": [e.subject for e in events],
            "Details": [e.detail for e in events],
        }
    )
    st.dataframe(table, hide_index=True, width="stretch", key="audit_table")
    audit_log_link(store, person.id)  # built by the server when fetched, for whoever may read it then
if person.is_admin:
    roles_panel(store, person)
