"""Record a clip: camera and microphone in the browser, written on the server, kept in My clips."""

import streamlit as st

from verp.ui import capture as camera_ui
from verp.ui import recording
from verp.ui.session import get_store, require_person

person = require_person()
store = get_store()
max_s = store.settings.max_recording_s

st.title("Record a clip")
st.caption(
    f"Film a few minutes of an ordinary session (at most {recording.mmss(max_s)}). "
    "The recording is private to you: it goes to My clips, where you choose what to share."
)

if error := st.session_state.pop("capture_error", None):
    st.error(error)
    st.page_link(recording.MY_CLIPS, label="Add a clip from this device instead", icon=":material/upload:")
if message := st.session_state.pop("capture_message", None):
    st.info(message)

if clip_id := st.session_state.get(recording.REVIEW_KEY):
    recording.show_review(clip_id, person.id)
    st.stop()

take = recording.current_take(store, person.id)
camera_column, side = st.columns([3, 2], gap="large")
with camera_column:
    state = camera_ui.camera(
        take,
        audio=take.recorder.audio,
        ice_servers=store.settings.ice_servers,
        stop=take.recorder.status.reached_limit,
    )
if state.playing or state.signalling:
    take.started = True

with side:
    if state.playing or state.signalling:
        recording.recording_indicator(take, max_s)
    elif recording.has_ended(take, state.signalling):
        recording.save_and_review(take)  # Stop, the time limit, or a failure: say what happened at once
    else:
        st.markdown("Choose the camera and microphone, then press **Start recording**.")
    st.toggle("Record sound", value=True, key="capture_sound", disabled=take.started)
    st.caption(
        "Camera blocked, missing, or the picture will not start? Recording needs a secure (https) "
        "address unless the app runs on this computer. You can always add a video from this device."
    )
    st.page_link(recording.MY_CLIPS, label="Add a clip from this device (My clips)", icon=":material/upload:")
