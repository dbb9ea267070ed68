"""Review my clip: find my moments that went better than usual, note them, and choose what to share."""

import streamlit as st

from verp.review import clips
from verp.ui import announce
from verp.ui.helping_panel import show_helping_question
from verp.ui.marker import show_marker, show_player
from verp.ui.moment_panel import show_moment
from verp.ui.review_clip import choose_clip, show_consent, show_delete_clip
from verp.ui.session import get_store, require_person

person = require_person()
store = get_store()

st.title("Review my clip")
st.caption("Only you can see this page. Nothing leaves it unless you share a moment.")
show_helping_question(store, person)

if message := st.session_state.pop("review_message", None):
    st.success(message)  # fixed words; a clip or moment title in it is escaped where it is written
    announce.say(message)

chosen = choose_clip(store, person)
if chosen is None:
    st.stop()
clip, review = chosen
if clip.past_its_date:  # nothing plays, marks or keeps it now: the next purge deletes it
    st.warning(clips.deletion_countdown(clip.delete_by))
    show_delete_clip(store, person, clip)
    st.stop()

watch, mark = st.columns([3, 2], gap="large")
with watch:
    show_player(store, person, clip)
with mark:
    show_marker(store, person, clip)

st.header("My moments", anchor=False)
if not review.moments:
    st.caption("No moments yet. Mark one above.")
for moment in review.moments:
    show_moment(store, person, moment, review.can_share, review.shares)

st.header("Consent and deletion", anchor=False)
show_consent(store, person, clip, review.consent, review.clashes)
show_delete_clip(store, person, clip)
