"""Captions: a short transcript of a moment as timed text under the video (WebVTT), for colleagues who
cannot hear the clip.

The owner types them, one line per caption: ``start end words``, times from the start of the moment in
seconds (``1.5``) or minutes and seconds (``0:01.5``). The owner decides what is written, since children's
words are personal data. Captions are shown in a workshop only with the moment, and kept in a summary only
where the clip's consent lets its stills be kept (see ``verp.records.summary``).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from verp.core.errors import VerpError
from verp.core.store import Store
from verp.core.text import clean_text
from verp.review import moments

MAX_LINES = 60
MAX_WORDS = 200  # characters in one caption
_TIME = re.compile(r"^(?:(\d+):)?(\d+(?:[.,]\d+)?)$")


class CaptionError(VerpError):
    """Captions that cannot be read: the message says which line and why, in plain words."""


@dataclass(frozen=True)
class Caption:
    start_s: float
    end_s: float
    words: str


def _seconds(text: str) -> float | None:
    match = _TIME.match(text)
    if match is None:
        return None
    minutes, seconds = match.groups()
    return int(minutes or 0) * 60 + float(seconds.replace(",", "."))


def _caption(number: int, line: str, length_s: float) -> Caption:
    parts = line.split(maxsplit=2)
    start_s = _seconds(parts[0])  # the line is not blank, so there is a first part
    end_s = _seconds(parts[1]) if len(parts) > 1 else None
    if len(parts) < 3 or start_s is None or end_s is None:
        raise CaptionError(
            f"Line {number}: write a start time, an end time and the words, "
            "e.g. “0:01 0:03 Can I have a turn?”"
        )
    if end_s <= start_s:
        raise CaptionError(f"Line {number}: the end time must come after the start time.")
    if start_s > length_s + moments.TOLERANCE_S:
        raise CaptionError(f"Line {number}: it starts after the moment ends ({length_s:g} s long).")
    words = clean_text(parts[2], None, one_line=True).replace("-->", "→")
    if len(words) > MAX_WORDS:
        raise CaptionError(f"Line {number}: please keep one caption under {MAX_WORDS} characters.")
    return Caption(round(start_s, 3), round(min(end_s, length_s), 3), words)


def parse_captions(text: str, length_s: float) -> list[Caption]:
    """The captions typed for a moment ``length_s`` seconds long, checked; empty text means none."""
    lines = [(n, line.strip()) for n, line in enumerate(text.splitlines(), start=1) if line.strip()]
    if len(lines) > MAX_LINES:
        raise CaptionError(f"Please keep to {MAX_LINES} captions: a moment is only a few seconds long.")
    captions = [_caption(n, line, length_s) for n, line in lines]
    return sorted(captions, key=lambda c: c.start_s)


def _clock(seconds: float) -> str:
    hours, rest = divmod(max(seconds, 0.0), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{int(hours):02d}:{int(minutes):02d}:{secs:06.3f}"


def to_webvtt(captions: list[Caption], offset_s: float = 0.0) -> str:
    """A WebVTT file; ``offset_s`` moves the captions to where the moment starts in the video played.

    Words are escaped, so a caption is always shown as the text typed, never as cue markup.
    """
    cues = [
        f"{_clock(c.start_s + offset_s)} --> {_clock(c.end_s + offset_s)}\n"
        + html.escape(c.words, quote=False)
        for c in captions
    ]
    return "WEBVTT\n\n" + "\n\n".join(cues) + ("\n" if cues else "")


def as_lines(captions: list[Caption]) -> str:
    """Captions written back as the lines the owner types."""
    return "\n".join(f"{c.start_s:g} {c.end_s:g} {c.words}" for c in captions)


def _spoken(seconds: float) -> str:
    minutes, secs = divmod(seconds, 60)
    return f"{int(minutes)}:{secs:04.1f}"


def transcript(captions: list[Caption]) -> str:
    """Captions as a transcript to read in a summary: one "0:01.0–0:03.0 words" line each."""
    return "\n".join(f"{_spoken(c.start_s)}–{_spoken(c.end_s)} {c.words}" for c in captions)


def transcript_of(stored: str, length_s: float) -> str:
    """The transcript of stored caption lines (already checked when they were kept)."""
    try:
        return transcript(parse_captions(stored or "", length_s + 1))
    except CaptionError:
        return ""


def set_captions(store: Store, owner_id: int, moment_id: int, text: str) -> list[Caption]:
    """Keep the captions typed for one of my moments (checked first: bad lines change nothing)."""
    moment = moments.get_moment(store, owner_id, moment_id)
    captions = parse_captions(text, moment.length_s)
    moments.store_captions(store, owner_id, moment_id, as_lines(captions))
    return captions


def captions_of(store: Store, owner_id: int, moment_id: int) -> list[Caption]:
    """My moment's captions (read back from what was stored, so always valid)."""
    moment = moments.get_moment(store, owner_id, moment_id)
    return parse_captions(moment.captions, moment.length_s + 1)


def shown_captions(store: Store, moment_id: int) -> list[Caption]:
    """A moment's captions for a workshop screen. Call only for a moment the workshop may show."""
    text, length_s = moments.caption_text(store, moment_id)
    try:
        return parse_captions(text, length_s + 1)
    except CaptionError:  # stored text is always checked; never let a projector fail on it
        return []
