"""WCAG 2.2 AA in a real browser: axe-core on every page, for every kind of visitor, at three sizes.

One server and one browser for the whole module; each size gets its own pages (signed out, a teacher with
a clip and a moment, the facilitator), so the whole check stays within a few minutes.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.e2e.accessibility import (
    describe,
    focus_stops_off_screen,
    serious_violations,
    tab_to,
    wait_for_style,
)
from tests.support.browser import open_sections, require_browser, rerun_of, start_app, wait_for_app
from tests.support.review import add_consent, add_test_clip, cut_moment, freeze_frame
from tests.support.summary import SUMMARY_PART_LABELS
from tests.support.workshop import make_workshop
from verp.core import accounts, sessions
from verp.core.config import load_settings
from verp.core.models import Reflection
from verp.core.store import Store
from verp.review import moments, sharing
from verp.ui.session import COOKIE
from verp.workshop import groups, one_to_one, reflections, workshops

pytestmark = pytest.mark.browser

SIZES = {
    "desktop": {"width": 1280, "height": 800},
    "projector": {"width": 1920, "height": 1080},
    "phone": {"width": 390, "height": 844},
}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A running app with a facilitator, a teacher's clip, moment and share, a live workshop, a group of
    sessions and a one-to-one."""
    require_browser()
    data_dir = tmp_path_factory.mktemp("a11y") / "data"
    data_dir.mkdir()
    server = start_app(data_dir)
    store = Store.open(load_settings({"VERP_DATA_DIR": str(data_dir)}))
    ana = accounts.create_person(store, "Ana Facilitator", "correct horse battery")
    ben = accounts.create_person(store, "Ben Teacher", "another long passphrase")
    workshop = make_workshop(store, ana.id, "Autumn group")
    clip = add_test_clip(store, ben.id, tmp_path_factory.mktemp("clip"))
    add_consent(store, ben.id, clip.id)
    moment = cut_moment(store, ben.id, clip.id, "Circle time", 1.0, 3.0)
    freeze_frame(store, ben.id, moment.id, 2.0)
    sharing.share_moment(store, ben.id, moment.id, workshop.join_code)
    workshops.open_workshop(store, ana.id, workshop.id)
    joined = reflections.join_by_code(store, workshop.join_code, "Cara")
    reflections.submit_reflection(store, workshop.id, joined.token, "She waited", None, "noticed", "k1")
    groups.create_group(store, ana.id, "Spring group", [ben.id], 3)  # whole interventions have pages too
    guided = one_to_one.start_one_to_one(store, ana.id, "Parent A", "parent", 3)
    one_to_one.set_goal(store, ana.id, guided.id, "Enjoy bath time with Sam", None)
    one_to_one.finish_review(store, ana.id, guided.id, 1, words="He smiled", rating=5, next_step="Wait")
    yield {
        "server": server,
        "store": store,
        "ana": ana,
        "ben": ben,
        "workshop": workshop,
        "clip": clip,
        "present": workshops.present_token(store, ana.id, workshop.id),
    }
    store.engine.dispose()
    server.stop()


@pytest.fixture
def open_page(chromium, site):
    """Pages of their own browser contexts, all closed after the test even when it fails (a page left
    open keeps asking the server for the room's state)."""
    contexts = []

    def opener(viewport, person=None):
        page = _page(chromium, site, viewport, person)
        contexts.append(page.context)
        return page

    yield opener
    for context in contexts:
        context.close()


def _page(chromium, site, viewport, person=None):
    context = chromium.new_context(viewport=viewport, reduced_motion="reduce")
    if person is not None:
        token = sessions.issue_token(site["store"], person.id)
        context.add_cookies([{"name": COOKIE, "value": token, "url": site["server"].url}])
    page = context.new_page()
    page.set_default_timeout(30000)  # a busy CI machine is slow to draw
    return page


def _check(page, url: str, where: str, problems: list[str]) -> None:
    page.goto(url)
    wait_for_app(page)
    problems += describe(where, serious_violations(page))


