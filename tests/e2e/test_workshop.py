"""The room in real browsers: Control drives Present; a phone joins by code and its reflection shows."""

from __future__ import annotations

import os

import pytest

from tests.e2e.conftest import wait_for_app
from tests.media_fixtures import make_clip
from tests.workshop_fixtures import make_workshop, share_moment
from verp import workshops
from verp.accounts import create_person
from verp.config import load_settings
from verp.store import Store

SHOTS = os.environ.get("VERP_SHOTS")  # a folder: save screenshots there to look at the pages


def shot(page, name: str) -> None:
    if SHOTS:
        wait_for_app(page)
        page.wait_for_timeout(1500)
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


@pytest.fixture
def room(app_server):
    """A facilitator, a colleague who shared one moment (with a real video), and a planned workshop."""
    store = Store.open(load_settings({"VERP_DATA_DIR": str(app_server.data_dir)}))
    ana = create_person(store, "Ana Teacher", "correct horse battery")
    ben = create_person(store, "Ben Colleague", "another long passphrase")
    workshop = make_workshop(store, ana.id, "Autumn group")
    share_moment(
        store, ben.id, workshop.id, "Circle time", note="I waited", share_note=True, video_file="cut.mp4"
    )
    video = workshops.shown_moments(store, workshop.id)[0].video
    video.parent.mkdir(parents=True, exist_ok=True)
    make_clip(video, seconds=3)
    yield workshop
    store.engine.dispose()


def sign_in(page, base_url: str) -> None:
    page.goto(base_url + "/sign_in")
    wait_for_app(page)
    form = page.locator('[data-testid="stForm"]').first
    form.get_by_label("Your name").fill("Ana Teacher")
    form.get_by_label("Your passphrase").fill("correct horse battery")
    form.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/my_clips")
    wait_for_app(page)


@pytest.mark.browser
def test_present_follows_control_and_shows_a_reflection_from_a_phone(app_server, chromium, room):
    control = chromium.new_context(viewport={"width": 1200, "height": 1000}).new_page()
    projector = chromium.new_context(viewport={"width": 1920, "height": 1080}).new_page()
    phone = chromium.new_context(viewport={"width": 390, "height": 844}).new_page()
    for page in (control, projector, phone):
        page.set_default_timeout(20000)

    sign_in(control, app_server.url)
    control.get_by_role("link", name="Control").click()  # same session: no cookie round trip
    wait_for_app(control)
    control.get_by_role("button", name="Open the workshop").click()
    wait_for_app(control)
    href = control.get_by_role("link", name="Open Present (projector)").get_attribute("href")
    shot(control, "control")

    projector.goto(f"{app_server.url}/{href.lstrip('/')}")
    projector.get_by_text(room.join_code).wait_for()
    shot(projector, "present-welcome")

    control.get_by_role("button", name="Next").click()
    projector.get_by_role("heading", name="Principles of attuned interaction").wait_for(timeout=5000)
    for _ in range(2):  # to the first prompt of the moment
        wait_for_app(control)
        control.get_by_role("button", name="Next").click()
    projector.get_by_text("What do you notice that is working?").wait_for(timeout=5000)

    phone.goto(f"{app_server.url}/join?code={room.join_code}")
    wait_for_app(phone)
    phone.get_by_label("Your name (leave empty to stay anonymous, if the workshop allows)").fill("Cara")
    phone.get_by_role("button", name="Join").click()
    phone.get_by_label("Your reflection").fill("She <b>waited</b> for the child to start")
    phone.get_by_role("button", name="Send").click()
    phone.get_by_text("Sent. Thank you.").wait_for()
    shot(phone, "join")

    projector.get_by_text("She <b>waited</b> for the child to start").wait_for(timeout=5000)
    shot(projector, "present-prompt")
