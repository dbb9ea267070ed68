"""The camera, behind one seam: the only module that imports ``streamlit_webrtc``.

Frames reach the recorder on WebRTC threads; nothing here touches ``st.*`` from those threads. Page
tests patch ``camera`` (AppTest cannot run ``webrtc_streamer``).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import av
import streamlit as st
from streamlit_webrtc import WebRtcMode, webrtc_streamer
from streamlit_webrtc.component import generate_frontend_component_key
from streamlit_webrtc.config import Translations

from verp.review.capture import Take

LOGGER = logging.getLogger(__name__)

KEY = "capture_camera"

TRANSLATIONS: Translations = {
    "start": "Start recording",
    "stop": "Stop",
    "select_device": "Choose camera and microphone",
    "device_ask_permission": "Please allow this page to use your camera and microphone.",
    "device_access_denied": "The camera is blocked for this page. Allow it in the browser's address bar,"
    " or add a clip from this device on My clips",
    "device_not_available": "No camera or microphone was found, or another app is using it. Turn off"
    " Record sound to film without a microphone, or add a clip from this device on My clips",
    "media_api_not_available": "This browser cannot reach a camera here: camera access needs a secure"
    " (https) address. You can add a clip from this device on My clips",
}


@dataclass(frozen=True)
class CameraState:
    """What the page needs to know about the camera stream in this run."""

    playing: bool
    signalling: bool


def camera(take: Take, audio: bool, ice_servers: list[dict], stop: bool = False) -> CameraState:
    """Draw the camera with its device selector and Start/Stop; frames go to ``take.recorder``.

    ``stop=True`` asks the browser to end the stream (used when the time limit is reached).
    """
    _keep_context_through_interrupted_runs(KEY)
    recorder = take.recorder

    async def video_frames(frames: list[av.VideoFrame]) -> list[av.VideoFrame]:
        arrival = time.monotonic()
        for frame in frames:
            recorder.add_video(frame, arrival)
        return frames

    async def audio_frames(frames: list[av.AudioFrame]) -> list[av.AudioFrame]:
        arrival = time.monotonic()
        for frame in frames:
            recorder.add_audio(frame, arrival)
        return frames

    def ended() -> None:
        recorder.finish()  # closes the file; the take then saves itself (see verp.review.capture.new_take)

    ctx = webrtc_streamer(
        key=KEY,
        mode=WebRtcMode.SENDRECV,
        rtc_configuration={"iceServers": ice_servers},
        media_stream_constraints={"video": True, "audio": audio},
        desired_playing_state=False if stop else None,
        queued_video_frames_callback=video_frames,
        queued_audio_frames_callback=audio_frames if audio else None,
        on_video_ended=ended,
        on_audio_ended=ended if audio else None,
        async_processing=True,
        video_html_attrs={"autoPlay": True, "controls": False, "muted": True, "style": {"width": "100%"}},
        audio_html_attrs={"autoPlay": True, "controls": False, "muted": True},  # no echo into the room
        translations=TRANSLATIONS,
    )
    return CameraState(playing=ctx.state.playing, signalling=ctx.state.signalling)


def _keep_context_through_interrupted_runs(key: str) -> None:
    """Work around streamlit-webrtc 0.79's staleness check, which stops about one recording in four.

    The library resets its context when the script run count moved by more than one since it last drew
    the component, meaning "the person left the page and came back". But a run interrupted by a
    rerun before reaching the component also moves the count, and the reset then kills a live stream
    ~0.6 s after Start. Streamlit keeps a widget's value exactly as long as the widget was drawn in the
    last *completed* run (interrupted runs skip that clean-up), so the frontend value being present is
    a reliable "not left": only then is the check switched off. After a real page change the value is
    gone and the library's own reset runs as intended.
    """
    context = st.session_state.get(key)
    if context is None:
        return
    if not hasattr(context, "_last_rendered_run_count"):
        LOGGER.warning("streamlit-webrtc changed: review verp.ui.capture's staleness workaround")
        return
    if generate_frontend_component_key(key) in st.session_state:
        context._last_rendered_run_count = None
