"""A summary as a file, built when its link is fetched and only for whoever may still have it.

A download is asked for by kind (PDF, Markdown, CSV, or a participant's own summary) for one workshop
and one person. Whether that person may have it is decided against the database at that moment, not when
the link was drawn: a facilitator who handed the workshop on, or a workshop deleted since, gets nothing.
Every file handed out is noted in the audit log, in the same unit of work as the check.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import partial

from verp.core import accounts, audit
from verp.core.errors import VerpError
from verp.core.models import Workshop
from verp.core.store import Store
from verp.records import export, guider_log, summary
from verp.room.shown import shown_moments
from verp.workshop import preparation
from verp.workshop.workshops import WorkshopError, get_workshop

PDF = "pdf"
PDF_WITH_STILLS = "pdf-stills"
MARKDOWN = "md"
CSV = "csv"
CSV_EXACT = "csv-exact"
PERSONAL = "personal"
PREPARATION = "preparation"  # the facilitator's own preparation notes: only when they ask for them
GUIDER_LOG_PDF, GUIDER_LOG_CSV = "guider-log-pdf", "guider-log-csv"  # a guider's own log: no workshop
GUIDER_LOG = (GUIDER_LOG_PDF, GUIDER_LOG_CSV)
AUDIT_LOG_CSV = "audit-log-csv"  # the audit log as its reader may see it: no workshop
KINDS = (PDF, PDF_WITH_STILLS, MARKDOWN, CSV, CSV_EXACT, PERSONAL, PREPARATION, *GUIDER_LOG, AUDIT_LOG_CSV)
NO_WORKSHOP = 0  # the workshop id in the link of a file that belongs to no workshop
# Ticked in by the facilitator: each person's ratings, who wrote each reflection (``pdf+ratings+authors``).
RATINGS, AUTHORS = "ratings", "authors"


def kind_with(kind: str, ratings: bool = False, authors: bool = False) -> str:
    """A group kind with what the facilitator ticked in, as one string a signed link can carry."""
    return "+".join([kind] + [RATINGS] * bool(ratings) + [AUTHORS] * bool(authors))


def split_kind(kind: str) -> tuple[str, bool, bool] | None:
    """``(kind, ratings, authors)``, or None for anything that is not a kind this app makes."""
    base, *extras = str(kind).split("+")
    if (
        base not in KINDS
        or any(e not in (RATINGS, AUTHORS) for e in extras)
        or len(set(extras)) < len(extras)
    ):
        return None
    if extras and base in (PERSONAL, PREPARATION, *GUIDER_LOG, AUDIT_LOG_CSV):
        return None
    return base, RATINGS in extras, AUTHORS in extras


AUDIT_DETAIL = {
    PDF: "pdf",
    PDF_WITH_STILLS: "pdf with stills",
    MARKDOWN: "markdown",
    CSV: "csv",
    CSV_EXACT: "csv exact",
    PERSONAL: "personal summary (pdf)",
    PREPARATION: "preparation notes (text)",
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
    parts = split_kind(kind)
    if parts is None:
        raise DownloadError("There is no such download.")
    kind, ratings, authors = parts
    if kind in GUIDER_LOG:
        return _guider_log(store, person_id, kind)
    if kind == AUDIT_LOG_CSV:
        return _audit_log(store, person_id)
    with store.transaction() as s:
        if s.get(Workshop, workshop_id) is None:
            raise WorkshopGone("That workshop no longer exists, so there is nothing to download.")
    try:
        if kind == PERSONAL:
            file = _personal(store, person_id, workshop_id)
        elif kind == PREPARATION:
            file = _preparation(store, person_id, workshop_id)
        else:
            file = _group(store, person_id, workshop_id, kind, ratings, authors)
    except (summary.SummaryError, WorkshopError) as exc:
        raise DownloadError(str(exc)) from exc
    detail = AUDIT_DETAIL[kind] + (" with ratings" if ratings else "") + (" with authors" if authors else "")
    summary.record_download(store, person_id, workshop_id, detail)
    return file


def _group(
    store: Store, person_id: int, workshop_id: int, kind: str, ratings: bool, authors: bool
) -> DownloadFile:
    """The whole workshop's summary: for its facilitator only (checked by ``facilitator_summary``);
    individual ratings and authors only when the facilitator ticked them in."""
    result = summary.facilitator_summary(store, person_id, workshop_id)
    name = partial(export.file_name, result.title, result.held_on)
    if kind == MARKDOWN:
        text = export.summary_markdown(result, include_ratings=ratings, include_authors=authors)
        return DownloadFile(name("md"), "text/markdown; charset=utf-8", text.encode())
    if kind in (CSV, CSV_EXACT):
        exact = kind == CSV_EXACT  # as typed, for data tools; the default keeps spreadsheets safe
        body = export.reflections_csv(result, exact=exact, include_authors=authors)
        return DownloadFile(name("csv", "exact" if exact else ""), "text/csv; charset=utf-8", body)
    stills = kind == PDF_WITH_STILLS
    body = export.summary_pdf(result, stills, include_ratings=ratings, include_authors=authors)
    return DownloadFile(name("pdf"), "application/pdf", body)


def _personal(store: Store, person_id: int, workshop_id: int) -> DownloadFile:
    """One participant's own part: ``personal_summary`` refuses anyone who did not take part."""
    mine = summary.personal_summary(store, workshop_id, person_id)
    name = export.file_name(mine.title, mine.held_on, "pdf", "my summary")
    return DownloadFile(name, "application/pdf", export.personal_pdf(mine))


