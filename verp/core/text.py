"""Text people type, made safe to keep: no NUL or control characters, and a length a page can hold.

PostgreSQL refuses a NUL character outright, and invisible control characters only confuse whoever reads
the text later, so every title, name, note and question passes through :func:`clean_text` before it is
stored (workshop reflections too, through ``verp.workshop.reflections.clean_text``).
"""

from __future__ import annotations

import unicodedata

from verp.core.errors import VerpError

# Invisible characters that belong to the words: the zero-width non-joiner and joiner (Persian spelling,
# emoji made of parts) and the left-to-right and right-to-left marks. Every other format character goes,
# the bidirectional overrides and isolates first: they can make text read backwards.
JOINERS = "\u200c\u200d\u200e\u200f"
# An invisible word joiner: put into typed words where they are shown as Markdown, to break the patterns
# a browser's or viewer's Markdown would turn into a link (a bare e-mail address) by itself.
WORD_JOINER = "\u2060"


class TextError(VerpError, ValueError):
    """Typed text that cannot be kept as it is, worded for the person who typed it."""


def clean_text(text: str | None, max_len: int | None, *, what: str = "it", one_line: bool = False) -> str:
    """``text`` without control or format characters (newlines and tabs kept unless ``one_line``, and
    the ``JOINERS`` a word or an emoji needs), trimmed.

    ``one_line`` also folds every run of white space into one space, for titles and names. An empty
    result is returned as ``""``: whether that is allowed is the caller's decision. Longer than
    ``max_len`` characters raises :class:`TextError` (``None``: the caller checks the length itself).
    """
    raw = str(text or "").replace("\r\n", "\n").replace("\r", "\n")
    kept = "".join(ch for ch in raw if ch in "\n\t" or ch in JOINERS or unicodedata.category(ch)[0] != "C")
    kept = " ".join(kept.split()) if one_line else kept.strip()
    if max_len is not None and len(kept) > max_len:
        raise TextError(f"Please keep {what} under {max_len} characters (this one has {len(kept)}).")
    return kept


def whole_number(text: str | None, max_digits: int = 18) -> int | None:
    """``text`` as a whole number if it is one written plainly (ASCII digits, no sign, at most
    ``max_digits``); else None. ``str.isdigit`` takes "²" and other digits ``int`` refuses, and a very
    long number overflows a database column: a header, a cookie or a key from outside is read with this."""
    text = text or ""
    if not (0 < len(text) <= max_digits and text.isascii() and text.isdecimal()):
        return None
    return int(text)


def count_of_people(count: int) -> str:
    """``1 person``, ``3 people``: a count of people as it is said."""
    return f"{count} person" if count == 1 else f"{count} people"
