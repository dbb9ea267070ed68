"""A summary as a file, built when its link is fetched and only for whoever may still have it.

A download is asked for by kind (PDF, Markdown, CSV, or a participant's own summary) for one workshop
and one person. Whether that person may have it is decided against the database at that moment, not when
the link was drawn: a facilitator who handed the workshop on, or a workshop deleted since, gets nothing.
Every file handed out is noted in the audit log, in the same unit of work as the check.
"""

from __future__ import annotations

from dataclasses import dataclass

from verp.core.errors import VerpError
from verp.core.models import Workshop
from verp.core.store import Store
from verp.records import export, summary

PDF = "pdf"
PDF_WITH_STILLS = "pdf-stills"
MARKDOWN = "md"
CSV = "csv"
CSV_EXACT = "csv-exact"
PERSONAL = "personal"
KINDS = (PDF, PDF_WITH_STILLS, MARKDOWN, CSV, CSV_EXACT, PERSONAL)
AUDIT_DETAIL = {
    PDF: "pdf",
    PDF_WITH_STILLS: "pdf with stills",
    MARKDOWN: "markdown",
    CSV: "csv",
    CSV_EXACT: "csv exact",
    PERSONAL: "personal summary (pdf)",
}


class DownloadError(VerpError):
    """A download that cannot be given, worded for the person at the screen."""


class WorkshopGone(DownloadError):
    """The workshop was deleted after the link was drawn."""


@dataclass(frozen=True)
class DownloadFile:
    name: str  # a safe ASCII file name: ``verp-<title>-<date>.<ext>``
    media_type: str
    body: bytes


def build_download(store: Store, person_id: int, workshop_id: int, kind: str) -> DownloadFile:
    """The file of ``kind`` for ``person_id``, if they may have it now; recorded in the audit log."""
    if kind not in KINDS:
        raise DownloadError("There is no such download.")
    with store.transaction() as s:
        if s.get(Workshop, workshop_id) is None:
            raise WorkshopGone("That workshop no longer exists, so there is nothing to download.")
    try:
        if kind == PERSONAL:
            file = _personal(store, person_id, workshop_id)
        else:
            file = _group(store, person_id, workshop_id, kind)
    except summary.SummaryError as exc:
        raise DownloadError(str(exc)) from exc
    summary.record_download(store, person_id, workshop_id, AUDIT_DETAIL[kind])
    return file


def _group(store: Store, person_id: int, workshop_id: int, kind: str) -> DownloadFile:
    """The whole workshop's summary: for its facilitator only (checked by ``facilitator_summary``)."""
    result = summary.facilitator_summary(store, person_id, workshop_id)
    if kind == MARKDOWN:
        body, ext, media_type = export.summary_markdown(result).encode(), "md", "text/markdown; charset=utf-8"
    elif kind in (CSV, CSV_EXACT):
        exact = kind == CSV_EXACT  # as typed, for data tools; the default keeps spreadsheets safe
        body, ext, media_type = export.reflections_csv(result, exact=exact), "csv", "text/csv; charset=utf-8"
        return DownloadFile(
            export.file_name(result.title, result.held_on, ext, "exact" if exact else ""), media_type, body
        )
    else:
        body, ext, media_type = export.summary_pdf(result, kind == PDF_WITH_STILLS), "pdf", "application/pdf"
    return DownloadFile(export.file_name(result.title, result.held_on, ext), media_type, body)


def _personal(store: Store, person_id: int, workshop_id: int) -> DownloadFile:
    """One participant's own part: ``personal_summary`` refuses anyone who did not take part."""
    mine = summary.personal_summary(store, workshop_id, person_id)
    name = export.file_name(mine.title, mine.held_on, "pdf", "my summary")
    return DownloadFile(name, "application/pdf", export.personal_pdf(mine))
