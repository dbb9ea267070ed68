"""Whole interventions in a real browser: session 2 opens with session 1, a one-to-one review with a
parent who has no account, and the guider's log downloaded as PDF and CSV."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.e2e.test_workshop import signed_in_context
from tests.support.browser import wait_for_app
from tests.support.markdown import HOSTILE_NAME
from tests.support.media import make_clip
from tests.support.review import add_consent
from tests.support.series import group_with_two_sessions
from verp.core.accounts import create_person
from verp.core.config import load_settings
from verp.core.store import Store
from verp.workshop import one_to_one, workshops

LONG = 60000  # the test machine is shared and busy


@pytest.fixture
def people(app_server):
    store = Store.open(load_settings({"VERP_DATA_DIR": str(app_server.data_dir)}))
    ana = create_person(store, "Ana Teacher", "correct horse battery")
    ben = create_person(store, "Ben Colleague", "another long passphrase")
    yield store, ana, ben
    store.engine.dispose()


@pytest.mark.browser
def test_session_two_opens_with_session_ones_next_steps_and_ratings(app_server, chromium, people):
    store, ana, ben = people
    _, _, second = group_with_two_sessions(store, ana.id, ben.id)
    workshops.open_workshop(store, ana.id, second.id)
    workshops.go_to_step(store, ana.id, second.id, "series_opening")
    projector = chromium.new_context(viewport={"width": 1920, "height": 1080}).new_page()
    projector.set_default_timeout(LONG)
    token = workshops.present_token(store, ana.id, second.id)
    projector.goto(f"{app_server.url}/present?w={token}")
    projector.get_by_role("heading", name="Since session 1").wait_for()
    projector.get_by_text("Next step: Wait longer").wait_for()
    projector.get_by_text("Ben Colleague").first.wait_for()
    projector.wait_for_function("() => document.querySelectorAll('.vega-embed').length === 1", timeout=LONG)
    projector.context.close()


@pytest.mark.browser
def test_a_members_typed_name_is_the_words_it_is_on_the_projector(app_server, chromium, people):
    """Escaped, a name still held what the browser's Markdown makes by itself: a link from a bare web or
    e-mail address, an icon from ``:material_…:``, a picture from ``:streamlit:``."""
    store, ana, _ = people
    member = create_person(store, HOSTILE_NAME, "a long enough passphrase here")
    _, _, second = group_with_two_sessions(store, ana.id, member.id)
    workshops.open_workshop(store, ana.id, second.id)
    workshops.go_to_step(store, ana.id, second.id, "series_opening")
    projector = chromium.new_context(viewport={"width": 1920, "height": 1080}).new_page()
    projector.set_default_timeout(LONG)
    projector.goto(f"{app_server.url}/present?w={workshops.present_token(store, ana.id, second.id)}")
    card = projector.get_by_role("heading", name=re.compile("^Ann"))
    card.wait_for()
    made = 'h => h.querySelectorAll(\'a[href*="e.co"], a[href^="mailto:"], img, span[role=img]\').length'
    assert card.evaluate(made) == 0
    assert card.inner_text().replace("\u2060", "") == HOSTILE_NAME
    projector.context.close()


@pytest.mark.browser
def test_a_one_to_one_review_with_a_parent_who_has_no_account(app_server, chromium, people, tmp_path):
    store, ana, _ = people
    view = one_to_one.start_one_to_one(store, ana.id, "Parent A", "parent", 3)
    one_to_one.set_goal(store, ana.id, view.id, "Enjoy bath time with Sam", None)
    with open(make_clip(tmp_path / "home.mp4", seconds=4, fps=25, audio=False), "rb") as f:
        clip = one_to_one.hold_clip(store, ana.id, view.id, "home.mp4", f)
    add_consent(store, ana.id, clip.id)
    one_to_one.mark_held_moment(store, ana.id, view.id, clip.id, "Bath time", 0.0, 3.0, 1)

    page = signed_in_context(chromium, app_server.url, store, ana, viewport={"width": 1400, "height": 1000})
    page = page.new_page()
    page.set_default_timeout(LONG)
    page.goto(app_server.url + "/one_to_one")
    wait_for_app(page)
    page.get_by_role("tab", name="Review").click()
    ready = "() => { const v = document.querySelector('.verp-micro video'); return v && v.readyState >= 2 }"
    page.wait_for_function(ready, timeout=LONG)
    page.get_by_role("button", name="Freeze").click()
    assert page.evaluate("() => document.querySelector('.verp-micro video').paused")
    before = page.evaluate("() => document.querySelector('.verp-micro video').currentTime")
    page.get_by_role("button", name="Frame on ▶").click()
    page.wait_for_function(
        f"() => document.querySelector('.verp-micro video').currentTime > {before}", timeout=LONG
    )
    page.get_by_text("Frozen at").wait_for()
    page.get_by_role("button", name="Half speed").click()
    assert page.evaluate("() => document.querySelector('.verp-micro video').playbackRate") == 0.5
    # Its status is spoken by screen readers: it changes on what the person does, not as the video runs.
    said = "() => { const w = document.querySelector('.verp-micro-where'); window.verpSaid = 0;"
    said += " new MutationObserver(() => window.verpSaid++).observe(w, {childList: true, subtree: true,"
    said += " characterData: true}); }"
    page.get_by_role("button", name="Play").click()
    page.get_by_text("Playing · half speed").wait_for()
    start = page.evaluate("() => document.querySelector('.verp-micro video').currentTime")
    page.evaluate(said)
    page.wait_for_function(
        f"() => document.querySelector('.verp-micro video').currentTime > {start} + 0.5", timeout=LONG
    )
    assert page.evaluate("() => window.verpSaid") == 0
    page.get_by_role("button", name="Freeze").click()
    page.get_by_text("Frozen at").wait_for()

    page.get_by_label("In their own words").fill("I waited and he splashed back")
    page.get_by_text("6", exact=True).click()
    page.get_by_label("Their next step").fill("Wait for Sam at bath time")
    page.get_by_role("button", name="Save this review").click()
    page.get_by_test_id("stMain").get_by_text("Saved review 1").wait_for()
    saved = one_to_one.get_one_to_one(store, ana.id, view.id).review(1)
    assert (saved.words, saved.rating, saved.next_step) == (
        "I waited and he splashed back",
        6,
        "Wait for Sam at bath time",
    )
    page.context.close()


@pytest.mark.browser
def test_the_guiders_log_downloads_as_pdf_and_csv(app_server, chromium, people):
    store, ana, ben = people
    group_with_two_sessions(store, ana.id, ben.id)
    view = one_to_one.start_one_to_one(store, ana.id, "Parent A", "parent", 1)
    one_to_one.finish_review(store, ana.id, view.id, 1, words="He smiled", rating=5, next_step="Wait")
    page = signed_in_context(chromium, app_server.url, store, ana, viewport={"width": 1400, "height": 1000})
    page = page.new_page()
    page.set_default_timeout(LONG)
    page.goto(app_server.url + "/guider_log")
    wait_for_app(page)
    page.get_by_text("Participants: Parent A").wait_for()
    with page.expect_download(timeout=LONG) as pdf:
        page.get_by_role("link", name="Download my log (PDF)").click()
    assert pdf.value.suggested_filename.endswith(".pdf")
    assert Path(pdf.value.path()).read_bytes()[:4] == b"%PDF"
    with page.expect_download(timeout=LONG) as csv:
        page.get_by_role("link", name="Download my log (spreadsheet, CSV)").click()
    text = Path(csv.value.path()).read_text(encoding="utf-8")
    assert text.startswith('"date","kind","participant codes"') and '"Parent A"' in text
    page.context.close()


@pytest.mark.browser
def test_a_member_takes_the_sheet_and_the_calendar_home_while_the_room_runs(app_server, chromium, people):
    """The take-away files are built when clicked and the click reruns nothing, so the file cannot be
    dropped before the browser fetches it; meanwhile the projector of the group's next session follows
    the room as it moves on (another session working on the same server)."""
    store, ana, ben = people
    _, _, second = group_with_two_sessions(store, ana.id, ben.id)
    workshops.open_workshop(store, ana.id, second.id)
    projector = chromium.new_context(viewport={"width": 1920, "height": 1080}).new_page()
    projector.set_default_timeout(LONG)
    projector.goto(f"{app_server.url}/present?w={workshops.present_token(store, ana.id, second.id)}")
    wait_for_app(projector)
    page = signed_in_context(chromium, app_server.url, store, ben).new_page()
    page.set_default_timeout(LONG)
    page.goto(app_server.url + "/my_progress")
    wait_for_app(page)
    files = (
        ("Until we meet again (PDF)", ".pdf", b"%PDF"),
        ("Calendar: next session and filming reminder", ".ics", b"BEGIN:VCALENDAR"),
    )
    for round_ in range(2):
        workshops.step_by(store, ana.id, second.id, 1)  # the room moves on while the member downloads
        for name, ending, start in files:
            with page.expect_download(timeout=LONG) as got:
                page.get_by_role("button", name=name).click()
            assert got.value.failure() is None and got.value.suggested_filename.endswith(ending)
            assert Path(got.value.path()).read_bytes().startswith(start), (round_, name)
    page.context.close()
    projector.context.close()
