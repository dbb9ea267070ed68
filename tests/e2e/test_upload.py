"""Uploading a clip in real Chromium: chunks to the server's upload route, a progress bar, and a resume
after the connection drops."""

from __future__ import annotations

import json

import pytest

from tests.support.browser import sign_up, start_app
from tests.support.media import make_clip, make_text_file

pytestmark = pytest.mark.browser


def _clip_over_one_chunk(path):
    """A real clip with padding after it, so it goes up in two chunks (8 MB each); it still probes."""
    make_clip(path, seconds=2)
    with open(path, "ab") as f:
        f.write(b"\0" * (9 << 20))
    return path


def test_a_clip_uploaded_through_the_page_is_listed(app_server, browser_page, tmp_path):
    page = browser_page
    sign_up(page, app_server.url)
    page.get_by_label("Add a clip from this device").set_input_files(
        str(make_clip(tmp_path / "Snack table.mp4"))
    )
    page.get_by_test_id("stMain").get_by_text("Saved “Snack table”").wait_for()
    page.locator('[class*="st-key-clip_"]').get_by_text("Snack table").first.wait_for()
    assert list((app_server.data_dir / "tmp" / "uploads").glob("*.part")) == []  # moved into the clip


def test_an_upload_resumes_after_the_connection_drops(app_server, browser_page, tmp_path):
    page = browser_page
    sign_up(page, app_server.url)
    patches: list[str] = []

    def drop_the_second_chunk_once(route):
        if route.request.method == "PATCH":
            patches.append(route.request.headers["upload-offset"])
            if len(patches) == 2:
                route.abort("connectionreset")  # Wi-Fi gone mid-upload
                return
        route.continue_()

    page.route("**/api/uploads/*", drop_the_second_chunk_once)
    page.get_by_label("Add a clip from this device").set_input_files(
        str(_clip_over_one_chunk(tmp_path / "Circle.mp4"))
    )
    page.get_by_test_id("stMain").get_by_text("Saved “Circle”").wait_for(timeout=60000)
    first_chunk = str(8 << 20)
    assert patches == ["0", first_chunk, first_chunk]  # the dropped chunk was sent again from where it stood
    page.locator('[class*="st-key-clip_"]').get_by_text("Circle").first.wait_for()


def test_a_file_over_the_limit_is_refused_with_a_clear_message(tmp_path, browser_page):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    server = start_app(data_dir, {"VERP_MAX_UPLOAD_MB": "5"})
    try:
        page = browser_page
        sign_up(page, server.url)
        page.get_by_label("Add a clip from this device").set_input_files(
            str(_clip_over_one_chunk(tmp_path / "Long.mp4"))
        )
        page.get_by_role("alert").get_by_text(
            "This file is larger than the 5 MB limit for a clip."
        ).wait_for()
    finally:
        server.stop()


def test_the_same_file_chosen_again_after_a_failed_check_is_sent_afresh(app_server, browser_page, tmp_path):
    """The page keeps where an upload stands, to resume it after a dropped connection. An upload the
    server could not turn into a clip ("Please try again") is finished with: the same file chosen again
    goes up anew instead of asking that dead upload again and again."""
    page = browser_page
    sign_up(page, app_server.url)
    video = make_clip(tmp_path / "Story.mp4", seconds=1)
    stopped = "Reading this file stopped unexpectedly. Please try again, or try another file."
    first_try = {"on": True}

    def the_check_fails_once(route):  # as the server answers when its check of the clip stopped
        request = route.request
        if first_try["on"] and request.method == "PATCH":
            size = str(video.stat().st_size)
            headers = {"Upload-Offset": size, "Verp-Upload-State": "failed", "Tus-Resumable": "1.0.0"}
            route.fulfill(status=204, headers=headers)
        elif first_try["on"] and request.method == "GET":
            route.fulfill(status=200, json={"state": "failed", "message": stopped})
        else:
            route.continue_()

    page.route("**/api/uploads/*", the_check_fails_once)
    chooser = page.get_by_label("Add a clip from this device")
    chooser.set_input_files(str(video))
    page.get_by_role("alert").get_by_text("Please try again").wait_for()
    [meta] = (app_server.data_dir / "tmp" / "uploads").glob("*.json")  # the server's side of that failure
    meta.write_text(json.dumps({**json.loads(meta.read_text()), "state": "failed", "message": stopped}))

    first_try["on"] = False
    chooser.set_input_files(str(video))  # what the message says: the same file again
    page.get_by_test_id("stMain").get_by_text("Saved “Story”").wait_for(timeout=60000)


def test_the_progress_bar_is_named_and_the_keyboard_stays_on_the_chooser(app_server, browser_page, tmp_path):
    """A screen reader hears what the bar measures and how far it has got; after an upload (refused
    here: not a video) the focus is back on the file chooser, not lost to the page (WCAG 4.1.2, 2.4.3,
    4.1.3)."""
    page = browser_page
    sign_up(page, app_server.url)
    chooser = page.get_by_label("Add a clip from this device")
    assert page.locator(".verp-uploader progress").get_attribute("aria-label") == "Upload progress"
    # The spoken status is on the page before an upload starts: a live region shown in the same instant
    # as its first words is not heard by every screen reader.
    status = page.locator(".verp-uploader [role=status]")
    assert status.evaluate("e => e.closest('[hidden]') === null && getComputedStyle(e).display !== 'none'")
    chooser.focus()
    chooser.set_input_files(str(make_text_file(tmp_path / "Notes.mp4")))
    page.get_by_role("alert").get_by_text("not a video", exact=False).wait_for(timeout=60000)
    page.wait_for_function(
        "() => { let e = document.activeElement;"
        " while (e && e.shadowRoot && e.shadowRoot.activeElement) e = e.shadowRoot.activeElement;"
        " return e && e.matches('.verp-uploader input[type=file]'); }"
    )