def _preparation(store: Store, person_id: int, workshop_id: int) -> DownloadFile:
    """The facilitator's private preparation notes, moment by moment, as text (Markdown, escaped): for
    the facilitator only (``preparations`` checks), and only those of moments still shared."""
    notes = preparation.preparations(store, person_id, workshop_id)
    workshop = get_workshop(store, workshop_id)
    lines = [
        f"# Preparation notes: {export.escape_markdown(workshop.title)} ({workshop.held_on:%d %B %Y})",
        "",
        "Private to the facilitator: not shown on the projector, not part of the workshop's summary.",
    ]
    for moment in shown_moments(store, workshop_id):
        done = notes.get(moment.moment_id)
        lines += [
            "",
            f"## {export.escape_markdown(moment.title)} ({export.escape_markdown(moment.owner_name)})",
        ]
        if done is None:
            lines += ["", "Not prepared yet."]
            continue
        if done.with_participant:
            lines += ["", "Prepared with the participant."]
        lines += ["", export.escape_markdown(done.note) if done.note else "(No notes.)"]
    name = export.file_name(workshop.title, workshop.held_on, "md", "preparation")
    return DownloadFile(name, "text/markdown; charset=utf-8", ("\n".join(lines) + "\n").encode())


def _guider_log(store: Store, person_id: int, kind: str) -> DownloadFile:
    """The guider's own log for their portfolio, participants by code: for a facilitator only, as the
    Guider's log page shows it; recorded as that page always did."""
    person = accounts.get_person(store, person_id)
    if person is None or not person.is_facilitator:
        raise DownloadError("The guider's log belongs to facilitators; this one is not yours to download.")
    entries = guider_log.my_log(store, person_id)
    stamp = date.today().isoformat()
    if kind == GUIDER_LOG_CSV:
        file = DownloadFile(
            f"verp-guiders-log-{stamp}.csv", "text/csv; charset=utf-8", guider_log.log_csv(entries)
        )
    else:
        body = guider_log.log_pdf(entries, person.display_name)
        file = DownloadFile(f"verp-guiders-log-{stamp}.pdf", "application/pdf", body)
    guider_log.record_export(store, person_id, "csv" if kind == GUIDER_LOG_CSV else "pdf")
    return file


def _audit_log(store: Store, person_id: int) -> DownloadFile:
    """The audit log as its reader may see it when the link is fetched (a facilitator: their workshops
    and their own actions; an administrator: all of it), up to ``audit.DOWNLOAD_ROWS`` entries, spreadsheet
    safe. Taking it away is itself recorded."""
    try:
        body = audit.log_download(store, person_id)
    except audit.AuditError as exc:
        raise DownloadError(str(exc)) from exc
    with store.transaction() as s:
        audit.record(s, audit.actor_of(person_id), "download", "audit_log", "csv")
    return DownloadFile(f"verp-audit-log-{date.today().isoformat()}.csv", "text/csv; charset=utf-8", body)
