"""My clips: bring a clip in, find it again, play it, rename it, delete it for good."""

import streamlit as st

from verp.review import clips
from verp.ui import announce
from verp.ui.clip_card import show_clip
from verp.ui.session import get_store, require_person
from verp.ui.text import escape_markdown

person = require_person()
store = get_store()

st.title("My clips")
st.caption("Only you can see your clips. Nothing is shared unless you choose to share a moment.")

round_ = st.session_state.setdefault("upload_round", 0)
upload = st.file_uploader(
    "Add a clip from this device",
    type=list(clips.VIDEO_EXTENSIONS),
    key=f"upload_{round_}",
    help="Phones can record straight into this control.",
)
if upload is not None:
    try:
        with st.spinner("Checking and saving your clip…"):
            try:
                added = clips.add_clip(store, person.id, upload.name, upload)
            except clips.ClipError as exc:
                st.session_state["upload_message"] = ("error", str(exc))
            else:
                st.session_state["upload_message"] = ("success", f"Saved “{added.title}”.")
    finally:  # a fresh uploader releases the upload's memory, and a failed upload is not sent again
        st.session_state["upload_round"] = round_ + 1
    st.rerun()

if message := st.session_state.pop("upload_message", None):
    kind, text = message
    (st.error if kind == "error" else st.success)(escape_markdown(text))  # it names the file
    announce.say(text)

my = clips.list_clips(store, person.id)
if not my:
    st.info("No clips yet. Add one above: a few minutes of an ordinary session is plenty.")
for clip in my:
    show_clip(store, person, clip)
