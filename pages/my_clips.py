"""My clips: bring a clip in, find it again, play it, rename it, delete it for good."""

import streamlit as st

from verp.core.errors import VerpError
from verp.review import clips
from verp.ui import announce
from verp.ui.clip_card import show_clips
from verp.ui.session import get_store, require_person
from verp.ui.text import escape_markdown
from verp.ui.uploader import clip_uploader

person = require_person()
store = get_store()

st.title("My clips")
st.caption("Only you can see your clips. Nothing is shared unless you choose to share a moment.")

added_id = clip_uploader(store, person.id)
if isinstance(added_id, str):  # the run right after an upload finished: the list below already has the clip
    try:
        added = clips.get_clip(store, person.id, added_id)
    except VerpError:
        pass  # deleted meanwhile, in another tab (it reads as someone else's: no longer mine)
    else:
        st.session_state["upload_message"] = ("success", f"Saved “{added.title}”.")
if message := st.session_state.pop("upload_message", None):  # set here, or by a clip card's delete
    kind, text = message
    (st.error if kind == "error" else st.success)(escape_markdown(text))  # it names the file
    announce.say(text)

my = clips.list_clips(store, person.id)
if not my:
    st.info("No clips yet. Add one above: a few minutes of an ordinary session is plenty.")
show_clips(store, person, my)
