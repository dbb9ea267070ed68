"""Audit log: who shared, showed, downloaded or deleted which video, and when. Facilitators only."""

import pandas as pd
import streamlit as st

from verp.core import audit
from verp.core.errors import VerpError
from verp.ui.session import get_store, require_person

person = require_person()
store = get_store()

st.title("Audit log")
try:
    events = audit.log_for(store, person.id, limit=500)
except VerpError as exc:
    st.error(str(exc))
    st.stop()

st.caption("Every share, withdrawal, projection, download and deletion of a video, newest first.")
if not events:
    st.info("Nothing has happened to any video yet.")
    st.stop()

table = pd.DataFrame(
    {
        "When (UTC)": [e.at.strftime("%Y-%m-%d %H:%M") for e in events],
        "Who": [e.actor_name for e in events],
        "Did": [e.action for e in events],
        "To what": [e.subject for e in events],
        "Details": [e.detail for e in events],
    }
)
st.dataframe(table, hide_index=True, width="stretch", key="audit_table")