@pytest.mark.parametrize("size", list(SIZES))
def test_every_page_has_no_serious_accessibility_violations(site, open_page, size):
    base, problems = site["server"].url, []
    viewport = SIZES[size]
    visitor = open_page(viewport)
    for path in ("", "sign_in", "principles", "accessibility", f"join?code={site['workshop'].join_code}"):
        _check(visitor, f"{base}/{path}", f"{size} signed out /{path}", problems)
    visitor.get_by_label("Your name", exact=False).fill("Dee")
    visitor.get_by_role("button", name="Join").click()
    visitor.get_by_label("Your reflection").wait_for()
    problems += describe(f"{size} joined", serious_violations(visitor))
    _check(visitor, f"{base}/present?w={site['present']}", f"{size} present welcome", problems)

    teacher = open_page(viewport, site["ben"])
    for path in ("", "my_clips", "capture", "my_progress", f"review?clip={site['clip'].id}"):
        _check(teacher, f"{base}/{path}", f"{size} teacher /{path}", problems)
    teacher.get_by_text("Circle time").first.click()
    teacher.get_by_text("Freeze-frames", exact=True).wait_for()
    problems += describe(f"{size} teacher review moment", serious_violations(teacher))

    facilitator = open_page(viewport, site["ana"])
    for path in ("plan", "control", "audit", "groups", "one_to_one", "guider_log"):
        _check(facilitator, f"{base}/{path}", f"{size} facilitator /{path}", problems)
    _check(facilitator, f"{base}/summary", f"{size} facilitator /summary", problems)
    open_sections(facilitator, *SUMMARY_PART_LABELS)  # its tables, chart and tabs, drawn once opened
    problems += describe(f"{size} facilitator summary, every part open", serious_violations(facilitator))

    assert not problems, "\n".join(problems)


def _no_sideways_scrolling(page, url: str) -> int:
    page.goto(url)
    wait_for_app(page)
    wait_for_style(page)
    return page.evaluate("() => document.documentElement.scrollWidth")


def test_phone_pages_need_no_sideways_scrolling_at_320_px(site, open_page):
    base, narrow = site["server"].url, {"width": 320, "height": 640}
    visitor = open_page(narrow)
    teacher = open_page(narrow, site["ben"])
    pages = [(visitor, p) for p in ("", "sign_in", "principles", f"join?code={site['workshop'].join_code}")]
    pages += [(teacher, p) for p in ("my_clips", f"review?clip={site['clip'].id}", "my_progress")]
    too_wide = {
        path: width for page, path in pages if (width := _no_sideways_scrolling(page, f"{base}/{path}")) > 320
    }
    visitor.get_by_label("Your name", exact=False).fill("Eve")
    visitor.get_by_role("button", name="Join").click()
    visitor.get_by_label("Your reflection").wait_for()
    if (width := visitor.evaluate("() => document.documentElement.scrollWidth")) > 320:
        too_wide["join (joined)"] = width
    assert not too_wide, f"pages wider than a 320 px phone: {too_wide}"


def _wait_for_clicker(page) -> None:
    """The page's key listener is mounted a moment after the page is drawn."""
    page.wait_for_function("() => typeof window.__verpClicker === 'function'")


def test_a_clicker_steps_control_and_the_projector_follows(site, open_page):
    """Page Down / Page Up / space only, on Control and on Present; nobody clicks into either page."""
    store, ana, workshop = site["store"], site["ana"], site["workshop"]
    workshops.go_to_step(store, ana.id, workshop.id, workshops.steps(store, workshop.id)[0].key)
    control = open_page(SIZES["desktop"], ana)
    projector = open_page(SIZES["projector"])
    control.goto(site["server"].url + "/control")
    control.get_by_text("Step 1 of").wait_for()
    _wait_for_clicker(control)
    projector.goto(f"{site['server'].url}/present?w={site['present']}")
    projector.get_by_text(workshop.join_code).wait_for()
    _wait_for_clicker(projector)

    order = workshops.steps(store, workshop.id)
    moment_at = next(i for i, step in enumerate(order) if step.kind == "moment") + 1  # "Step N of"
    control.keyboard.press("PageDown")
    control.get_by_text("Step 2 of").wait_for()
    projector.get_by_role("heading", name="Principles of attuned interaction").wait_for()
    for number in range(3, moment_at + 1):  # the participant's own context, then their moment
        control.keyboard.press("PageDown")
        control.get_by_text(f"Step {number} of").wait_for()
    projector.get_by_role("heading", name="Circle time").wait_for()
    control.keyboard.press("PageUp")
    control.get_by_text(f"Step {moment_at - 1} of").wait_for()
    projector.get_by_role("heading", name="Circle time").wait_for(state="detached")

    # The projector's own window takes the clicker too (its link is the facilitator's).
    projector.keyboard.press("PageDown")
    projector.get_by_role("heading", name="Circle time").wait_for()
    projector.locator("video").wait_for()
    assert workshops.get_workshop(store, workshop.id).playing
    control.reload()
    control.get_by_text(f"Step {moment_at} of").wait_for()
    _wait_for_clicker(control)
    control.keyboard.press(" ")
    projector.wait_for_function("() => document.querySelector('video')?.paused === true")
    assert not workshops.get_workshop(store, workshop.id).playing
    projector.keyboard.press(" ")
    projector.wait_for_function("() => document.querySelector('video')?.paused === false")
    assert workshops.get_workshop(store, workshop.id).playing


