"""A teacher, in a real browser: sign up, upload a clip, watch it, survive a restart, delete it."""

import pytest

from tests.support.browser import sign_up, start_app, wait_for_app
from tests.support.media import make_clip

pytestmark = pytest.mark.browser


def test_upload_play_restart_and_delete_a_clip(app_server, browser_page, tmp_path):
    page = browser_page
    sign_up(page, app_server.url)
    page.locator('input[type="file"]').set_input_files(str(make_clip(tmp_path / "Story time.mp4")))
    page.get_by_test_id("stMain").get_by_text("Saved “Story time”").wait_for()
    card = page.locator('[class*="st-key-clip_"]')
    card.locator("img").first.wait_for()  # decorative (alt=""): the title names the clip
    card.locator("summary", has_text="Play").click()  # there once the clip can play; its player once open
    page.wait_for_function(
        "() => { const v = document.querySelector('video'); return v && v.readyState >= 1 }"
    )
    src = page.evaluate("() => document.querySelector('video').currentSrc")
    assert "/api/media/" in src  # streamed by signed URL, not loaded into the server's memory
    stored = list((app_server.data_dir / "clips").iterdir())
    assert len(stored) == 1

    app_server.stop()
    restarted = start_app(app_server.data_dir, port=app_server.port)
    try:
        page.close()
        page = browser_page.context.new_page()  # a fresh tab: the cookie, not the old session, signs in
        page.goto(restarted.url + "/my_clips")
        wait_for_app(page)
        page.get_by_text("Story time").first.wait_for()  # still signed in (cookie) and still there
        page.locator("summary", has_text="Rename or delete").click()
        page.get_by_role("button", name="Delete…").click()
        page.get_by_role("button", name="Yes, delete for good").click()
        page.get_by_text("No clips yet").wait_for()
        assert list((app_server.data_dir / "clips").iterdir()) == []
    finally:
        restarted.stop()
