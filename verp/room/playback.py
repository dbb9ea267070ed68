"""The room's playback of a moment, driven from Control and followed by Present: micro-analysis.

Kept in the workshop row (``playing`` in its own column, the rest as JSON in ``playback``) so every
screen and every instance agrees and a reloaded projector picks up where the room was. A seek (a jump to
a freeze-frame, a frame back or on) is a *command* with a sequence number: Present applies each one
once, however often it redraws. Times are seconds into the moment (its cut starts at the moment's start).

Browsers only play sound after someone clicks the page, so the projector asks once for "Start with
sound"; until then it plays muted and ``sound_unlocked`` (written by the projector) is False.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, replace

FRAME_S = 1 / 30  # one frame of a typical phone or camera recording
RATES = (0.5, 1.0)


@dataclass(frozen=True)
class Playback:
    playing: bool = True
    muted: bool = True
    rate: float = 1.0
    loop: bool = True
    seek_s: float = 0.0  # where to go (absolute), or how far (relative) …
    seek_relative: bool = False
    seek_seq: int = 0  # … once per command: Present remembers the last one it applied
    sound_unlocked: bool = False
    captions: bool = True

    def stored(self) -> str:
        """The JSON kept in the workshop row (``playing`` has its own column)."""
        data = asdict(self)
        data.pop("playing")
        return json.dumps(data, sort_keys=True)

    def for_screen(self) -> dict:
        return asdict(self)


def read_playback(stored: str | None, playing: bool = True) -> Playback:
    """The playback kept in a workshop row; anything missing or unreadable takes its default."""
    try:
        data = json.loads(stored or "{}")
    except ValueError:
        data = {}
    if not isinstance(data, dict):
        data = {}
    base = Playback()
    rate = data.get("rate", base.rate)
    return Playback(
        playing=bool(playing),
        muted=bool(data.get("muted", base.muted)),
        rate=float(rate) if rate in RATES else base.rate,
        loop=bool(data.get("loop", base.loop)),
        seek_s=float(data.get("seek_s", 0.0) or 0.0),
        seek_relative=bool(data.get("seek_relative", False)),
        seek_seq=int(data.get("seek_seq", 0) or 0),
        sound_unlocked=bool(data.get("sound_unlocked", False)),
        captions=bool(data.get("captions", base.captions)),
    )


def _seconds(value) -> float:
    """A time a command names, as a finite number: the playback goes to every screen as JSON, which has
    no NaN or infinity (one would stop the projector's player reading it)."""
    seconds = float(value or 0.0)
    if not math.isfinite(seconds):
        raise ValueError("a playback time must be a number of seconds")
    return seconds


def _seek(p: Playback, seconds: float, relative: bool) -> Playback:
    return replace(p, playing=False, seek_s=float(seconds), seek_relative=relative, seek_seq=p.seek_seq + 1)


COMMANDS = ("play", "pause", "freeze", "sound", "rate", "loop", "captions", "frame", "jump")


def command(p: Playback, name: str, value: float | bool | None = None) -> Playback:
    """The playback after one of Control's commands.

    play / pause; freeze (stop on the frame shown now); sound (True: on); rate (0.5 or 1); loop (True:
    on); captions (True: shown); frame (-1 or +1: one frame back or on, paused); jump (seconds into the
    moment, paused there).
    """
    if name == "play":
        return replace(p, playing=True)
    if name in ("pause", "freeze"):
        return replace(p, playing=False)
    if name == "sound":
        return replace(p, muted=not bool(value))
    if name == "rate":
        if value not in RATES:
            raise ValueError(f"rate must be one of {RATES}")
        return replace(p, rate=float(value))
    if name == "loop":
        return replace(p, loop=bool(value))
    if name == "captions":
        return replace(p, captions=bool(value))
    if name == "frame":
        return _seek(p, FRAME_S if _seconds(value) > 0 else -FRAME_S, relative=True)
    if name == "jump":
        return _seek(p, max(_seconds(value), 0.0), relative=False)
    raise ValueError(f"unknown playback command {name!r}")


def for_new_step(p: Playback) -> Playback:
    """A new step starts its moment playing at normal speed, looping; the sound and captions stay as
    they were."""
    return replace(p, playing=True, rate=1.0, loop=True, seek_s=0.0, seek_relative=False)
