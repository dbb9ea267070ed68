"""Downloads while the room is busy: phones send reflections, the projector follows, every file arrives.

A download used to be a file a page built during a run; the room's reruns could drop it before the
browser fetched it. Now a link points at the server, which builds the file when it is fetched.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from tests.support.media import make_clip
from tests.support.waiting import wait_until
from tests.support.workshop import make_workshop, share_moment
from verp.core import sessions
from verp.core.accounts import create_person
from verp.core.config import load_settings
from verp.core.models import AuditEvent, Reflection
from verp.core.store import Store
from verp.ui.session import COOKIE
from verp.web import JOIN_COOKIE
from verp.workshop import workshops

pytestmark = pytest.mark.browser
PHONES = 2
ROUNDS = 5
PDFS_A_ROUND = 4  # twenty in all, as the room benchmark downloads them


@pytest.fixture
def live_room(app_server):
    """A live workshop at its first prompt: Ana facilitates, Ben shared a moment with a real video."""
    store = Store.open(load_settings({"VERP_DATA_DIR": str(app_server.data_dir)}))
    ana = create_person(store, "Ana Teacher", "correct horse battery")
    ben = create_person(store, "Ben Colleague", "another long passphrase")
    workshop = make_workshop(store, ana.id, "Autumn group")
    share_moment(store, ben.id, workshop.id, "Circle time", video_file="cut.mp4")
    video = workshops.shown_moments(store, workshop.id)[0].cut
    video.parent.mkdir(parents=True, exist_ok=True)
    make_clip(video, seconds=3)
    workshops.open_workshop(store, ana.id, workshop.id)
    first_prompt = next(s for s in workshops.steps(store, workshop.id) if s.kind == "prompt")
    workshop = workshops.go_to_step(store, ana.id, workshop.id, first_prompt.key)  # the group's first prompt
    yield workshop, ana, ben, store
    store.engine.dispose()


def _signed_in(chromium, url: str, store: Store, person):
    context = chromium.new_context(viewport={"width": 1300, "height": 1000})
    context.add_cookies([{"name": COOKIE, "value": sessions.issue_token(store, person.id), "url": url}])
    page = context.new_page()
    page.set_default_timeout(60000)
    return page


def _phone(chromium):
    page = chromium.new_context(viewport={"width": 390, "height": 844}).new_page()
    page.set_default_timeout(60000)
    return page


def _join_and_send(phone, url: str, code: str, name: str, text: str) -> None:
    """Open the join link and send one reflection, without waiting for the answer: the phone's rerun
    overlaps the download that follows. Each round opens the link afresh, as a phone that reopened the
    QR would: the first time it joins; then it is back in the room by the place its browser kept."""
    phone.goto(f"{url}/join?code={code}")
    name_box = phone.get_by_label("Your name (leave empty to stay anonymous, if the workshop allows)")
    if not _kept_a_place(phone):
        name_box.fill(name)
        phone.get_by_role("button", name="Join").click()
        wait_until(lambda: _kept_a_place(phone), timeout=60, failure="the phone's browser kept no place")
    form = phone.get_by_test_id("stForm").filter(has=phone.get_by_role("button", name="Send"))
    form.get_by_label("Your reflection").fill(text)
    form.get_by_role("button", name="Send").click()


def _kept_a_place(phone) -> bool:
    return any(c["name"] == JOIN_COOKIE for c in phone.context.cookies())


def _reflections(store: Store, workshop_id: int) -> int:
    with store.transaction() as s:
        return s.scalar(
            select(func.count()).select_from(Reflection).where(Reflection.workshop_id == workshop_id)
        )


def _wait_for_reflections(store: Store, workshop_id: int, count: int, timeout_s: float = 60) -> None:
    wait_until(
        lambda: _reflections(store, workshop_id) >= count, timeout_s, "the phones' reflections never arrived"
    )
    assert _reflections(store, workshop_id) == count


def _download(page, name: str):
    with page.expect_download(timeout=90000) as info:
        page.get_by_role("link", name=name).click(timeout=90000)
    download = info.value
    assert download.failure() is None
    return download


def test_the_pdf_downloads_twenty_times_in_a_row_while_phones_send_reflections(
    app_server, chromium, live_room
):
    workshop, ana, ben, store = live_room
    facilitator = _signed_in(chromium, app_server.url, store, ana)
    facilitator.goto(app_server.url + "/summary")
    facilitator.get_by_role("link", name="Download as PDF").wait_for()
    projector = chromium.new_context(viewport={"width": 1920, "height": 1080}).new_page()
    projector.set_default_timeout(60000)
    projector.goto(f"{app_server.url}/present?w={workshops.present_token(store, ana.id, workshop.id)}")
    projector.get_by_text("What do you notice that is working?").wait_for()
    phones = [_phone(chromium) for _ in range(PHONES)]

    for round_ in range(ROUNDS):
        for n, phone in enumerate(phones):
            text = f"Round {round_}: phone {n} saw a warm wait"
            _join_and_send(phone, app_server.url, workshop.join_code, f"Phone {n}", text)
        for _ in range(PDFS_A_ROUND):
            pdf = _download(facilitator, "Download as PDF")
            assert pdf.suggested_filename.endswith(".pdf")
            reader = PdfReader(pdf.path())  # a whole, valid PDF: pypdf reads it to the end
            assert "Autumn group" in reader.pages[0].extract_text()
        for n, phone in enumerate(phones):
            phone.get_by_text(f"Round {round_}: phone {n} saw a warm wait").first.wait_for()
    _wait_for_reflections(store, workshop.id, ROUNDS * PHONES)

    markdown = _download(facilitator, "Download as text")
    assert markdown.suggested_filename.endswith(".md")
    assert r"Round 4\: phone 1 saw a warm wait" in Path(markdown.path()).read_text(encoding="utf-8")
    csv = _download(facilitator, "Download for a spreadsheet")
    table = pd.read_csv(csv.path(), dtype=str, keep_default_na=False)
    assert len(table) == ROUNDS * PHONES

    teacher = _signed_in(chromium, app_server.url, store, ben)
    teacher.goto(app_server.url + "/my_progress")
    personal = _download(teacher, "Download my personal summary")
    assert personal.suggested_filename.endswith("-my-summary.pdf")
    assert "Circle time" in "\n".join(p.extract_text() for p in PdfReader(personal.path()).pages)

    with store.transaction() as s:
        recorded = list(s.scalars(select(AuditEvent.detail).where(AuditEvent.action == "download_summary")))
    pdfs = ["pdf"] * ROUNDS * PDFS_A_ROUND
    assert sorted(recorded) == sorted([*pdfs, "markdown", "csv", "personal summary (pdf)"])
