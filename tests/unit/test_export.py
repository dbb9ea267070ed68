"""Exports: CSV that round-trips, Markdown that cannot be hijacked, a PDF a printer can read."""

from __future__ import annotations

import io
import re
from datetime import date

import pandas as pd
import pytest
from pypdf import PdfReader

from tests.support.summary import INJECTION, NOT_SHOWN, TRICKY, open_scene
from verp.core.text import WORD_JOINER
from verp.records import export, summary


@pytest.fixture(scope="module")
def scene(tmp_path_factory):
    """Built once: these tests only read."""
    opened = open_scene(tmp_path_factory.mktemp("export"))
    yield opened
    opened.store.engine.dispose()


@pytest.fixture
def result(scene) -> summary.WorkshopSummary:
    return summary.workshop_summary(scene.store, scene.built.workshop_id)


def _pdf_text(data: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(data))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


def _image_count(data: bytes) -> int:
    return sum(len(page.images) for page in PdfReader(io.BytesIO(data)).pages)


def test_file_names_are_slugified_title_and_date():
    assert export.file_name("Ms Ó'Brien's group! 🎉", date(2026, 3, 12), "pdf") == (
        "verp-ms-o-brien-s-group-2026-03-12.pdf"
    )
    assert export.file_name("🎉", date(2026, 3, 12), "csv") == "verp-workshop-2026-03-12.csv"
    assert export.file_name("T", date(2026, 3, 12), "md", "my summary") == "verp-t-2026-03-12-my-summary.md"


def test_the_csv_round_trips_through_pandas_unchanged(result):
    data = export.reflections_csv(result, exact=True, include_authors=True)
    back = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)
    pd.testing.assert_frame_equal(back, result.reflections)
    assert TRICKY in set(back["text"])  # RTL, emoji, quotes, comma and a newline intact
    assert "NA" in set(back["text"])


FORMULAS = ['=HYPERLINK("https://evil.example","x")', "+1+1", "-2+3", "@SUM(A1)", "\tlead", "\rlead"]


def _with_texts(result, texts):
    from types import SimpleNamespace

    table = pd.concat([result.reflections.iloc[:1]] * len(texts), ignore_index=True)
    table["text"] = texts
    table["author"] = ["=cmd|' /C calc'!A0"] + [""] * (len(texts) - 1)
    return SimpleNamespace(reflections=table.astype(str))


def test_the_default_csv_keeps_phone_typed_formulas_from_running_in_a_spreadsheet(result):
    tricky = _with_texts(result, [*FORMULAS, "fine = fine", "1-2"])
    back = pd.read_csv(io.BytesIO(export.reflections_csv(tricky)), dtype=str, keep_default_na=False)
    assert list(back["text"]) == ["'" + f for f in FORMULAS] + ["fine = fine", "1-2"]
    assert back["author"][0] == "'=cmd|' /C calc'!A0"
    assert list(back.columns) == list(tricky.reflections.columns)


def test_the_exact_csv_keeps_formulas_as_typed_for_data_tools(result):
    tricky = _with_texts(result, FORMULAS)
    back = pd.read_csv(
        io.BytesIO(export.reflections_csv(tricky, exact=True)), dtype=str, keep_default_na=False
    )
    pd.testing.assert_frame_equal(back, tricky.reflections)


def test_the_csv_holds_no_hidden_or_withdrawn_reflection(result):
    data = export.reflections_csv(result).decode("utf-8")
    for hidden in NOT_SHOWN:
        assert hidden not in data


def test_markdown_escapes_user_text_so_it_cannot_make_links_images_or_html(result):
    md = export.summary_markdown(result)
    assert INJECTION not in md
    assert "](" not in md.replace("\\](", "").replace("\\]\\(", "")
    assert "\\[click me\\]\\(https\\://evil\\.example/x\\)" in md
    assert "\\!\\[img\\]" in md and "\\<b\\>" in md and "\\# not a heading" in md


def test_markdown_breaks_the_addresses_a_gfm_viewer_would_link_by_itself():
    """GitHub-flavoured viewers link a bare e-mail address even when every mark is escaped; an invisible
    word joiner after the at sign stops them (bare web addresses stay unlinked by their escapes)."""
    typed = "write to ana@evil.example, or see www.evil.example and https://evil.example/x"
    md = export.escape_markdown(typed)
    shown = md.replace("\\", "")
    assert re.search(r"\w@\w", shown) is None
    assert shown.replace(WORD_JOINER, "") == typed  # nothing else changes, nothing is lost


def test_markdown_has_the_headings_reflections_and_counts(result):
    md = export.summary_markdown(result)
    for heading in (
        "## Who took part",
        "## Moments",
        "## How often each principle was noticed",
        "## What the group noticed, by principle",
        "## What the group noticed, by moment",
        "## Next steps",
    ):
        assert heading in md
    assert "| 4\\. Developing attuned interactions | 0 |" in md
    assert "שלום עולם, مرحبا\\\n  second line, with a comma" in md  # newline kept as a hard break
    for hidden in (*NOT_SHOWN, "PRIVATE-NOTE", "PRIVATE-QUESTION"):
        assert hidden not in md


def test_the_pdf_has_headings_reflections_and_page_numbers(result):
    reader, text = _pdf_text(export.summary_pdf(result))
    assert reader.pages[0].mediabox.width == pytest.approx(595.28, abs=0.5)  # A4
    for heading in (
        "Who took part",
        "Moments",
        "How often each principle was noticed",
        "What the group noticed, by principle",
        "Next steps",
    ):
        assert heading in text
    assert 'She waited, then said "your turn"' in text
    assert "The pause gave everyone time" not in text  # about a deleted clip: never again
    assert f"Page 1 of {len(reader.pages)}" in text
    for hidden in (*NOT_SHOWN, "PRIVATE-NOTE"):
        assert hidden not in text


