"""Summary and guider's log downloads by signed link: built when fetched, for whoever may still have them,
and recorded."""

from __future__ import annotations

import io
from datetime import date

import pytest
from pypdf import PdfReader
from sqlalchemy import delete, select
from starlette.applications import Starlette
from starlette.testclient import TestClient

from tests.support.summary import TITLE, build_workshop
from tests.support.workshop import make_workshop, share_moment
from verp import web, web_downloads
from verp.core import accounts, audit, sessions, signing
from verp.core.models import AuditEvent, Workshop
from verp.records import downloads, erasure
from verp.workshop import preparation, workshops


@pytest.fixture
def client(store):
    return TestClient(Starlette(routes=web.routes()))


@pytest.fixture
def built(store, teacher, colleague):
    return build_workshop(store, teacher.id, colleague.id)


def _url(store, person_id: int, workshop_id: int, kind: str) -> str:
    return web_downloads.download_path(store.settings, person_id, workshop_id, kind)


def _downloads(store) -> list[tuple[str, str, str, str]]:
    with store.transaction() as s:
        rows = s.scalars(select(AuditEvent).where(AuditEvent.action == "download_summary"))
        return [(r.actor, r.action, r.subject, r.detail) for r in rows]


def test_the_facilitator_gets_a_pdf_saved_as_an_attachment_and_the_download_is_recorded(
    store, client, built, teacher
):
    answer = client.get(_url(store, teacher.id, built.workshop_id, "pdf"))
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/pdf"
    assert answer.headers["content-disposition"].startswith(
        'attachment; filename="verp-spring-group-quieter-pupils-2026-03-12.pdf"'
    )
    assert answer.headers["cache-control"] == "no-store"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(answer.content)).pages)
    assert "What the group noticed, by principle" in text
    subject = f"workshop:{built.workshop_id}"
    assert _downloads(store) == [(f"person:{teacher.id}", "download_summary", subject, "pdf")]


def test_markdown_and_csv_come_as_text_files(store, client, built, teacher):
    md = client.get(_url(store, teacher.id, built.workshop_id, "md"))
    csv = client.get(_url(store, teacher.id, built.workshop_id, "csv"))
    assert md.status_code == csv.status_code == 200
    assert md.headers["content-type"].startswith("text/markdown") and TITLE.split(":")[0] in md.text
    assert csv.headers["content-disposition"].startswith('attachment; filename="verp-spring-group')
    assert [d[3] for d in _downloads(store)] == ["markdown", "csv"]


def test_an_expired_link_is_refused_with_a_clear_message(store, client, built, teacher, monkeypatch):
    url = _url(store, teacher.id, built.workshop_id, "pdf")
    monkeypatch.setattr(web_downloads, "LINK_MAX_AGE_S", -1)
    answer = client.get(url)
    assert answer.status_code == 403 and "expired" in answer.text
    assert answer.headers["cache-control"] == "no-store"
    assert _downloads(store) == []


def test_a_page_left_open_past_its_links_time_still_downloads_in_its_own_persons_browser(
    store, client, built, teacher, colleague, monkeypatch
):
    url = _url(store, teacher.id, built.workshop_id, "pdf")
    later = signing.minute() + web_downloads.LINK_MAX_AGE_S + signing.STEP_S
    monkeypatch.setattr(signing, "minute", lambda: later)
    assert "expired" in client.get(url).text  # nobody signed in: the link has run out
    ticket = sessions.start_session(store, colleague.id).ticket
    assert client.post(web.SESSION_ROUTE, content=ticket).status_code == 204
    assert client.get(url).status_code == 403  # someone else's browser
    own = TestClient(Starlette(routes=web.routes()))
    assert (
        own.post(web.SESSION_ROUTE, content=sessions.start_session(store, teacher.id).ticket).status_code
        == 204
    )
    answer = own.get(url)
    assert answer.status_code == 200 and answer.content.startswith(b"%PDF")
    assert [d[3] for d in _downloads(store)] == ["pdf"]


