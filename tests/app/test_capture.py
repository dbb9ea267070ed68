"""The Record page, with the camera seam (verp.ui.capture.camera) replaced by a scripted stand-in."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.support.camera import T0, camera_frame
from tests.support.paths import ROOT
from verp.review import clips
from verp.ui.capture import CameraState
from verp.worker import run_pending

IDLE = CameraState(playing=False, signalling=False)
PLAYING = CameraState(playing=True, signalling=False)


class FakeCamera:
    """Returns the next scripted state each run; while "playing" it can push frames like WebRTC does."""

    def __init__(self, *states: CameraState, seconds: float = 0.0) -> None:
        self.states = list(states)
        self.seconds = seconds
        self.calls: list[dict] = []

    def __call__(self, take, audio, ice_servers, stop=False) -> CameraState:
        self.calls.append({"audio": audio, "ice_servers": ice_servers, "stop": stop})
        state = self.states.pop(0) if len(self.states) > 1 else self.states[0]
        if state.playing and self.seconds:
            for i in range(round(self.seconds * 15)):
                take.recorder.add_video(camera_frame(i / 15), arrival=T0 + i / 15)
            self.seconds = 0.0
        return state


@pytest.fixture
def open_capture(data_env, teacher, monkeypatch):
    def open_(camera: FakeCamera) -> AppTest:
        monkeypatch.setattr("verp.ui.capture.camera", camera)
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
        at.session_state["person_id"] = teacher.id
        at.run()
        at.switch_page("pages/capture.py").run()
        return at

    return open_


def texts(at: AppTest) -> str:
    shown = [m.value for m in at.markdown] + [h.value for h in at.subheader] + [e.value for e in at.error]
    return " ".join(shown).replace("**", "")


def test_the_page_asks_to_sign_in_first(data_env):
    at = AppTest.from_file(str(ROOT / "pages" / "capture.py"), default_timeout=30).run()
    assert "Please sign in first" in at.info[0].value


def test_the_camera_is_offline_by_default_with_sound_and_the_upload_alternative(open_capture):
    camera = FakeCamera(IDLE)
    at = open_capture(camera)
    assert not at.exception
    assert at.title[0].value == "Record a clip"
    assert camera.calls[-1] == {"audio": True, "ice_servers": [], "stop": False}
    assert not at.error
    assert any("Add a clip from this device" in link.label for link in at.get("page_link"))


def test_ice_servers_come_from_the_settings(data_env, monkeypatch, open_capture):
    servers = [{"urls": ["stun:stun.school.example:3478"]}]
    monkeypatch.setenv("VERP_ICE_SERVERS", '[{"urls": ["stun:stun.school.example:3478"]}]')
    camera = FakeCamera(IDLE)
    open_capture(camera)
    assert camera.calls[-1]["ice_servers"] == servers


def test_recording_shows_the_indicator_with_elapsed_time(open_capture):
    camera = FakeCamera(PLAYING, seconds=2.2)
    at = open_capture(camera)
    assert "Recording 0:02" in texts(at)
    assert "at most 10:00" in texts(at)
    assert at.toggle(key="capture_sound").disabled  # no switching the microphone mid-recording


def test_a_stream_that_stops_without_a_picture_says_so_at_once(open_capture, teacher, store):
    camera = FakeCamera(PLAYING, IDLE)
    at = open_capture(camera)
    at.run()  # the stream ended (Stop pressed before the first frame, or the library reset it)
    assert "Nothing was recorded" in at.error[0].value
    assert any("Add a clip from this device" in link.label for link in at.get("page_link"))
    assert clips.list_clips(store, teacher.id) == []


def test_a_recording_becomes_a_clip_to_keep(open_capture, teacher, store):
    camera = FakeCamera(PLAYING, IDLE, seconds=2.0)
    at = open_capture(camera)
    at.run()  # Stop
    assert "saved as a private clip" in at.success[0].value
    assert "Getting your recording ready to play…" in [c.value for c in at.caption]
    run_pending(store)  # the worker beside the app prepares it; the review's fragment redraws the page
    at.run()
    assert at.get("video")
    [clip] = clips.list_clips(store, teacher.id)
    assert clip.source == "capture"
    at.button(key="capture_keep").click().run()
    assert not at.exception
    assert clips.list_clips(store, teacher.id)[0].id == clip.id


def test_a_recording_can_be_discarded_for_good(open_capture, teacher, store):
    camera = FakeCamera(PLAYING, IDLE, seconds=1.0)
    at = open_capture(camera)
    at.run()
    [clip] = clips.list_clips(store, teacher.id)
    at.button(key="capture_discard").click().run()
    assert clips.list_clips(store, teacher.id) == []
    assert not store.clip_path(clip.id).exists()
    assert "discarded" in at.info[0].value


def test_reaching_the_limit_asks_the_browser_to_stop(open_capture, data_env, monkeypatch):
    monkeypatch.setenv("VERP_MAX_RECORDING_S", "1")
    camera = FakeCamera(PLAYING, seconds=2.0)
    at = open_capture(camera)
    at.run()
    assert camera.calls[-1]["stop"] is True
    assert "Stopped at the 0:01 limit" in texts(at)


class _Context:
    _last_rendered_run_count = 7


def test_the_staleness_workaround_switches_the_check_off_only_while_the_camera_is_on_screen(monkeypatch):
    from types import SimpleNamespace

    import verp.ui.capture as seam

    on_screen, left = _Context(), _Context()
    frontend = seam.generate_frontend_component_key(seam.KEY)
    monkeypatch.setattr(seam, "st", SimpleNamespace(session_state={seam.KEY: on_screen, frontend: {}}))
    seam._keep_context_through_interrupted_runs(seam.KEY)
    assert on_screen._last_rendered_run_count is None  # an interrupted rerun cannot reset a live stream

    monkeypatch.setattr(seam, "st", SimpleNamespace(session_state={seam.KEY: left}))
    seam._keep_context_through_interrupted_runs(seam.KEY)
    assert left._last_rendered_run_count == 7  # after leaving the page the library's reset still runs


def test_the_workaround_matches_the_pinned_streamlit_webrtc():
    """A private attribute: an upgrade must fail here and make someone re-read verp.ui.capture."""
    from importlib.metadata import version

    from streamlit_webrtc.component import WebRtcStreamerContext, _get_or_create_context

    assert version("streamlit-webrtc").startswith("0.79.")
    assert "_last_rendered_run_count" in WebRtcStreamerContext.__annotations__
    assert "_last_rendered_run_count" in _get_or_create_context.__code__.co_names


def test_a_recording_that_ended_while_the_page_was_away_is_shown_on_return(open_capture, teacher, store):
    from verp.review import capture

    camera = FakeCamera(PLAYING, IDLE, seconds=1.0)
    at = open_capture(camera)
    take = at.session_state["capture_take"]
    at.switch_page("pages/my_clips.py").run()  # the person went to another page mid-recording…
    take.recorder.finish()  # …so the browser dropped the stream and the take saved itself
    clip = capture.save_take(take)
    at.switch_page("pages/capture.py").run()
    assert "saved as a private clip" in at.success[0].value
    assert [c.id for c in clips.list_clips(store, teacher.id)] == [clip.id]
