"""In a real browser: mark a moment of my clip, watch it play from its start, freeze a frame of it; a
colleague cannot open it."""

from __future__ import annotations

import pytest

from tests.support.browser import enter_number, open_sections, rerun_of, sign_up, wait_for_app
from tests.support.review import add_test_clip
from verp.core import accounts, sessions
from verp.core.config import load_settings
from verp.core.store import Store

pytestmark = pytest.mark.browser


def _server_store(app_server) -> Store:
    return Store.open(load_settings(app_server.env))


def _clip_in_server(app_server, tmp_path) -> str:
    """Put a clip into the running server's data folder the way an upload would."""
    store = _server_store(app_server)
    try:
        owner = accounts.sign_in(store, "Ana Teacher", "correct horse battery")
        return add_test_clip(store, owner.id, tmp_path).id
    finally:
        store.engine.dispose()


def _colleague_browser(chromium, app_server):
    """A second person in their own browser, signed in by the app's own signed session cookie."""
    store = _server_store(app_server)
    try:
        ben = accounts.create_person(store, "Ben Colleague", "another long passphrase")
        token = sessions.issue_token(store, ben.id)
    finally:
        store.engine.dispose()
    context = chromium.new_context()
    context.add_cookies([{"name": "verp_session", "value": token, "url": app_server.url}])
    return context.new_page()


def _time_once_playing(page, video) -> float:
    """The video's position once it has moved on from where it stood when asked (it is playing)."""
    handle = video.element_handle()
    start = handle.evaluate("v => v.currentTime")
    page.wait_for_function("([v, t]) => !v.paused && v.currentTime !== t", arg=[handle, start])
    return handle.evaluate("v => v.currentTime")


def test_a_marked_moment_plays_from_its_start_and_stays_private(app_server, browser_page, chromium, tmp_path):
    page = browser_page
    sign_up(page, app_server.url)
    clip_id = _clip_in_server(app_server, tmp_path)

    page.get_by_role("link", name="Review", exact=True).click()  # my only clip is the one chosen
    page.wait_for_url("**/review")
    wait_for_app(page)
    enter_number(page, "Starts at (s)", 2)
    enter_number(page, "Ends at (s)", 4)
    starts = page.get_by_label("Starts at (s)").first
    for key, nudged in (("ArrowUp", 2.5), ("ArrowDown", 2.0)):  # the arrow keys nudge by half a second
        with rerun_of(page):
            starts.press(key)
        assert float(starts.input_value()) == nudged
    # The preview loops just the moment: it starts at the mark, not at the clip's beginning.
    open_sections(page, "Preview just this moment (loops)")
    preview = page.get_by_label("Preview of the moment you are marking")
    preview.wait_for()
    preview.evaluate("v => { v.muted = true; return v.play(); }")
    at = _time_once_playing(page, preview)
    assert 2.0 <= at < 4.0

    # The strip of pictures comes by the owner's signed link, as the clip does, and every picture loads.
    pictures = "[...document.querySelectorAll('[data-testid=stMain] [data-testid=stImage] img')]"
    page.wait_for_function(f"() => {pictures}.length === 8 && {pictures}.every(i => i.naturalWidth > 0)")
    assert all("/api/media/" in src for src in page.evaluate(f"() => {pictures}.map(i => i.src)"))

    page.get_by_label("A short title for this moment").fill("Sam starts the story")
    page.get_by_role("button", name="Save this moment").click()
    wait_for_app(page)
    page.get_by_test_id("stMain").get_by_text("Saved the moment").wait_for()

    # The saved moment has its own cut that plays from its first frame.
    page.get_by_text("Sam starts the story").first.click()
    cut = page.locator('[class*="st-key-moment_"] video').first
    cut.wait_for()
    cut.evaluate(
        "v => new Promise(ok => v.readyState >= 1 ? ok() : v.addEventListener('loadedmetadata', ok))"
    )
    assert cut.evaluate("v => v.duration") == pytest.approx(2.0, abs=0.3)
    cut.evaluate("v => { v.muted = true; return v.play(); }")
    assert 0 < _time_once_playing(page, cut) < 2.0

    # A frozen frame: kept at once, its picture made by the app's worker, and shown without a reload.
    page.get_by_role("button", name="Freeze this frame").click()
    page.get_by_test_id("stMain").get_by_text("Added a freeze-frame").wait_for()
    still = page.locator('[class*="st-key-moment_"] img[alt^="Still of the moment Sam starts the story"]')
    still.wait_for()
    still.evaluate("i => new Promise(ok => i.complete ? ok() : i.addEventListener('load', ok))")
    assert still.evaluate("i => i.naturalWidth") > 0 and "/api/media/" in still.get_attribute("src")
    assert page.get_by_text("making its picture").count() == 0

    # Someone else, in another browser, is refused plainly and sees no video.
    other = _colleague_browser(chromium, app_server)
    other.goto(f"{app_server.url}/review?clip={clip_id}")  # a copied link to my clip
    wait_for_app(other)
    other.get_by_text("only be opened by their owner").wait_for()
    assert other.locator("video").count() == 0
    other.context.close()
