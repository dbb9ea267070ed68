"""A workshop summary as files to keep: a printable PDF, Markdown, and a CSV of the reflections.

User text is never trusted as markup: in Markdown every character that could start a link, an image, HTML,
a heading or a list is escaped; in the PDF it is plain text in an embedded Unicode font (DejaVu Sans, kept in
``assets/fonts`` so a fresh machine needs no font package). Characters the font lacks (most emoji) print as
a replacement mark. Stills go into the PDF only when asked for *and* the clip's consent allows it.
"""

from __future__ import annotations

import importlib.util
import re
import unicodedata
from datetime import date
from functools import cache
from pathlib import Path
from typing import cast

import pandas as pd
from fontTools.ttLib import TTFont
from fpdf import FPDF
from fpdf.enums import MethodReturnValue, XPos, YPos

from verp.core.text import WORD_JOINER
from verp.records.summary import MomentLine, PersonalSummary, QuestionLine, WorkshopSummary, for_keeping

FONTS = Path(__file__).resolve().parents[2] / "assets" / "fonts"
FONT_REGULAR = FONTS / "DejaVuSans.ttf"
FONT_BOLD = FONTS / "DejaVuSans-Bold.ttf"
REPLACEMENT = "\ufffd"
NONE_TEXT = "None recorded."
NONE_MD = "None recorded\\."
IGNORABLE = {"\u200d", "\ufe0e", "\ufe0f"}  # joiners and emoji variation selectors: nothing to print
# What every kept summary says about itself, and the plain words on its download links.
NOT_FOR_APPRAISAL = (
    "A record of the strengths we noticed together in this workshop. It is not for appraisal or "
    "performance management."
)
LABEL_PDF = "Download as PDF"
LABEL_SPREADSHEET = "Download for a spreadsheet"
LABEL_DATA_TOOLS = "Download for data tools (exact)"
LABEL_TEXT = "Download as text"
MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~&:@$^=])")


# ---------------------------------------------------------------- names


def slugify(text: str, fallback: str = "workshop") -> str:
    """A lower-case ASCII file-name part: ``Ms Ó'Brien's group!`` → ``ms-o-brien-s-group``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60].strip("-")
    return slug or fallback


def file_name(title: str, held_on: date, extension: str, suffix: str = "") -> str:
    """``verp-<slugified-title>-<date>[-suffix].<extension>``."""
    tail = f"-{slugify(suffix)}" if suffix else ""
    return f"verp-{slugify(title)}-{held_on.isoformat()}{tail}.{extension}"


def deleted_by_line(delete_by: date) -> str:
    """What a printed summary says of a moment's video: the words stay, the video does not."""
    return f"The video of this moment is deleted for good by {delete_by.day} {delete_by:%B %Y}."


# ---------------------------------------------------------------- CSV


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(cell: str) -> str:
    """A cell a spreadsheet shows as text: one it would read as a formula gets a leading apostrophe.

    Reflections come from anonymous phones, and a facilitator opens the file with a double click.
    """
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def reflections_csv(
    summary: WorkshopSummary | PersonalSummary, exact: bool = False, *, include_authors: bool = False
) -> bytes:
    """The reflections as UTF-8 CSV. Every field is quoted, so newlines, commas and quotes survive.

    By default every cell is :func:`spreadsheet_safe`. ``exact`` keeps every cell as typed, for data
    tools: read it back unchanged with ``pandas.read_csv(f, dtype=str, keep_default_na=False)``.
    A workshop's CSV names who wrote what only when the facilitator ticks it in (``include_authors``).
    """
    if isinstance(summary, WorkshopSummary):
        summary = for_keeping(summary, include_authors=include_authors)
    table = summary.reflections if exact else summary.reflections.map(spreadsheet_safe)
    return table.to_csv(index=False, quoting=1, lineterminator="\n").encode("utf-8")


# ---------------------------------------------------------------- Markdown


