"""The long media work a limited child does for a worker: a clip's playable copy (first its review copy
when it needs a transcode) with its strip of pictures, and a moment's own short video.

Nothing here opens the database: the child tells its worker how far it has got (``child.tell``), and the
worker writes that on the clip's or the moment's row. So a media child needs no database address, no
password and no signing key (``sandbox.CHILD_ENVIRONMENT``), and starts without the database layer.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from pathlib import Path

from verp.media import jobs as media
from verp.media import pictures
from verp.media.child import tell

PROGRESS, REVIEW_COPY_READY = "progress", "review copy ready"
GONE, READY = "gone", "ready"
REVIEW_COPY, FULL_COPY, REMUX = "Review copy", "Full-quality copy", "Preparing"


def prepare(original: str, review_copy: str | None, playable: str, strip: str, limits: dict) -> str:
    """Make the playable copy (and first the review copy, at ``review_copy``, when the clip needs a
    transcode and has none yet), then the strip of pictures. ``GONE`` if the clip was deleted meanwhile.

    A ``MediaError`` is the file's fault and propagates (its message is for the owner).
    """
    try:
        info = media.probe(original, media.MediaLimits(**limits))
        transcode = media.needs_transcode(info)
        if transcode and review_copy is not None:
            media.make_review_proxy(original, review_copy, telling(REVIEW_COPY))
            tell(REVIEW_COPY_READY)
        media.prepare(original, playable, telling(FULL_COPY if transcode else REMUX))
        pictures.strip(playable, strip)
    except FileNotFoundError:
        return GONE
    return READY


def cut(source: str, dst: str, start_s: float, end_s: float) -> None:
    """A moment's own video, frame-exact; nothing when its clip (and its folder) was deleted."""
    if not Path(dst).parent.parent.is_dir():
        return
    media.cut(source, dst, start_s, end_s, exact=True, progress=telling(""))


def telling(label: str) -> Callable[[float], None]:
    """A media job's progress callback that tells the worker ``[PROGRESS, label, fraction]``."""
    return at_most_twice_a_second(lambda fraction: tell(PROGRESS, label, fraction))


def at_most_twice_a_second(report: Callable[[float], None]) -> Callable[[float], None]:
    """A progress callback that passes a fraction on to ``report`` at most twice a second, however often
    the job reports."""
    last = [0.0]

    def passed_on(fraction: float) -> None:
        now = time.monotonic()
        if now - last[0] >= 0.5:
            last[0] = now
            report(fraction)

    return passed_on


def told_progress(what: list, labels: tuple[str, ...]) -> tuple[str, str] | None:
    """A progress tell as ``(label, "42%")``, or None for anything else. What a child tells is checked,
    not trusted: a child that a hostile file got the better of could tell anything."""
    if len(what) != 3 or what[0] != PROGRESS or what[1] not in labels:
        return None
    fraction = what[2]
    if not isinstance(fraction, int | float) or not math.isfinite(fraction):
        return None
    return what[1], f"{round(min(max(fraction, 0.0), 1.0) * 100)}%"
