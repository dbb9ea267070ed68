"""Possibly deficit wording in a reflection: words that can turn "what worked" into "what went wrong".

The list is a small text file a service can edit (``assets/deficit_words.txt``). A match is only a mark
for the facilitator's attention before approving; the reflection itself is kept as it was written.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

WORDS_FILE = Path(__file__).resolve().parents[2] / "assets" / "deficit_words.txt"
APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'"})


def read_words(text: str) -> tuple[str, ...]:
    """The words and phrases of a list: one a line, ``#`` starts a comment, blank lines ignored."""
    words = (line.split("#", 1)[0].strip().casefold() for line in text.splitlines())
    return tuple(dict.fromkeys(w for w in words if w))


def _pattern(words: tuple[str, ...]) -> re.Pattern[str] | None:
    if not words:
        return None
    parts = sorted((r"\s+".join(map(re.escape, w.split())) for w in words), key=len, reverse=True)
    return re.compile(r"(?<![\w'])(" + "|".join(parts) + r")(?![\w'])", re.IGNORECASE)


@cache
def _default() -> re.Pattern[str] | None:
    return _pattern(read_words(WORDS_FILE.read_text(encoding="utf-8")))


def deficit_words(text: str, words: tuple[str, ...] | None = None) -> tuple[str, ...]:
    """The listed words ``text`` uses (whole words, any case; curly apostrophes count), first use first."""
    pattern = _default() if words is None else _pattern(words)
    if pattern is None:
        return ()
    found = (" ".join(m.group(1).casefold().split()) for m in pattern.finditer(text.translate(APOSTROPHES)))
    return tuple(dict.fromkeys(found))
