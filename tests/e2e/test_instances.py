"""Several instances of the app on one data folder and database, a busy room, and a restart mid-workshop.

Nothing the room sees may live only in one process's memory: Present on one server must follow Control and
phones on another, every reflection sent in a rush must be stored exactly once, and a projector must come
back to the same step after the server restarts.

With ``VERP_TEST_DATABASE_URL`` set (PostgreSQL), the room and both servers use the test's own schema on
that server instead of the SQLite file in the data folder.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.support.browser import (
    _IDLE,
    AppServer,
    open_sections,
    server_env,
    sign_up,
    start_app,
    wait_for_app,
)
from tests.support.waiting import wait_until
from tests.support.workshop import go_to_index, make_workshop, share_moment, step_index
from verp.core.accounts import create_person
from verp.core.config import load_settings
from verp.core.models import Reflection
from verp.core.store import Store
from verp.workshop import workshops

pytestmark = pytest.mark.browser


def sent_item(phone, words: str):
    """A reflection listed under "What you sent": its words, then where it is on a line of its own."""
    return phone.locator("span").get_by_text(re.compile(rf"^{re.escape(words)}\s+— "))


PROJECTOR = {"width": 1920, "height": 1080}
PHONE = {"width": 390, "height": 844}
FOLLOW = 45000  # ms: a screen following the room on a busy machine (the latency figure is the room bench's)
FIRST_PROMPT = "What do you notice that is working?"
SECOND_PROMPT = "Which principle is that?"
NAME_LABEL = "Your name (leave empty to stay anonymous, if the workshop allows)"


class Room:
    """A facilitator, a colleague's shared moment and a live workshop on its first prompt."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.store = Store.open(load_settings(server_env(data_dir)))
        ana = create_person(self.store, "Ana Teacher", "correct horse battery")
        ben = create_person(self.store, "Ben Colleague", "another long passphrase")
        workshop = make_workshop(self.store, ana.id, "Autumn group")
        share_moment(self.store, ben.id, workshop.id, "Circle time")
        workshops.open_workshop(self.store, ana.id, workshop.id)
        self.workshop = go_to_index(self.store, ana.id, workshop.id, 5)  # the group's first prompt
        self.facilitator = ana
        self.present_path = f"/present?w={workshops.present_token(self.store, ana.id, workshop.id)}"

    def stored_texts(self) -> list[str]:
        with self.store.transaction() as s:
            return list(s.scalars(select(Reflection.text).where(Reflection.workshop_id == self.workshop.id)))

    def current_step(self) -> int:
        return step_index(self.store, self.workshop.id)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    return folder


@pytest.fixture
def room(data_dir: Path, chromium):  # chromium first: it skips the test when there is no browser
    room = Room(data_dir)
    yield room
    room.store.engine.dispose()


@pytest.fixture
def two_servers(room: Room):
    servers = [start_app(room.data_dir) for _ in range(2)]
    yield servers
    for server in servers:
        server.stop()


def new_page(chromium, viewport: dict, context=None):
    page = (context or chromium.new_context(viewport=viewport)).new_page()
    page.set_default_timeout(20000)
    return page


def join(page, server: AppServer, code: str, name: str) -> None:
    page.goto(f"{server.url}/join?code={code}")
    wait_for_app(page)
    page.get_by_label(NAME_LABEL).fill(name)
    page.get_by_role("button", name="Join").click()
    page.get_by_label("Your reflection").wait_for()


def sign_in(page, server: AppServer) -> None:
    page.goto(server.url + "/sign_in")
    wait_for_app(page)
    form = page.locator('[data-testid="stForm"]').first
    form.get_by_label("Your name").fill("Ana Teacher")
    form.get_by_label("Your passphrase").fill("correct horse battery")
    form.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/my_clips")
    wait_for_app(page)


def test_present_on_one_server_follows_phones_and_control_on_another(chromium, room, two_servers):
    a, b = two_servers
    projector = new_page(chromium, PROJECTOR)
    projector.goto(a.url + room.present_path)
    projector.get_by_role("heading", name=FIRST_PROMPT).wait_for()

    phone = new_page(chromium, PHONE)
    join(phone, b, room.workshop.join_code, "Cara")
    phone.get_by_label("Your reflection").fill("Cara saw the child lead the game")
    phone.get_by_role("button", name="Send").click()
    phone.get_by_test_id("stMain").get_by_text("Sent. Thank you.").wait_for()
    projector.get_by_text("Cara saw the child lead the game").wait_for(timeout=FOLLOW)

    control = new_page(chromium, {"width": 1200, "height": 1000})
    sign_in(control, b)
    control.get_by_role("link", name="Control").click()
    wait_for_app(control)
    control.get_by_text("Step 6 of").wait_for()  # the group's first prompt (index 5)
    control.get_by_role("button", name="Next").click()
    projector.get_by_role("heading", name=SECOND_PROMPT).wait_for(timeout=FOLLOW)
    assert room.current_step() == 6
    # The phone on B was told too (its prompt panel asks the database every 3 s).
    phone.get_by_text(SECOND_PROMPT).wait_for(timeout=FOLLOW)


