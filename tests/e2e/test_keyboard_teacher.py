"""A new teacher with only a keyboard: sign up, upload a clip, mark a moment, record consent, share it.

Nothing is clicked: Tab (or Shift+Tab) to each control, with its focus showing, then type, Space or
Enter. The file chooser opens from the uploader's file input by Space, as it does for a keyboard user.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.e2e.accessibility import tab_to
from tests.support.browser import rerun_of, wait_for_app, wait_for_session_cookie
from tests.support.media import make_clip
from tests.support.waiting import wait_until
from tests.support.workshop import make_workshop
from verp.core import accounts
from verp.core.config import load_settings
from verp.core.store import Store
from verp.review import clips, moments, sharing

pytestmark = pytest.mark.browser

PASSPHRASE = "correct horse battery"


@pytest.fixture
def server_store(app_server):
    store = Store.open(load_settings(app_server.env))
    yield store
    store.engine.dispose()


def _sign_up(page, base_url: str) -> None:
    page.goto(base_url + "/sign_in")
    wait_for_app(page)
    tab_to(page, "I have an account")  # the tab list: arrow keys move between its tabs
    page.keyboard.press("ArrowRight")
    page.get_by_role("tab", name="I am new here", selected=True).wait_for()
    tab_to(page, "Your name")
    page.keyboard.type("Kit Teacher")
    tab_to(page, "Choose a passphrase")
    page.keyboard.type(PASSPHRASE)
    tab_to(page, "The same passphrase again")
    page.keyboard.type(PASSPHRASE)
    tab_to(page, "Create my account")
    page.keyboard.press("Enter")
    page.wait_for_url("**/my_clips", timeout=60000)
    wait_for_app(page)
    wait_for_session_cookie(page)


def _upload(page, clip_file) -> None:
    chooser = _choose_file_with_the_keyboard(page)
    chooser.set_files(str(clip_file))
    page.get_by_test_id("stMain").get_by_text("Saved “Kit reads”").wait_for(timeout=60000)


def _choose_file_with_the_keyboard(page, tries: int = 3):
    """Tab to the uploader and press Space, as a keyboard user does: the file chooser opens. On a busy
    machine a run of the page can land between the Tab and the Space and take the focus with it; a
    person would then tab there again and press Space once more, and so does this (a few times at most:
    a chooser that never opens still fails the test)."""
    for attempt in range(tries):
        tab_to(page, "Add a clip from this device")
        try:
            with page.expect_file_chooser(timeout=15000) as chooser:
                page.keyboard.press("Space")
            return chooser.value
        except PlaywrightTimeout:
            if attempt == tries - 1:
                raise
    raise AssertionError("unreachable")


def _mark(page) -> None:
    tab_to(page, "Ends at (s)")
    page.keyboard.press("Control+A")
    page.keyboard.type("2")
    with rerun_of(page):
        page.keyboard.press("Enter")
    tab_to(page, "A short title for this moment")
    page.keyboard.type("Kit waits for Sam")
    tab_to(page, "Save this moment")
    page.keyboard.press("Enter")
    page.get_by_test_id("stMain").get_by_text("Saved the moment").wait_for(timeout=60000)
    wait_for_app(page)


def _record_consent(page) -> None:
    tab_to(page, "Who was filmed?")
    page.keyboard.type("Year 2 reading group")
    tab_to(page, "Every child who could understand")  # the first answer of the children's agreement
    page.keyboard.press("Space")
    tab_to(page, "Who gave or recorded it?")
    page.keyboard.type("Head teacher")
    tab_to(page, "No child without consent is in shot")
    page.keyboard.press("Space")
    tab_to(page, "Save consent")
    page.keyboard.press("Enter")
    page.get_by_text("Consent for this clip (recorded)").wait_for(timeout=60000)
    wait_for_app(page)


def _share(page, join_code: str) -> None:
    tab_to(page, "Kit waits for Sam", backwards=True)  # the moment, higher up the page
    page.keyboard.press("Enter")  # opens it
    page.get_by_label("Workshop join code").wait_for()
    tab_to(page, "Workshop join code")
    page.keyboard.type(join_code)
    tab_to(page, "Share this moment")
    page.keyboard.press("Enter")
    page.get_by_test_id("stMain").get_by_text("Shared. Only this moment is shared").wait_for(timeout=60000)
    page.wait_for_function(
        "() => document.getElementById('verp-announcer')?.textContent.startsWith('Shared.')"
    )


def test_a_new_teacher_uploads_marks_and_shares_a_moment_with_only_a_keyboard(
    app_server, chromium, server_store, tmp_path
):
    facilitator = accounts.create_person(server_store, "Ana Facilitator", "another long passphrase")
    workshop = make_workshop(server_store, facilitator.id, "Spring group")
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, reduced_motion="reduce")
    page = context.new_page()
    page.set_default_timeout(30000)  # a shared machine is slow to draw
    try:
        _sign_up(page, app_server.url)
        # A phone's WebM: the worker beside the app makes the copy every browser plays.
        _upload(page, make_clip(tmp_path / "Kit reads.webm", seconds=3, codec="vp8", container="webm"))
        kit = accounts.sign_in(server_store, "Kit Teacher", PASSPHRASE)
        (clip,) = clips.list_clips(server_store, kit.id)
        ready = lambda: clips.get_clip(server_store, kit.id, clip.id).status == "ready"  # noqa: E731
        wait_until(ready, 120, "the worker never made the clip ready")

        tab_to(page, "Review: find my moments")  # the clip's own link
        page.keyboard.press("Enter")
        page.wait_for_url("**/review?clip=*")
        wait_for_app(page)
        _mark(page)
        cut = lambda: not moments.list_moments(server_store, kit.id, clip.id)[0].cutting  # noqa: E731
        wait_until(cut, 120, "the worker never cut the moment")  # shared only once it has its own video
        _record_consent(page)
        _share(page, workshop.join_code)
    except Exception:
        page.screenshot(path=tmp_path / "where-it-stopped.png", full_page=True)  # to see why
        raise
    finally:
        context.close()

    (moment,) = moments.list_moments(server_store, kit.id, clip.id)
    assert moment.title == "Kit waits for Sam"
    (share,) = sharing.my_shares(server_store, kit.id, clip.id)
    assert share.active and share.workshop_title == "Spring group"