def test_emoji_the_font_lacks_print_as_a_replacement_mark():
    assert export.printable("ok 👍🏽 done") == "ok \ufffd\ufffd done"
    assert export.printable("שלום, مرحبا") == "שלום, مرحبا"


def test_the_pdf_has_no_stills_by_default(result):
    assert any(m.still_paths for m in result.moments)
    assert _image_count(export.summary_pdf(result)) == 0


def test_asked_for_stills_the_pdf_holds_only_those_consent_allows(result):
    allowed = sum(len(m.still_paths) for m in result.moments)
    assert allowed == 1  # the other clip's consent keeps its still out
    assert _image_count(export.summary_pdf(result, include_stills=True)) == allowed


def test_a_consent_record_needing_review_keeps_its_stills_out_of_the_pdf(tmp_path):
    from sqlalchemy import update

    from verp.core.models import Consent

    scene = open_scene(tmp_path)
    try:
        with scene.store.transaction() as s:  # as made before the record asked who agreed
            s.execute(update(Consent).values(children_agreement=None))
        result = summary.workshop_summary(scene.store, scene.built.workshop_id)
        assert not any(m.still_paths for m in result.moments)
        assert _image_count(export.summary_pdf(result, include_stills=True)) == 0
    finally:
        scene.store.engine.dispose()


def test_the_pdf_and_markdown_name_each_moments_delete_by_date(result):
    day = result.moments[0].delete_by
    words = f"deleted for good by {day.day} {day:%B %Y}"
    _, text = _pdf_text(export.summary_pdf(result))
    assert words in " ".join(text.split())
    assert words in export.summary_markdown(result)


def test_personal_exports_hold_the_persons_own_part(scene):
    mine = summary.personal_summary(scene.store, scene.built.workshop_id, scene.teacher_id)
    _, text = _pdf_text(export.personal_pdf(mine))
    assert "My helping question" in text and "How can I give quieter pupils, more turns?" in text
    assert "We enjoyed the whole session" not in text
    md = export.personal_markdown(mine)
    assert "PRIVATE\\-NOTE" in md  # their own note, escaped


def test_an_empty_workshop_still_makes_every_file(store, teacher):
    from verp.core.models import Workshop

    with store.transaction() as s:
        workshop = Workshop(
            title="Nobody came", held_on=date(2026, 1, 5), facilitator_id=teacher.id, join_code="e1"
        )
        s.add(workshop)
        s.flush()
        workshop_id = workshop.id
    empty = summary.workshop_summary(store, workshop_id)
    assert list(empty.principle_counts["count"]) == [0] * 6
    _, text = _pdf_text(export.summary_pdf(empty, include_stills=True))
    assert "None recorded." in text and "Page 1 of" in text
    assert "None recorded\\." in export.summary_markdown(empty)
    back = pd.read_csv(io.BytesIO(export.reflections_csv(empty)), dtype=str, keep_default_na=False)
    assert list(back.columns) == list(empty.reflections.columns) and back.empty


def test_exports_leave_out_a_clip_past_its_delete_by_date(tmp_path):
    from tests.support.summary import pass_delete_by

    scene = open_scene(tmp_path)
    try:
        pass_delete_by(scene.store, "Waiting for Sam")  # the clip whose still may be exported
        result = summary.workshop_summary(scene.store, scene.built.workshop_id)
        assert _image_count(export.summary_pdf(result, include_stills=True)) == 0
        md = export.summary_markdown(result)
        assert "Waiting for Sam" not in md
        assert "I felt calm" not in md  # the moment's shared note went with it
        table = pd.read_csv(io.BytesIO(export.reflections_csv(result)), dtype=str, keep_default_na=False)
        assert TRICKY not in set(table["text"])  # its reflections went with it
    finally:
        scene.store.engine.dispose()


def test_a_kept_summary_is_not_for_appraisal_and_names_no_ratings_or_authors_unless_ticked(result):
    from pypdf import PdfReader

    from verp.records.summary import for_keeping

    rated = next((p for p in result.participants for q in p.helping_questions if q.ratings), None)
    authors = set(result.reflections["author"]) - {"the group", ""}
    assert rated is not None and authors  # the fixture has both to hide
    plain = " ".join(PdfReader(io.BytesIO(export.summary_pdf(result))).pages[0].extract_text().split())
    assert "not for appraisal or performance management" in plain
    kept = for_keeping(result)
    assert not any(q.ratings for p in kept.participants for q in p.helping_questions)
    assert set(kept.reflections["author"]) == {""}
    assert all(set(g.table["author"]) == {""} for g in kept.by_principle + kept.by_moment)
    assert any(set(g.table["author"]) & authors for g in result.by_principle)  # the original keeps them
    text = export.summary_markdown(result)
    bylines = [f"— {export.escape_markdown(name)}" for name in authors]
    assert "— rated" not in text and not any(b in text for b in bylines)
    assert "performance management" in text
    full = export.summary_markdown(result, include_ratings=True, include_authors=True)
    assert "— rated" in full and all(b in full for b in bylines)
    csv = pd.read_csv(
        io.BytesIO(export.reflections_csv(result, exact=True)), dtype=str, keep_default_na=False
    )
    assert set(csv["author"]) == {""}
