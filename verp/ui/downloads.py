"""Download links styled as buttons: the file is built by the server when the link is fetched.

A plain link needs no page rerun, so a busy room cannot drop the file between the click and the
download (as it could with a download button). The labels live here, in one place, so they are easy to
reword.
"""

from __future__ import annotations

from html import escape

import streamlit as st

from verp.core.store import Store
from verp.records import downloads
from verp.web_downloads import download_path

LABELS = {
    downloads.PDF: "Download as PDF",
    downloads.PDF_WITH_STILLS: "Download as PDF",
    downloads.MARKDOWN: "Download as Markdown",
    downloads.CSV: "Download reflections (CSV)",
    downloads.CSV_EXACT: "Download reflections (exact CSV)",
    downloads.PERSONAL: "Download my personal summary",
}


def _link(store: Store, person_id: int, workshop_id: int, kind: str, label: str | None = None) -> str:
    href = download_path(store.settings, person_id, workshop_id, kind)
    text = escape(label or LABELS[kind])
    return f'<a class="verp-download" href="{escape(href)}" data-kind="{escape(kind)}">{text}</a>'


def summary_links(store: Store, person_id: int, workshop_id: int, stills: bool) -> None:
    """PDF, Markdown and CSV of one workshop's summary, side by side."""
    kinds = (
        downloads.PDF_WITH_STILLS if stills else downloads.PDF,
        downloads.MARKDOWN,
        downloads.CSV,
        downloads.CSV_EXACT,
    )
    links = "".join(_link(store, person_id, workshop_id, kind) for kind in kinds)
    st.html(f'<div class="verp-downloads">{links}</div>')


def personal_link(store: Store, person_id: int, workshop_id: int) -> None:
    """A participant's own summary of one workshop, as a PDF."""
    st.html(f'<div class="verp-downloads">{_link(store, person_id, workshop_id, downloads.PERSONAL)}</div>')
