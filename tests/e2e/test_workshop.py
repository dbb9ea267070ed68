"""The room in real browsers: Control drives Present; a phone joins by code and its reflection shows."""

from __future__ import annotations

import os

import pytest

from tests.support.browser import wait_for_app
from tests.support.media import make_clip
from tests.support.workshop import go_to_index, make_workshop, share_moment
from verp.core import sessions
from verp.core.accounts import create_person
from verp.core.config import load_settings
from verp.core.store import Store
from verp.web import SESSION_COOKIE as COOKIE
from verp.workshop import workshops

SHOTS = os.environ.get("VERP_SHOTS")  # a folder: save screenshots there to look at the pages
# Fonts loaded, images drawn and any video showing a frame: what a screenshot should catch.
SETTLED = """() => document.fonts.status === 'loaded'
  && [...document.images].every(i => i.complete)
  && [...document.querySelectorAll('video')].every(v => v.readyState >= 2)"""


def shot(page, name: str) -> None:
    if SHOTS:
        wait_for_app(page)
        page.wait_for_function(SETTLED)
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


@pytest.fixture
def room(app_server):
    """A facilitator, a colleague who shared one moment (with a real video), and an open workshop."""
    store = Store.open(load_settings(app_server.env))
    ana = create_person(store, "Ana Teacher", "correct horse battery")
    ben = create_person(store, "Ben Colleague", "another long passphrase")
    workshop = make_workshop(store, ana.id, "Autumn group")
    share_moment(
        store, ben.id, workshop.id, "Circle time", note="I waited", share_note=True, video_file="cut.mp4"
    )
    video = workshops.shown_moments(store, workshop.id)[0].cut
    video.parent.mkdir(parents=True, exist_ok=True)
    make_clip(video, seconds=3)
    workshop = workshops.open_workshop(store, ana.id, workshop.id)
    yield workshop, ana, store
    store.engine.dispose()


def signed_in_context(chromium, url: str, store: Store, person, **options):
    """A browser already signed in as ``person``: the app's own signed cookie, without the sign-in page."""
    context = chromium.new_context(**options)
    context.add_cookies([{"name": COOKIE, "value": sessions.issue_token(store, person.id), "url": url}])
    return context


@pytest.mark.browser
def test_present_follows_control_and_shows_a_reflection_from_a_phone(app_server, chromium, room):
    workshop, ana, store = room
    big = {"width": 1200, "height": 1000}
    control = signed_in_context(chromium, app_server.url, store, ana, viewport=big).new_page()
    projector = chromium.new_context(viewport={"width": 1920, "height": 1080}).new_page()
    phone = chromium.new_context(viewport={"width": 390, "height": 844}).new_page()
    for page in (control, projector, phone):
        page.set_default_timeout(20000)

    control.goto(app_server.url + "/control")
    wait_for_app(control)
    href = control.get_by_role("link", name="Open Present (projector)").get_attribute("href")
    shot(control, "control")

    projector.goto(f"{app_server.url}/{href.lstrip('/')}")
    projector.get_by_text(workshop.join_code).wait_for()
    shot(projector, "present-welcome")

    control.get_by_role("button", name="Next").click()
    projector.get_by_role("heading", name="Principles of attuned interaction").wait_for(timeout=20000)
    control.context.close()  # its live timer and queue need not keep a busy test machine busier
    go_to_index(store, ana.id, workshop.id, 5)  # the first prompt of the moment (after the owner speaks)
    projector.get_by_text("What do you notice that is working?").wait_for(timeout=20000)
    projector.wait_for_function(
        "() => { const v = document.querySelector('video'); return v && v.readyState >= 1 }"
    )
    src = projector.evaluate("() => document.querySelector('video').currentSrc")
    assert "/api/media/" in src  # streamed by signed URL: any instance can serve the room

    phone.goto(f"{app_server.url}/join?code={workshop.join_code}")
    wait_for_app(phone)
    phone.get_by_label("Your name (leave empty to stay anonymous, if the workshop allows)").fill("Cara")
    phone.get_by_role("button", name="Join").click()
    wait_for_app(phone)
    phone.get_by_label("Your reflection").fill("She <b>waited</b> for the child to start")
    phone.get_by_role("button", name="Send").click()
    phone.get_by_test_id("stMain").get_by_text("Sent. Thank you.").wait_for()
    shot(phone, "join")

    projector.get_by_text("She <b>waited</b> for the child to start").wait_for(timeout=20000)
    shot(projector, "present-prompt")