def test_a_link_drawn_again_in_a_new_minute_is_signed_anew(store, teacher, monkeypatch):
    now = [1_800_000_000.0]
    monkeypatch.setattr(signing.time, "time", lambda: now[0])
    first = web_downloads.download_token(store.settings, teacher.id, 7, "pdf")
    assert web_downloads.download_token(store.settings, teacher.id, 7, "pdf") == first
    now[0] += signing.STEP_S
    later = web_downloads.download_token(store.settings, teacher.id, 7, "pdf")
    assert later != first
    assert web_downloads.read_download_token(store.settings, first, max_age_s=0) is None
    assert web_downloads.read_download_token(store.settings, later, max_age_s=0) == (teacher.id, 7, "pdf")


def test_a_tampered_link_is_refused(store, client, built, teacher):
    url = _url(store, teacher.id, built.workshop_id, "pdf")
    assert client.get(url[:-3] + "xyz").status_code == 403
    assert client.get(web_downloads.DOWNLOAD_ROUTE + "/not-a-token").status_code == 403


def test_a_link_made_for_another_person_gives_them_nothing(store, client, built, colleague):
    """A participant holding a link to the whole summary is not its facilitator: nothing is built."""
    answer = client.get(_url(store, colleague.id, built.workshop_id, "pdf"))
    assert answer.status_code == 403 and "facilitator" in answer.text
    assert _downloads(store) == []


def test_a_facilitator_who_handed_the_workshop_on_can_no_longer_download_it(
    store, client, built, teacher, colleague
):
    url = _url(store, teacher.id, built.workshop_id, "csv")
    with store.transaction() as s:
        s.get(Workshop, built.workshop_id).facilitator_id = colleague.id
    assert client.get(url).status_code == 403


def test_a_facilitator_whose_role_is_removed_downloads_their_workshops_summary_no_more(
    store, client, built, teacher
):
    """Links already drawn (a PDF with the children's stills, the exact CSV) stop with the role."""
    kinds = ["pdf-stills+ratings+authors", "csv-exact+ratings+authors", "md+ratings+authors"]
    urls = [_url(store, teacher.id, built.workshop_id, kind) for kind in kinds]
    assert [client.get(url).status_code for url in urls] == [200] * 3
    admin = accounts.create_person(store, "Ada Admin", "an administrators passphrase")
    accounts.grant_admin(store, "Ada Admin")
    accounts.set_facilitator(store, admin.id, teacher.id, False)
    assert [client.get(url).status_code for url in urls] == [403] * 3
    assert len(_downloads(store)) == 3  # only the downloads that happened


def test_a_closed_then_deleted_workshop_answers_that_it_is_gone(store, client, teacher):
    planned = workshops.create_workshop(store, teacher.id, "Autumn group", date(2026, 10, 1))
    workshops.close_workshop(store, teacher.id, planned.id)
    url = _url(store, teacher.id, planned.id, "pdf")
    assert client.get(url).status_code == 200
    with store.transaction() as s:
        s.execute(delete(Workshop).where(Workshop.id == planned.id))
    answer = client.get(url)
    assert answer.status_code == 404 and "no longer exists" in answer.text
    assert len(_downloads(store)) == 1  # only the download that happened


def test_the_personal_summary_goes_only_to_its_owner(store, client, built, teacher, colleague):
    mine = client.get(_url(store, colleague.id, built.workshop_id, "personal"))
    assert mine.status_code == 200 and mine.content.startswith(b"%PDF")
    assert "my-summary.pdf" in mine.headers["content-disposition"]
    # The facilitator brought no moment and did not join as a participant: no personal summary for them.
    theirs = client.get(_url(store, teacher.id, built.workshop_id, "personal"))
    assert theirs.status_code == 403
    subject = f"workshop:{built.workshop_id}"
    assert _downloads(store) == [
        (f"person:{colleague.id}", "download_summary", subject, "personal summary (pdf)")
    ]


def test_a_personal_summary_link_of_a_deleted_account_gives_nothing(store, client, built, colleague):
    url = _url(store, colleague.id, built.workshop_id, "personal")
    erasure.delete_account(store, colleague.id, colleague.display_name)
    answer = client.get(url)
    assert answer.status_code == 403 and "no such person" in answer.text