def test_six_phones_sending_at_once_store_each_reflection_once_and_all_show(chromium, room, two_servers):
    """Six phones, half on each server, send three reflections each, all in flight together."""
    a, b = two_servers
    projector = new_page(chromium, PROJECTOR)
    projector.goto(a.url + room.present_path)
    projector.get_by_role("heading", name=FIRST_PROMPT).wait_for()

    phones = chromium.new_context(viewport=PHONE)  # one browser context: six tabs, six sessions
    pages = [new_page(chromium, PHONE, phones) for _ in range(6)]
    for i, page in enumerate(pages):  # all six load and join together
        page.goto(f"{(a, b)[i % 2].url}/join?code={room.workshop.join_code}", wait_until="commit")
    for page in pages:  # the link from the QR fills in the code; no name: the workshop allows anonymous
        page.get_by_role("button", name="Join").click()
    for page in pages:
        expect(page.get_by_label("Your reflection")).to_have_count(1, timeout=20000)

    started = time.monotonic()
    texts = []
    for round_ in range(3):
        for i, page in enumerate(pages):  # type on every phone, then press Send on all of them at once
            text = f"Phone {i} noticed thing {round_}"
            texts.append(text)
            page.get_by_label("Your reflection").fill(text)
        for page in pages:
            page.get_by_role("button", name="Send").click()
        for i, page in enumerate(pages):  # each sees its reflection listed under "What you sent"...
            sent = sent_item(page, f"Phone {i} noticed thing {round_}")
            expect(sent).to_be_visible(timeout=20000)
            form = page.get_by_label("Your reflection")  # ...and one fresh, empty form to send the next
            expect(form).to_have_count(1, timeout=30000)  # the sent form leaves when the rerun finishes
            expect(form).to_have_value("", timeout=30000)
    sent_in = time.monotonic() - started

    stored = room.stored_texts()
    assert sorted(stored) == sorted(texts), f"stored {len(stored)} of {len(texts)}"
    wall = projector.locator(".verp-note")
    expect(wall).to_have_count(len(texts), timeout=6000)
    shown = sorted(wall.all_inner_texts())
    assert shown == sorted(texts)
    print(f"eighteen reflections sent and confirmed in {sent_in:.1f} s")  # the figure: bench/room_bench.py


def _restart(server: AppServer, kill: bool) -> AppServer:
    server.stop(kill=kill)
    return start_app(server.data_dir, port=server.port)


@pytest.mark.parametrize("kill", [False, True], ids=["stopped", "killed"])
def test_present_shows_the_same_step_after_the_server_restarts(chromium, room, kill):
    go_to_index(room.store, room.facilitator.id, room.workshop.id, 6)  # the second prompt
    server = start_app(room.data_dir)
    try:
        context = chromium.new_context(viewport=PROJECTOR)
        projector, untouched = (new_page(chromium, PROJECTOR, context) for _ in range(2))
        for page in (projector, untouched):
            page.goto(server.url + room.present_path)
            page.get_by_role("heading", name=SECOND_PROMPT).wait_for()

        server = _restart(server, kill)
        # Someone pressing reload on the projector gets a fresh run showing the same step as before.
        projector.reload()
        projector.get_by_role("heading", name=SECOND_PROMPT).wait_for(timeout=FOLLOW)
        # Both tabs follow Control after the restart; the untouched one reconnected by itself (Streamlit's
        # frontend retries the socket and runs the page again), so it is not a stale screen.
        workshops.step_by(room.store, room.facilitator.id, room.workshop.id, 1)
        third = "What might the child be thinking or feeling?"
        for page in (projector, untouched):
            page.get_by_role("heading", name=third).wait_for(timeout=FOLLOW)
            assert page.get_by_role("heading", name=SECOND_PROMPT).count() == 0
        # A fresh tab opened from the same link shows it too.
        fresh = new_page(chromium, PROJECTOR, context)
        fresh.goto(server.url + room.present_path)
        fresh.get_by_role("heading", name=third).wait_for(timeout=FOLLOW)
    finally:
        server.stop()


def test_a_signed_in_tab_reloaded_after_a_restart_is_still_signed_in(browser_page, tmp_path):
    """The same tab, reloaded after a restart, is signed in again by its HttpOnly session cookie, which
    names a session kept in the database (on PostgreSQL when the suite runs there)."""
    page = browser_page
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    server = start_app(data_dir)
    try:
        sign_up(page, server.url)
        cookie = next(c for c in page.context.cookies() if c["name"] == "verp_session")
        assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
        page.get_by_text("No clips yet").first.wait_for()
        server = _restart(server, kill=False)
        page.reload()
        wait_for_app(page)
        page.get_by_text("No clips yet").first.wait_for(timeout=FOLLOW)
        assert page.get_by_text("Please sign in first").count() == 0
    finally:
        server.stop()