def test_captions_typed_on_review_show_on_present(site, open_page):
    store, ana, workshop = site["store"], site["ana"], site["workshop"]
    teacher = open_page(SIZES["desktop"], site["ben"])
    teacher.goto(f"{site['server'].url}/review?clip={site['clip'].id}")
    wait_for_app(teacher)
    open_sections(teacher, "Circle time")  # the moment, drawn by the run its click starts
    teacher.get_by_text("Captions (timed text under the video)").click()
    typed = "0 1.5 Shall we read it <together>?"
    teacher.get_by_label("Captions", exact=True).fill(typed)
    with rerun_of(teacher):
        teacher.get_by_role("button", name="Save captions").click()
    [moment] = moments.list_moments(store, site["ben"].id, site["clip"].id)
    assert "Shall we read it <together>?" in moment.captions, "Save captions kept the words"

    moment_step = next(step for step in workshops.steps(store, workshop.id) if step.kind == "moment")
    workshops.go_to_step(store, ana.id, workshop.id, moment_step.key)
    projector = open_page(SIZES["projector"])
    projector.goto(f"{site['server'].url}/present?w={site['present']}")
    projector.get_by_role("heading", name="Circle time").wait_for()
    projector.wait_for_function(
        """() => [...(document.querySelector('video')?.textTracks || [])].some(track =>
             track.kind === 'captions' && track.mode === 'showing' && track.cues &&
             [...track.cues].some(cue =>
               cue.getCueAsHTML().textContent === 'Shall we read it <together>?'))"""
    )


def test_a_colleague_joins_and_sends_a_reflection_with_only_a_keyboard(site, open_page):
    phone = open_page(SIZES["phone"])
    phone.goto(f"{site['server'].url}/join?code={site['workshop'].join_code}")
    wait_for_app(phone)
    tab_to(phone, "Your name")
    phone.keyboard.type("Fay")
    tab_to(phone, "Join")
    phone.keyboard.press("Enter")
    phone.get_by_label("Your reflection").wait_for()
    wait_for_style(phone)  # a quiet button is underlined: it reads as one to press, not as plain text
    not_fay = phone.get_by_role("button", name="Not Fay? Join with another name")
    assert "underline" in not_fay.evaluate("b => getComputedStyle(b.querySelector('p')).textDecorationLine")
    tab_to(phone, "Your reflection")
    phone.keyboard.type("he waited for her to choose")
    tab_to(phone, "I noticed", backwards=True)  # a sentence starter, put before the words typed
    phone.keyboard.press("Enter")
    box = phone.get_by_label("Your reflection")
    expect(box).to_have_value("I noticed he waited for her to choose")
    announcer = phone.locator("#verp-announcer[aria-live=polite]")
    announcer.wait_for(state="attached")
    said = "() => document.getElementById('verp-announcer').textContent === {!r}"
    phone.wait_for_function(said.format("Your reflection now starts with “I noticed”."))
    tab_to(phone, "Send")
    phone.keyboard.press("Enter")
    phone.get_by_test_id("stAlertContentSuccess").get_by_text("Sent. Thank you.").wait_for()
    phone.wait_for_function(said.format("Sent. Thank you."))
    with site["store"].transaction() as s:
        sent = s.scalars(select(Reflection.text).where(Reflection.author_name == "Fay")).all()
    assert sent == ["I noticed he waited for her to choose"]


@pytest.mark.parametrize("where", ["join", "my_clips"])
def test_on_a_phone_every_stop_of_the_keyboard_is_on_screen(site, open_page, where):
    """The menu is folded away on a phone: its links must not take the focus where nobody can see it
    (WCAG 2.4.7, 2.4.11)."""
    phone = open_page(SIZES["phone"], site["ben"] if where == "my_clips" else None)
    phone.goto(f"{site['server'].url}/{where}")
    wait_for_app(phone)
    wait_for_style(phone)
    assert focus_stops_off_screen(phone) == []
    tab_to(phone, "Expand sidebar")  # opened, the menu is there to use
    phone.keyboard.press("Enter")
    tab_to(phone, "Home")
