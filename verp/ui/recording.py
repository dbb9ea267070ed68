"""The pieces of the Record page around the camera: the recording indicator and keep-or-discard."""

from __future__ import annotations

import streamlit as st

from verp.core.errors import VerpError
from verp.media.recorder import RecorderStatus
from verp.review import capture, clips
from verp.review.capture import Take
from verp.ui.clip_card import describe
from verp.ui.player import picture, play
from verp.ui.session import get_store
from verp.web import Grant

MY_CLIPS = "pages/my_clips.py"
REVIEW_KEY = "capture_review"
TAKE_KEY = "capture_take"
ERROR_KEY = "capture_error"
LIMIT_KEY = "capture_limit_take"


def current_take(store, owner_id: int) -> Take:
    """This tab's take: kept across reruns until it is saved; a new one when sound is switched before
    starting. A take that ended while the page was away (tab switched, page changed) is shown now."""
    sound = st.session_state.get("capture_sound", True)
    take = st.session_state.get(TAKE_KEY)
    if take is not None and take.owner_id == owner_id and take.saved and take.started:
        save_and_review(take)
    if (
        take is None
        or take.saved
        or take.owner_id != owner_id
        or (take.recorder.audio != sound and not take.started)
    ):
        take = capture.new_take(store, owner_id, audio=sound)
        st.session_state[TAKE_KEY] = take
    return take


def has_ended(take: Take, signalling: bool) -> bool:
    """The stream is neither playing nor connecting, after it started or after frames arrived."""
    return (take.started or take.recorder.status.video_frames > 0) and not signalling


def save_and_review(take: Take) -> None:
    """Turn the take into a clip (or an error the person sees at once) and show the outcome."""
    with st.spinner("Saving your recording…"):
        try:
            st.session_state[REVIEW_KEY] = capture.save_take(take).id
        except VerpError as exc:
            st.session_state[ERROR_KEY] = str(exc)
    st.session_state.pop(TAKE_KEY, None)
    st.rerun()


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
    st.subheader(status_text(status, max_s), anchor=False)
    if status.reached_limit and st.session_state.get(LIMIT_KEY) != id(take):
        st.session_state[LIMIT_KEY] = id(take)
        st.rerun(scope="app")  # the page then asks the browser to stop the stream


@st.fragment(run_every=1.0)
def recording_indicator(take: Take, max_s: int) -> None:
    show_status(take, max_s)


def playable_yet(clip_id: str, owner_id: int) -> bool:
    """Whether the worker has made the recording's playable copy (or given up on it): time to redraw."""
    try:
        clip = clips.get_clip(get_store(), owner_id, clip_id)
    except VerpError:
        return True
    return clip.playable is not None or clip.status != "processing"


@st.fragment(run_every=1.0)
def _until_playable(clip_id: str, owner_id: int) -> None:
    """The worker prepares the recording in a moment; the review redraws with its player when it has."""
    st.caption("Getting your recording ready to play…")
    if playable_yet(clip_id, owner_id):
        st.rerun(scope="app")


def show_review(clip_id: str, owner_id: int) -> None:
    """The recording as a clip: play it, then keep it (go to My clips) or discard it for good."""
    store = get_store()
    try:
        clip = clips.get_clip(store, owner_id, clip_id)
    except VerpError:
        st.session_state.pop(REVIEW_KEY, None)
        st.rerun()
    st.success("Your recording is saved as a private clip. Watch it, then keep it or discard it.")
    player, side = st.columns([3, 2], gap="large")
    grant = Grant.owner(owner_id, clip_id)
    with player:
        if clip.playable:
            play(store, clip.playable, grant, alt="Your new recording")
        else:
            if clip.thumbnail:
                picture(store, clip.thumbnail, grant, alt="")  # its title is beside it
            _until_playable(clip_id, owner_id)
    side.text(clip.title)
    side.caption(describe(clip))
    keep, discard = side.columns(2)
    if keep.button("Keep it", type="primary", icon=":material/check:", key="capture_keep"):
        st.session_state.pop(REVIEW_KEY, None)
        st.session_state["upload_message"] = ("success", f"Saved “{clip.title}”.")
        st.switch_page(MY_CLIPS)
    if discard.button("Discard it", icon=":material/delete:", key="capture_discard"):
        clips.delete_clip(store, owner_id, clip.id)
        st.session_state.pop(REVIEW_KEY, None)
        st.session_state["capture_message"] = "The recording was discarded and deleted."
        st.rerun()
