"""The Summary page (facilitators) and My progress (everyone signed in), driven through AppTest."""

from __future__ import annotations

import html
import re

import pytest
from streamlit.testing.v1 import AppTest

from tests.support.apptest import open_section
from tests.support.markdown import markdown_strings
from tests.support.paths import ROOT
from tests.support.summary import (
    INJECTION,
    NOT_SHOWN,
    SUMMARY_PART_LABELS,
    SUMMARY_PARTS,
    TITLE,
    TRICKY,
    build_workshop,
    open_whole_summary,
)
from tests.support.workshop import make_workshop, share_moment
from verp.core.config import load_settings
from verp.web_downloads import DOWNLOAD_ROUTE, read_download_token

SUMMARY = str(ROOT / "pages" / "summary.py")
PROGRESS = str(ROOT / "pages" / "my_progress.py")


@pytest.fixture
def built(store, teacher, colleague):
    return build_workshop(store, teacher.id, colleague.id)


def _run(path: str, person_id: int) -> AppTest:
    at = AppTest.from_file(path, default_timeout=30)
    at.session_state["person_id"] = person_id
    return at.run()


def _shown_text(at: AppTest) -> str:
    texts = [t.value for t in at.text]
    frames = [str(cell) for df in at.dataframe for cell in [*df.value.columns, *df.value.to_numpy().ravel()]]
    return "\n".join(texts + frames)


def test_the_summary_opens_on_its_downloads_and_gathers_a_part_only_when_it_is_opened(built, teacher):
    at = _run(SUMMARY, teacher.id)
    assert not at.exception
    assert [e.label for e in at.expander] == list(SUMMARY_PART_LABELS)
    assert [e.proto.id.rsplit("-", 1)[1] for e in at.expander] == list(SUMMARY_PARTS)
    assert f"{TITLE}\n12 March 2026 · facilitated by {teacher.display_name}" in _shown_text(at)
    assert len(_download_links(at)) == 4
    assert "Waiting for Sam" not in _shown_text(at) and not at.dataframe  # nothing gathered yet

    at = open_section(at, "summary_moments_open")
    assert not at.exception
    assert "Counting together" in _shown_text(at) and not at.dataframe  # that part alone


def test_the_summary_shows_the_facilitators_workshop_with_its_reflections(built, teacher):
    at = open_whole_summary(_run(SUMMARY, teacher.id))
    assert not at.exception
    assert at.selectbox(key="summary_workshop").value.title == TITLE
    shown = _shown_text(at)
    assert "Waiting for Sam" in shown and "Counting together" in shown
    assert TRICKY.splitlines()[0] in shown
    for hidden in (*NOT_SHOWN, "PRIVATE-NOTE"):
        assert hidden not in shown
    assert len(at.get("vega_lite_chart")) == 1  # the principle counts
    by_principle = [t.value for t in at.text if " · " in t.value]
    at.session_state["summary_grouping"] = "By moment"  # the other tab, drawn once chosen
    at.run()
    by_moment = [t.value for t in at.text if " · " in t.value]
    assert by_moment != by_principle and any(line.startswith("Waiting for Sam · ") for line in by_moment)
    shown = _shown_text(at)
    assert "Waiting for Sam" in shown and not any(hidden in shown for hidden in (*NOT_SHOWN, "PRIVATE-NOTE"))


def test_user_text_is_never_rendered_as_markdown(built, teacher):
    at = open_whole_summary(_run(SUMMARY, teacher.id))
    markdown = "\n".join(markdown_strings(at))  # headings, captions, alerts, labels: not only st.markdown
    assert "Who took part" in markdown and "never a score" in markdown  # the walk sees labels and captions
    assert "evil.example" not in markdown and "Waiting for Sam" not in markdown
    assert INJECTION in _shown_text(at)
    at.session_state["summary_grouping"] = "By moment"  # moment titles head the other tab's tables
    at.run()
    markdown = "\n".join(markdown_strings(at))
    assert "evil.example" not in markdown and "Waiting for Sam" not in markdown
    assert any(t.value.startswith("Waiting for Sam · ") for t in at.text)