def escape_markdown(text: str) -> str:
    """User text as literal Markdown text: no links, images, HTML, headings, lists or emphasis.

    GitHub-flavoured viewers still link a bare e-mail address whose marks are escaped; an invisible word
    joiner after its at sign stops them (a bare web address stays unlinked by its escaped marks)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return MD_SPECIAL.sub(r"\\\1", text).replace("\\@", "\\@" + WORD_JOINER)


def _md_inline(text: str) -> str:
    """One line: for headings and labels."""
    return escape_markdown(" ".join(text.split()))


def _md_block(text: str, indent: str = "  ") -> str:
    """Several lines kept as hard line breaks inside a list item."""
    lines = [escape_markdown(line) for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return ("\\\n" + indent).join(lines)


def _md_question(q: QuestionLine) -> str:
    rated = f" — rated {', '.join(str(r) for r in q.ratings)} out of 10" if q.ratings else ""
    return f"{_md_block(q.text, '    ')} (cycle {q.cycle}){rated}"


def _md_moment(m: MomentLine, with_owner: bool = True) -> list[str]:
    out = [f"### {_md_inline(m.title)}", ""]
    if with_owner:
        out.append(f"- Brought by: {_md_inline(m.owner)}")
    if m.principles:
        out.append(f"- Principles tagged: {_md_inline(', '.join(m.principles))}")
    for mark in m.marks:
        out.append(f"- Freeze-frame {_md_inline(mark)}")
    if m.note:
        out.append(f"- Note: {_md_block(m.note)}")
    if m.delete_by:
        out.append(f"- {escape_markdown(deleted_by_line(m.delete_by))}")
    if m.captions:
        out.append(f"- Captions: {_md_block(m.captions)}")
    return [*out, ""]


def _md_reflections(table: pd.DataFrame, show: str) -> list[str]:
    out = []
    for row in table.itertuples(index=False):
        byline = ", ".join(part for part in (row.author, getattr(row, show)) if part)
        out.append(f"- {_md_block(row.text)}  \n  — {_md_inline(byline)}")
    return [*out, ""]


def _md_next_steps(table: pd.DataFrame) -> list[str]:
    if table.empty:
        return ["No next steps were recorded.", ""]
    rows = [f"- **{_md_inline(r.participant)}**: {_md_block(r[2])}" for r in table.itertuples(index=False)]
    return [*rows, ""]


def summary_markdown(
    summary: WorkshopSummary, *, include_ratings: bool = False, include_authors: bool = False
) -> str:
    """The whole summary as Markdown, with every piece of user text escaped. Individual ratings and
    who wrote each reflection are left out unless the facilitator ticks them in."""
    summary = for_keeping(summary, include_ratings=include_ratings, include_authors=include_authors)
    out = [f"# {_md_inline(summary.title)}", "", f"_{escape_markdown(NOT_FOR_APPRAISAL)}_", ""]
    out += [f"- Date: {summary.held_on.isoformat()}", f"- Facilitator: {_md_inline(summary.facilitator)}"]
    if summary.focus:
        out.append(f"- Focus: {_md_inline(', '.join(summary.focus))}")
    out += ["", "## Who took part", ""]
    if not summary.participants:
        out.append(NONE_MD)
    for p in summary.participants:
        out.append(f"- **{_md_inline(p.name)}**")
        out += [f"  - Helping question: {_md_question(q)}" for q in p.helping_questions]
    out += ["", "## Moments", ""] + ([] if summary.moments else [NONE_MD, ""])
    for m in summary.moments:
        out += _md_moment(m)
    out += ["## How often each principle was noticed", "", "| Principle | Times noticed |", "| --- | ---: |"]
    out += [f"| {_md_inline(r.principle)} | {r.count} |" for r in summary.principle_counts.itertuples()]
    out += ["", "## What the group noticed, by principle", ""] + (
        [] if summary.by_principle else [NONE_MD, ""]
    )
    for group in summary.by_principle:
        out += [f"### {_md_inline(group.label)}", "", *_md_reflections(group.table, "moment")]
    out += ["## What the group noticed, by moment", ""] + ([] if summary.by_moment else [NONE_MD, ""])
    for group in summary.by_moment:
        out += [f"### {_md_inline(group.label)}", "", *_md_reflections(group.table, "principle")]
    out += ["## Next steps", "", *_md_next_steps(summary.next_steps)]
    return "\n".join(out)


def personal_markdown(summary: PersonalSummary) -> str:
    out = [f"# {_md_inline(summary.title)}: {_md_inline(summary.person)}", ""]
    out += [f"- Date: {summary.held_on.isoformat()}", ""]
    out += ["## My helping question", ""]
    out += [f"- {_md_question(q)}" for q in summary.helping_questions] or ["- None recorded"]
    out += ["", "## My moments", ""] + ([] if summary.moments else [NONE_MD, ""])
    for m in summary.moments:
        out += _md_moment(m, with_owner=False)
    out += ["## What the group noticed in my moments", ""]
    out += _md_reflections(summary.reflections, "moment") if not summary.reflections.empty else [NONE_MD, ""]
    out += ["## My next step", "", *_md_next_steps(summary.next_steps)]
    return "\n".join(out)


# ---------------------------------------------------------------- PDF


@cache
def _font_chars() -> frozenset[int]:
    with TTFont(FONT_REGULAR, lazy=True) as font:
        return frozenset(font.getBestCmap())


def printable(text: str) -> str:
    """Text the embedded font can draw: missing glyphs (most emoji) become a replacement mark."""
    chars = _font_chars()
    out = []
    for ch in text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " "):
        if ch in IGNORABLE:
            continue
        if ch == "\n" or ord(ch) in chars:
            out.append(ch)
        elif unicodedata.category(ch) not in ("Cc", "Cf"):
            out.append(REPLACEMENT)
    return "".join(out)


class _Document(FPDF):
    """A4, one embedded Unicode font, black and grey only, a page number at the foot of every page."""

    def __init__(self, running_title: str) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.running_title = printable(" ".join(running_title.split()))
        self.add_font("DejaVu", "", str(FONT_REGULAR))
        self.add_font("DejaVu", "B", str(FONT_BOLD))
        self.set_auto_page_break(auto=True, margin=18)
        self.set_margins(18, 16, 18)
        self.set_title(self.running_title)
        self.set_creator("VERP Workshop")
        self._shape_text()
        self.add_page()

    def _shape_text(self) -> None:
        """Right-to-left scripts need shaping (uharfbuzz); without it they print in logical order."""
        if importlib.util.find_spec("uharfbuzz") is not None:
            self.set_text_shaping(True)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("DejaVu", "", 8)
        self.set_text_color(90)
        self.cell(0, 5, self.running_title[:90], align="L")
        self.set_x(self.l_margin)
        self.cell(0, 5, f"Page {self.page_no()} of {{nb}}", align="R")
        self.set_text_color(0)

    def heading(self, text: str, level: int = 1) -> None:
        size = {0: 20, 1: 15, 2: 12}[level]
        if self.get_y() > self.h - 45:
            self.add_page()
        self.ln(3 if level else 0)
        self.set_font("DejaVu", "B", size)
        self.multi_cell(0, size * 0.5, printable(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        if level == 1:
            self.set_draw_color(120)
            self.line(self.l_margin, self.get_y() + 1, self.w - self.r_margin, self.get_y() + 1)
            self.ln(3)
        self.ln(1)

    def para(
        self, text: str, size: float = 10.5, bold: bool = False, indent: float = 0, grey: int = 0
    ) -> None:
        self.set_font("DejaVu", "B" if bold else "", size)
        self.set_text_color(grey)
        self.set_x(self.l_margin + indent)
        self.multi_cell(0, size * 0.5, printable(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(0)

    def none_if(self, empty: bool) -> None:
        if empty:
            self.para(NONE_TEXT, grey=60)

    def _height(self, text: str, size: float, indent: float) -> float:
        self.set_font("DejaVu", "", size)
        width = self.w - self.l_margin - self.r_margin - indent
        return cast(
            float,
            self.multi_cell(
                width, size * 0.5, printable(text), dry_run=True, output=MethodReturnValue.HEIGHT
            ),
        )

    def reflection(self, text: str, byline: str) -> None:
        """A reflection and its byline, kept on one page when they fit on one."""
        needed = self._height(text, 10.5, 4) + self._height(byline, 8.5, 8)
        if self.get_y() + needed > self.page_break_trigger and needed < self.h / 2:
            self.add_page()
        self.para(text, indent=4)
        self.para(byline, size=8.5, indent=8, grey=80)
        self.ln(1.5)

    def bars(self, counts: pd.DataFrame) -> None:
        """A greyscale bar per principle, zeros included, in catalogue order."""
        most = max(int(counts["count"].max() or 0), 1)
        label_w, bar_max = 70, self.w - self.l_margin - self.r_margin - 85
        self.set_font("DejaVu", "", 9.5)
        for row in counts.itertuples():
            y = self.get_y()
            self.cell(label_w, 6, printable(row.principle))
            self.set_fill_color(110)
            if row.count:
                self.rect(self.l_margin + label_w, y + 1, bar_max * row.count / most, 4, style="F")
            self.set_x(self.l_margin + label_w + bar_max + 3)
            self.cell(12, 6, str(row.count), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def stills(self, paths) -> None:
        for path in paths:
            if self.get_y() > self.h - 70:
                self.add_page()
            try:
                self.image(str(path), x=self.l_margin + 4, w=70)
            except (OSError, ValueError, RuntimeError):
                continue  # a damaged still is left out rather than losing the whole summary
            self.ln(2)


def _pdf_question(doc: _Document, q: QuestionLine, indent: float) -> None:
    rated = f" Rated {', '.join(str(r) for r in q.ratings)} out of 10." if q.ratings else ""
    doc.para(f"Helping question (cycle {q.cycle}): {q.text}{rated}", indent=indent)


def _pdf_moment(doc: _Document, m: MomentLine, with_stills: bool, with_owner: bool = True) -> None:
    doc.heading(m.title, 2)
    if with_owner:
        doc.para(f"Brought by {m.owner}", size=9.5, grey=60)
    if m.principles:
        doc.para("Principles tagged: " + ", ".join(m.principles), size=9.5)
    for mark in m.marks:
        doc.para("Freeze-frame " + mark, size=9.5)
    if m.note:
        doc.para("Note: " + m.note, size=9.5)
    if m.delete_by:
        doc.para(deleted_by_line(m.delete_by), size=9.5, grey=60)
    if m.captions:
        doc.para("Captions:\n" + m.captions, size=9.5)
    if with_stills:
        doc.stills(m.still_paths)


def _pdf_next_steps(doc: _Document, table: pd.DataFrame) -> None:
    if table.empty:
        doc.para("No next steps were recorded.", grey=60)
    for row in table.itertuples(index=False):
        doc.para(row.participant, bold=True)
        doc.para(row[2], indent=4)


def summary_pdf(
    summary: WorkshopSummary,
    include_stills: bool = False,
    *,
    include_ratings: bool = False,
    include_authors: bool = False,
) -> bytes:
    """A printable A4 summary, safe to keep: it says it is not for appraisal; stills only when asked
    (and the clip's consent allows); individual ratings and authors only when ticked in."""
    summary = for_keeping(summary, include_ratings=include_ratings, include_authors=include_authors)
    doc = _Document(f"{summary.title} · {summary.held_on.isoformat()}")
    doc.heading(summary.title, 0)
    doc.para(NOT_FOR_APPRAISAL, bold=True)
    doc.para(f"Date: {summary.held_on.strftime('%d %B %Y')}")
    doc.para(f"Facilitator: {summary.facilitator}")
    if summary.focus:
        doc.para("Focus: " + ", ".join(summary.focus))
    doc.heading("Who took part")
    doc.none_if(not summary.participants)
    for p in summary.participants:
        doc.para(p.name, bold=True)
        for q in p.helping_questions:
            _pdf_question(doc, q, indent=4)
    doc.heading("Moments")
    doc.none_if(not summary.moments)
    for m in summary.moments:
        _pdf_moment(doc, m, include_stills)
    doc.heading("How often each principle was noticed")
    doc.bars(summary.principle_counts)
    doc.heading("What the group noticed, by principle")
    doc.none_if(not summary.by_principle)
    for group in summary.by_principle:
        doc.heading(group.label, 2)
        for row in group.table.itertuples(index=False):
            where = f" · {row.moment}" if row.moment else ""
            doc.reflection(row.text, " · ".join(p for p in (row.author, row.kind) if p) + where)
    doc.heading("Next steps")
    _pdf_next_steps(doc, summary.next_steps)
    return bytes(doc.output())


def personal_pdf(summary: PersonalSummary, include_stills: bool = False) -> bytes:
    doc = _Document(f"{summary.title} · {summary.person}")
    doc.heading(summary.title, 0)
    doc.para(f"{summary.person} · {summary.held_on.strftime('%d %B %Y')}")
    doc.heading("My helping question")
    doc.none_if(not summary.helping_questions)
    for q in summary.helping_questions:
        _pdf_question(doc, q, indent=0)
    doc.heading("My moments")
    doc.none_if(not summary.moments)
    for m in summary.moments:
        _pdf_moment(doc, m, include_stills, with_owner=False)
    doc.heading("What the group noticed in my moments")
    doc.none_if(summary.reflections.empty)
    for row in summary.reflections.itertuples(index=False):
        doc.reflection(row.text, f"{row.author} · {row.principle} · {row.moment}")
    doc.heading("My next step")
    _pdf_next_steps(doc, summary.next_steps)
    return bytes(doc.output())
