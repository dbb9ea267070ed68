"""The pieces of the Record page around the camera: the recording indicator and keep-or-discard."""

from __future__ import annotations

import streamlit as st

from verp import clips
from verp.capture import Take
from verp.recorder import RecorderStatus
from verp.ui.clip_card import describe
from verp.ui.session import get_store

MY_CLIPS = "pages/my_clips.py"
REVIEW_KEY = "capture_review"
LIMIT_KEY = "capture_limit_take"


def mmss(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes}:{secs:02d}"


def status_text(status: RecorderStatus, max_s: int) -> str:
    """One line that says plainly whether we are recording, and for how long."""
    if status.error:
        return f":red[■] **Recording problem:** {status.error}"
    if status.state == "limit":
        return f":orange[■] **Stopped at the {mmss(max_s)} limit.** Saving what was recorded…"
    if status.state == "recording":
        return f":red[●] **Recording** {mmss(status.elapsed_s)} · at most {mmss(max_s)}"
    return ":gray[○] Connecting to the camera… recording starts with the first picture."


def show_status(take: Take, max_s: int) -> None:
    """The indicator's body: a plain function so tests can call it (AppTest does not tick fragments)."""
    status = take.recorder.status
    st.markdown(status_text(status, max_s))
    if status.reached_limit and st.session_state.get(LIMIT_KEY) != id(take):
        st.session_state[LIMIT_KEY] = id(take)
        st.rerun(scope="app")  # the page then asks the browser to stop the stream


@st.fragment(run_every=1.0)
def recording_indicator(take: Take, max_s: int) -> None:
    show_status(take, max_s)


def show_review(clip_id: str, owner_id: int) -> None:
    """The recording as a clip: play it, then keep it (go to My clips) or discard it for good."""
    store = get_store()
    try:
        clip = clips.get_clip(store, owner_id, clip_id)
    except clips.ClipError:
        st.session_state.pop(REVIEW_KEY, None)
        st.rerun()
    st.success("Your recording is saved as a private clip. Watch it, then keep it or discard it.")
    if clip.playable:
        st.video(str(clip.playable))
    elif clip.thumbnail:
        st.image(str(clip.thumbnail))
    st.text(clip.title)
    st.caption(describe(clip))
    keep, discard = st.columns(2)
    if keep.button("Keep it", type="primary", icon=":material/check:", key="capture_keep"):
        st.session_state.pop(REVIEW_KEY, None)
        st.session_state["upload_message"] = ("success", f"Saved “{clip.title}”.")
        st.switch_page(MY_CLIPS)
    if discard.button("Discard it", icon=":material/delete:", key="capture_discard"):
        clips.delete_clip(store, owner_id, clip.id)
        st.session_state.pop(REVIEW_KEY, None)
        st.session_state["capture_message"] = "The recording was discarded and deleted."
        st.rerun()