@pytest.mark.parametrize("kill", [False, True], ids=["stopped", "killed"])
def test_a_phone_is_back_in_the_room_as_itself_after_the_server_restarts(chromium, room, kill):
    """A restart mid-workshop loses a phone nothing: the tab left alone reconnects, and a reload or the
    QR's link opened again comes back, into the same room as the same person, with what they sent."""
    server = start_app(room.data_dir)
    try:
        phones = chromium.new_context(viewport=PHONE)
        phone = new_page(chromium, PHONE, phones)
        join(phone, server, room.workshop.join_code, "Cara")
        phone.get_by_label("Your reflection").fill("Cara saw the child lead the game")
        phone.get_by_role("button", name="Send").click()
        phone.get_by_test_id("stMain").get_by_text("Sent. Thank you.").wait_for()
        kept = lambda: any(c["name"] == "verp_joined" and c["httpOnly"] for c in phones.cookies())  # noqa: E731
        wait_until(kept, timeout=20, failure="the browser never kept the phone's place")

        server = _restart(server, kill)
        phone.get_by_text("You are in as Cara.").wait_for(timeout=FOLLOW)  # reconnected by itself
        phone.reload()
        phone.get_by_text("You are in as Cara.").wait_for(timeout=FOLLOW)
        sent_item(phone, "Cara saw the child lead the game").wait_for()
        again = new_page(chromium, PHONE, phones)  # the QR scanned again: a new tab of the same browser
        again.goto(f"{server.url}/join?code={room.workshop.join_code}")
        again.get_by_text("You are in as Cara.").wait_for(timeout=FOLLOW)

        # Someone else on the same device joins as themselves.
        again.get_by_role("button", name="Not Cara? Join with another name").click()
        again.get_by_label(NAME_LABEL).fill("Dev")
        again.get_by_role("button", name="Join").click()
        again.get_by_text("You are in as Dev.").wait_for()
    finally:
        server.stop()


@pytest.mark.parametrize("kill", [False, True], ids=["stopped", "killed"])
def test_words_typed_on_a_phone_but_not_sent_are_sent_with_send_after_a_restart(chromium, room, kill):
    """The tab left alone reconnects to the new server with the same form, words and all."""
    server = start_app(room.data_dir)
    try:
        phone = new_page(chromium, PHONE)
        join(phone, server, room.workshop.join_code, "Cara")
        phone.get_by_label("Your reflection").fill("Cara saw the child wait for")
        server.stop(kill=kill)
        phone.wait_for_function(f"() => !({_IDLE})()")  # the tab has seen the server go
        server = start_app(server.data_dir, port=server.port)
        phone.wait_for_function(_IDLE, timeout=FOLLOW)  # and has connected to the new one
        box = phone.get_by_label("Your reflection")
        expect(box).to_have_value("Cara saw the child wait for")
        box.press_sequentially(" her turn")
        phone.get_by_role("button", name="Send").click()
        phone.get_by_test_id("stMain").get_by_text("Sent. Thank you.").wait_for(timeout=FOLLOW)
        assert room.stored_texts() == ["Cara saw the child wait for her turn"]
        expect(phone.get_by_label("Your reflection")).to_have_value("")  # a fresh form for the next
    finally:
        server.stop()


def test_words_typed_on_control_but_not_added_are_added_after_a_restart(chromium, room):
    """Control's forms keep their keys across a restart (after a first reflection added, too)."""
    server = start_app(room.data_dir)
    try:
        control = new_page(chromium, {"width": 1200, "height": 1000})
        sign_in(control, server)
        control.get_by_role("link", name="Control").click()
        wait_for_app(control)
        open_sections(control, "Type what the group says")
        box = control.get_by_label("Write a reflection for the group")
        box.fill("The group saw a shared smile")
        control.get_by_role("button", name="Add to the wall").click()
        first = ["The group saw a shared smile"]
        wait_until(lambda: room.stored_texts() == first, timeout=20, failure="the first was never added")
        expect(box).to_have_value("")
        box.fill("The group saw the child")
        server.stop()
        control.wait_for_function(f"() => !({_IDLE})()")  # the tab has seen the server go
        server = start_app(server.data_dir, port=server.port)
        control.wait_for_function(_IDLE, timeout=FOLLOW)  # and has connected to the new one
        expect(box).to_have_value("The group saw the child")
        box.press_sequentially(" lead")
        control.get_by_role("button", name="Add to the wall").click()
        two = lambda: len(room.stored_texts()) == 2  # noqa: E731
        wait_until(two, timeout=FOLLOW / 1000, failure="the second was never added")
        assert sorted(room.stored_texts()) == ["The group saw a shared smile", "The group saw the child lead"]
    finally:
        server.stop()
