"""A facilitator takes the workshop's record away: the PDF and the CSV, downloaded in real Chromium."""

from __future__ import annotations

import pandas as pd
import pytest
from pypdf import PdfReader

from tests.support.browser import open_sections, rerun_of, wait_for_app
from tests.support.summary import NOT_SHOWN, TRICKY, build_workshop
from verp.core.accounts import create_person
from verp.core.config import load_settings
from verp.core.store import Store
from verp.records import summary

PASSPHRASE = "correct horse battery"


@pytest.fixture
def finished_workshop(app_server) -> summary.WorkshopSummary:
    store = Store.open(load_settings(app_server.env))
    try:
        ana = create_person(store, "Ana Teacher", PASSPHRASE)
        ben = create_person(store, "Ben Colleague", "another long passphrase")
        built = build_workshop(store, ana.id, ben.id)
        return summary.workshop_summary(store, built.workshop_id)
    finally:
        store.engine.dispose()


def _open_summary(page, base_url: str) -> None:
    page.goto(base_url + "/sign_in")
    wait_for_app(page)
    form = page.locator('[data-testid="stForm"]').first
    form.get_by_label("Your name").fill("Ana Teacher")
    form.get_by_label("Your passphrase").fill(PASSPHRASE)
    form.get_by_role("button", name="Sign in").click()
    page.get_by_text("Signed in as").wait_for()
    page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name="Summary").click()
    page.wait_for_url("**/summary")
    wait_for_app(page)


@pytest.mark.browser
def test_the_facilitator_downloads_the_summary_pdf_and_the_reflections_csv(
    app_server, browser_page, finished_workshop
):
    page = browser_page
    _open_summary(page, app_server.url)
    open_sections(page, "Moments")
    page.get_by_text("Waiting for Sam").first.wait_for()

    with page.expect_download() as pdf_download:
        page.get_by_role("link", name="Download as PDF").click()
    pdf = pdf_download.value
    assert pdf.suggested_filename == "verp-spring-group-quieter-pupils-2026-03-12.pdf"
    reader = PdfReader(pdf.path())
    text = " ".join("\n".join(p.extract_text() for p in reader.pages).split())  # justified lines: one space
    assert "What the group noticed, by principle" in text and "A warm tone of voice" in text
    assert f"Page 1 of {len(reader.pages)}" in text
    assert sum(len(p.images) for p in reader.pages) == 0  # no stills unless asked
    assert not any(hidden in text for hidden in NOT_SHOWN)

    # The exact CSV, with who wrote what ticked in, round-trips to the summary's own table.
    with rerun_of(page):
        page.get_by_text("Include who wrote each reflection").click()
    with page.expect_download() as csv_download:
        page.get_by_role("link", name="Download for data tools (exact)").click()
    csv = csv_download.value
    assert csv.suggested_filename == "verp-spring-group-quieter-pupils-2026-03-12-exact.csv"
    back = pd.read_csv(csv.path(), dtype=str, keep_default_na=False)
    pd.testing.assert_frame_equal(back, finished_workshop.reflections)
    assert TRICKY in set(back["text"])