def test_my_progress_never_renders_user_text_as_markdown(built, colleague):
    at = open_section(_run(PROGRESS, colleague.id), "delete_account_open")  # what goes, listed
    markdown = "\n".join(markdown_strings(at))
    assert "My next steps" in markdown and "Deleting your account removes" in markdown
    assert TITLE not in markdown and "Wait 5 s" not in markdown and "quieter pupils" not in markdown


def _download_links(at: AppTest) -> list[tuple[str, tuple[int, int, str]]]:
    """Each download link drawn: its label and what its signed token names (person, workshop, kind)."""
    found = []
    for body in (h.proto.body for h in at.get("html")):
        for href, label in re.findall(r'<a class="verp-download" href="([^"]+)"[^>]*>([^<]+)</a>', body):
            assert href.startswith(DOWNLOAD_ROUTE + "/")
            found.append((label, read_download_token(load_settings(), href.rsplit("/", 1)[1])))
    return found


def test_the_summary_offers_pdf_markdown_and_csv_links_and_a_stills_choice(built, teacher):
    at = _run(SUMMARY, teacher.id)
    assert at.checkbox(key="summary_stills").value is False  # stills only when asked
    workshop = built.workshop_id
    assert _download_links(at) == [
        ("Download as PDF", (teacher.id, workshop, "pdf")),
        ("Download as text", (teacher.id, workshop, "md")),
        ("Download for a spreadsheet", (teacher.id, workshop, "csv")),
        ("Download for data tools (exact)", (teacher.id, workshop, "csv-exact")),
    ]
    assert at.checkbox(key="summary_ratings").value is False  # ratings and authors only when ticked
    assert at.checkbox(key="summary_authors").value is False
    at.checkbox(key="summary_stills").check().run()
    assert not at.exception
    assert _download_links(at)[0] == ("Download as PDF", (teacher.id, workshop, "pdf-stills"))


def test_a_teacher_who_facilitates_nothing_sees_no_summaries(built, colleague):
    at = _run(SUMMARY, colleague.id)
    assert not at.exception
    assert "You have none yet" in at.info[0].value
    assert TITLE not in _shown_text(at)


def test_my_progress_shows_ratings_next_steps_and_a_personal_download(built, colleague):
    at = _run(PROGRESS, colleague.id)
    assert not at.exception
    assert len(at.get("vega_lite_chart")) == 1
    assert "Wait 5 s,\nthen smile" in _shown_text(at)
    [workshops] = [h.proto.body for h in at.get("html") if "verp-workshops" in h.proto.body]
    assert f"<li><span>{TITLE} · 12 Mar 2026</span>" in workshops  # named, with its download beside it
    personal = (colleague.id, built.workshop_id, "personal")
    assert _download_links(at) == [("Download my personal summary", personal)]


def test_my_progress_names_each_workshop_as_the_words_typed_never_as_html(store, teacher, colleague):
    typed = '<img src=x onerror="alert(1)"> <b>Group</b> & "friends"'
    w = make_workshop(store, teacher.id, typed)
    share_moment(store, colleague.id, w.id, "Circle time")  # a workshop of mine: I brought a moment to it
    at = _run(PROGRESS, colleague.id)
    [workshops] = [h.proto.body for h in at.get("html") if "verp-workshops" in h.proto.body]
    assert html.escape(typed, quote=True) in workshops
    assert "<img" not in workshops and "<b>" not in workshops


def test_my_progress_is_empty_and_friendly_for_a_newcomer(store, teacher):
    at = _run(PROGRESS, teacher.id)
    assert not at.exception
    assert len(at.info) == 3


def test_the_navigation_offers_summary_to_facilitators_and_my_progress_to_everyone(built, teacher, colleague):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    at.session_state["person_id"] = colleague.id
    at.run()
    at.switch_page("pages/my_progress.py").run()
    assert not at.exception and at.title[0].value == "My progress"
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    at.session_state["person_id"] = teacher.id
    at.run()
    at.switch_page("pages/summary.py").run()
    assert not at.exception and at.title[0].value == "Workshop summary"
