"""Download links styled as buttons: the file is built by the server when the link is fetched.

A plain link needs no page rerun, so a busy room cannot drop the file between the click and the
download (as it could with a download button). The labels live here, in one place, so they are easy to
reword.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

import streamlit as st

from verp.core.store import Store
from verp.records import downloads, export
from verp.records.summary import WorkshopRef
from verp.web_downloads import audit_log_path, download_path, guider_log_path

LABELS = {
    downloads.PDF: export.LABEL_PDF,
    downloads.PDF_WITH_STILLS: export.LABEL_PDF,
    downloads.MARKDOWN: export.LABEL_TEXT,
    downloads.CSV: export.LABEL_SPREADSHEET,
    downloads.CSV_EXACT: export.LABEL_DATA_TOOLS,
    downloads.PERSONAL: "Download my personal summary",
    downloads.PREPARATION: "Download my preparation notes",
    downloads.GUIDER_LOG_PDF: "Download my log (PDF)",
    downloads.GUIDER_LOG_CSV: "Download my log (spreadsheet, CSV)",
    downloads.AUDIT_LOG_CSV: "Download the log (CSV)",
}


def _link(
    store: Store, person_id: int, workshop_id: int, kind: str, ratings: bool = False, authors: bool = False
) -> str:
    href = download_path(store.settings, person_id, workshop_id, downloads.kind_with(kind, ratings, authors))
    return _anchor(href, kind)


def _anchor(href: str, kind: str) -> str:
    text = escape(LABELS[kind])
    return f'<a class="verp-download" href="{escape(href)}" data-kind="{escape(kind)}">{text}</a>'


def summary_links(
    store: Store, person_id: int, workshop_id: int, stills: bool, ratings: bool = False, authors: bool = False
) -> None:
    """PDF, text and the two CSVs of one workshop's summary, side by side; individual ratings and who
    wrote what only when the facilitator ticked them in."""
    kinds = (
        downloads.PDF_WITH_STILLS if stills else downloads.PDF,
        downloads.MARKDOWN,
        downloads.CSV,
        downloads.CSV_EXACT,
    )
    links = "".join(_link(store, person_id, workshop_id, kind, ratings, authors) for kind in kinds)
    st.html(f'<div class="verp-downloads">{links}</div>')


def personal_links(store: Store, person_id: int, workshops: Sequence[WorkshopRef]) -> None:
    """Each workshop a participant took part in, named, with their own summary of it as a PDF: one list,
    one element (a row of elements for each workshop was most of each run of My progress). The names
    are escaped: they are words someone typed."""
    rows = "".join(
        f"<li><span>{escape(w.title)} · {w.held_on:%d %b %Y}</span>"
        f"{_link(store, person_id, w.id, downloads.PERSONAL)}</li>"
        for w in workshops
    )
    st.html(f'<ul class="verp-workshops">{rows}</ul>')


def preparation_link(store: Store, person_id: int, workshop_id: int) -> None:
    """The facilitator's own preparation notes of one workshop, as text: exported only when asked."""
    link = _link(store, person_id, workshop_id, downloads.PREPARATION)
    st.html(f'<div class="verp-downloads">{link}</div>')


def guider_log_links(store: Store, person_id: int) -> None:
    """The guider's own log, as a PDF for a portfolio and as a spreadsheet."""
    links = "".join(_anchor(guider_log_path(store.settings, person_id, k), k) for k in downloads.GUIDER_LOG)
    st.html(f'<div class="verp-downloads">{links}</div>')


def audit_log_link(store: Store, person_id: int) -> None:
    """The audit log as this reader may see it, as a spreadsheet: built, checked and recorded when fetched."""
    link = _anchor(audit_log_path(store.settings, person_id), downloads.AUDIT_LOG_CSV)
    st.html(f'<div class="verp-downloads">{link}</div>')