def test_preparation_notes_leave_the_app_only_when_the_facilitator_asks(store, client, teacher, colleague):
    w = make_workshop(store, teacher.id, "Spring group")
    _, moment_id = share_moment(store, colleague.id, w.id, "Circle *time*")
    preparation.save_preparation(store, teacher.id, w.id, moment_id, "Ask Ben about [the noise](x)", True)
    answer = client.get(_url(store, teacher.id, w.id, "preparation"))
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/markdown")
    assert "preparation.md" in answer.headers["content-disposition"]
    assert (
        r"## Circle \*time\* (Ben Colleague)" in answer.text
        and "Prepared with the participant." in answer.text
    )
    assert r"Ask Ben about \[the noise\]\(x\)" in answer.text  # the facilitator's words, never a link
    assert client.get(_url(store, colleague.id, w.id, "preparation")).status_code == 403  # theirs alone
    assert client.get(_url(store, teacher.id, w.id, "preparation+authors")).status_code in (400, 403, 404)
    subject = f"workshop:{w.id}"
    assert _downloads(store) == [
        (f"person:{teacher.id}", "download_summary", subject, "preparation notes (text)")
    ]


def test_a_file_name_is_always_safe_to_save():
    header = web_downloads.attachment('../x"; evil.pdf')
    assert header.startswith('attachment; filename="xevil.pdf"')
    assert "filename*=UTF-8''..%2Fx%22%3B%20evil.pdf" in header


def test_the_guiders_log_comes_by_link_as_pdf_and_csv_for_its_guider_only(store, client, teacher, colleague):
    """Like the summaries, the guider's log is built when its link is fetched: a download button's
    deferred file could be dropped by a rerun before the browser fetched it."""
    from tests.support.series import group_with_two_sessions

    group_with_two_sessions(store, teacher.id, colleague.id)
    pdf = client.get(web_downloads.guider_log_path(store.settings, teacher.id, downloads.GUIDER_LOG_PDF))
    csv = client.get(web_downloads.guider_log_path(store.settings, teacher.id, downloads.GUIDER_LOG_CSV))
    assert pdf.status_code == csv.status_code == 200
    assert pdf.content[:4] == b"%PDF" and pdf.headers["cache-control"] == "no-store"
    assert pdf.headers["content-disposition"].startswith('attachment; filename="verp-guiders-log-')
    assert csv.text.startswith('"date","kind","participant codes"')
    with store.transaction() as s:
        rows = s.scalars(select(AuditEvent).where(AuditEvent.subject == "guider_log"))
        assert sorted((r.actor, r.action, r.detail) for r in rows) == [
            (f"person:{teacher.id}", "download", "csv"),
            (f"person:{teacher.id}", "download", "pdf"),
        ]
    not_a_guider = client.get(
        web_downloads.guider_log_path(store.settings, colleague.id, downloads.GUIDER_LOG_PDF)
    )
    assert not_a_guider.status_code == 403 and b"%PDF" not in not_a_guider.content


def test_the_audit_log_comes_by_link_to_whoever_may_read_it_when_fetched_and_is_recorded(
    store, client, teacher, colleague
):
    accounts.set_facilitator(store, teacher.id, colleague.id)
    theirs = web_downloads.audit_log_path(store.settings, colleague.id)
    answer = client.get(web_downloads.audit_log_path(store.settings, teacher.id))
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    assert answer.headers["content-disposition"].startswith('attachment; filename="verp-audit-log-')
    assert answer.content.decode("utf-8-sig").startswith("when (UTC),who,did,to what")
    assert audit.recent_events(store)[0].action == "download"  # the export itself is on the record
    assert audit.recent_events(store)[0].subject == "audit_log"
    admin = accounts.grant_admin(store, "Ana Teacher")
    accounts.set_facilitator(store, admin.id, colleague.id, False)  # after their page drew the link
    refused = client.get(theirs)
    assert refused.status_code == 403 and "Only a facilitator" in refused.text
