"""The short media work a limited child does (``verp.media.sandbox``): looking at a new clip, a
freeze-frame's picture, a clip's strip of pictures.

This module imports nothing but the media layer, so its child starts in about a tenth of a second: a
person adding a clip waits for the look, and a teacher stepping a freeze-frame for its picture.
"""

from __future__ import annotations

from pathlib import Path

from verp.media import jobs as media

MIN_DURATION_S = 0.2
THUMB_WIDTH = 320
STILL_WIDTH = 1280
STRIP_COUNT = 8
NO_STRIP = ".none"  # in the strip's folder: the playable copy gave no pictures


def look(path: str, thumbnail: str, limits: dict) -> dict:
    """A new clip's headers against the limits, then its thumbnail (one picture)."""
    info = media.probe(path, media.MediaLimits(**limits))
    _refuse_stills(info)
    media.still(path, thumbnail, min(1.0, info.duration_s / 2), max_width=THUMB_WIDTH)
    return info.to_dict()


def _refuse_stills(info: media.ClipInfo) -> None:
    """A photo opens as a one-frame "video"; it is not a clip anyone can reflect on."""
    if info.container.endswith("_pipe") or info.container == "image2":
        raise media.MediaError("This is a photo, not a video.")
    if info.duration_s < MIN_DURATION_S:
        raise media.MediaError("This video is too short to look at together.")


def freeze_frame(source: str, dst: str, at_s: float, want_fps: bool = False) -> float | None:
    """One frame, as shown, at most ``STILL_WIDTH`` wide; and the clip's frame rate when asked for."""
    if not Path(dst).parent.parent.is_dir():  # the clip (and its folder) was deleted: make nothing
        return None
    media.still(source, dst, at_s, max_width=STILL_WIDTH)
    if not want_fps:
        return None
    try:
        return media.probe(source).fps
    except media.MediaError:  # the picture is made; the step a frame on keeps its 25 a second
        return None


def strip(playable: str, folder: str) -> None:
    """The strip of pictures across the clip, into ``folder``. A strip that cannot be made is marked so
    (``NO_STRIP``), and Review goes without."""
    where = Path(folder)
    where.mkdir(exist_ok=True)
    try:
        media.thumbnails(Path(playable), where, STRIP_COUNT)
    except media.MediaError:
        for path in where.glob("thumb_*.jpg"):
            path.unlink(missing_ok=True)
        (where / NO_STRIP).touch()
