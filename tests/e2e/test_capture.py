"""Record in real headless Chromium with a fake camera, ten times in a row on one server.

A recording that silently fails in front of a room of staff is worse than none, so each of the ten takes
must become a playable clip of 2–5 seconds with real video frames.
"""

from __future__ import annotations

import re
import sqlite3
import time
from pathlib import Path

import av
import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, require_browser, sign_up, start_app, wait_for_app
from tests.support.waiting import wait_until
from verp.media import jobs as media

pytestmark = pytest.mark.browser

TAKES = 10
FAKE_MEDIA = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]
CAMERA_FRAME = 'iframe[title="streamlit_webrtc.component.webrtc_streamer"]'
SENT_BACK_PLAYING = "() => { const v = document.querySelector('video'); return v && v.currentTime > 0; }"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    require_browser()
    data_dir = tmp_path_factory.mktemp("capture") / "data"
    data_dir.mkdir()
    app = start_app(data_dir)
    yield app
    app.stop()


@pytest.fixture(scope="module")
def page(server, playwright):
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS + FAKE_MEDIA
    )
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(20000)
    _sign_up(page, server.url)
    yield page
    browser.close()


def _sign_up(page, base_url: str, name: str = "Ana Teacher") -> None:
    sign_up(page, base_url, name=name)
    page.get_by_role("link", name="Record a clip").wait_for()


def _open_recording(page, server) -> None:
    """Open Record a clip afresh (signed in by cookie) and let its first run finish: a take starts from
    the same place whatever the one before it left, and Start is never pressed while the page still draws."""
    page.goto(server.url + "/capture")
    wait_for_app(page)
    page.get_by_role("heading", name="Record a clip").wait_for()


def _keep(page, tries: int = 3) -> None:
    """Press Keep it until My clips opens, as a person would press again.

    The review redraws itself while the worker prepares the recording (its fragment asks every second,
    and redraws the page once the playable copy is there); Streamlit can drop a press that meets one of
    those runs, as it can drop a number typed during a run (``enter_number``)."""
    keep = page.get_by_role("button", name="Keep it")
    keep.wait_for()
    for _ in range(tries):
        if keep.is_visible():
            keep.click()
        try:
            page.wait_for_url("**/my_clips", timeout=15000)
            return
        except PlaywrightTimeout:
            continue
    raise AssertionError(f"Keep it never opened My clips in {tries} presses")


def _clip_count(data_dir: Path) -> int:
    with sqlite3.connect(f"file:{data_dir / 'verp.db'}?mode=ro", uri=True) as db:
        return db.execute("select count(*) from clip").fetchone()[0]


def _newest_clip(data_dir: Path) -> tuple[str | None, str]:
    with sqlite3.connect(f"file:{data_dir / 'verp.db'}?mode=ro", uri=True) as db:
        return db.execute(
            "select playable_name, source from clip order by created_at desc limit 1"
        ).fetchone()


def _decoded_frames(path: Path) -> int:
    with av.open(str(path)) as container:
        return sum(1 for _ in container.decode(container.streams.video[0]))


@pytest.mark.parametrize("take", range(1, TAKES + 1))
def test_a_three_second_recording_becomes_a_playable_clip(page, server, take):
    """Each take stands alone: it adds one clip to whatever the server already holds."""
    before = _clip_count(server.data_dir)
    _open_recording(page, server)
    camera = page.frame_locator(CAMERA_FRAME)
    camera.get_by_role("button", name="Start recording").click()
    # The picture coming back from the server means frames are reaching the recorder: from then on,
    # record three seconds of wall time (the on-page indicator may lag on a busy machine).
    camera_page = page.frame(url=re.compile("webrtc_streamer"))
    camera_page.wait_for_function(SENT_BACK_PLAYING, timeout=20000)
    started = time.monotonic()
    page.get_by_text(re.compile(r"Recording \d+:\d\d")).wait_for(timeout=10000)
    # The take's length, not a wait in place of a check: what is recorded is three seconds of wall time
    # (the picture shown in the page can stall on a busy machine while the recorder keeps receiving).
    page.wait_for_timeout(max(0, 3 - (time.monotonic() - started)) * 1000)  # waits on the clock: the take
    camera.get_by_role("button", name="Stop").click()

    _keep(page)
    page.get_by_test_id("stMain").get_by_text(re.compile("Saved “Recording ")).wait_for()

    assert _clip_count(server.data_dir) == before + 1
    # The worker beside the app makes the playable copy a moment later.
    wait_until(lambda: _newest_clip(server.data_dir)[0] is not None, 60, "the recording was never prepared")
    playable, source = _newest_clip(server.data_dir)
    assert source == "capture"
    assert playable is not None
    path = server.data_dir / "clips" / playable
    info = media.probe(path)
    assert info.browser_playable
    assert 2.0 <= info.duration_s <= 5.0
    assert _decoded_frames(path) >= 20


def test_a_blocked_camera_gets_a_plain_message_and_the_upload_alternative(server, playwright):
    # A camera exists, but the page is refused access to it.
    args = CHROMIUM_ARGS + ["--use-fake-device-for-media-stream", "--deny-permission-prompts"]
    browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=args)
    try:
        page = browser.new_page()
        page.set_default_timeout(20000)
        _sign_up(page, server.url, name="Ben Colleague")
        _open_recording(page, server)
        camera = page.frame_locator(CAMERA_FRAME)
        camera.get_by_role("button", name="Start recording").click()
        camera.get_by_text(re.compile("Permission denied|camera is blocked")).wait_for()
        page.get_by_text("Camera blocked, missing, or the picture will not start?").wait_for()
        page.get_by_role("link", name="Add a clip from this device (My clips)").click()
        page.wait_for_url("**/my_clips")
    finally:
        browser.close()
