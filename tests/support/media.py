"""Tiny media files made with PyAV, for any test that needs a clip.

Plain functions (not pytest fixtures) so every test module can import them:
``from tests.support.media import make_clip``. Defaults make a 2 s 160x120 H.264/AAC MP4 in
well under 0.3 s. Nothing here calls the ffmpeg command line.
"""

from __future__ import annotations

import os
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

# Which encoders and muxer go with a short container name.
_CONTAINERS = {
    "mp4": ("mp4", "aac"),
    "mov": ("mov", "aac"),
    "mkv": ("matroska", "aac"),
    "webm": ("webm", "libopus"),
    "mpeg": ("mpeg", "mp2"),
}
_VIDEO_ENCODERS = {"h264": "libx264", "hevc": "libx265", "vp8": "libvpx", "mpeg2": "mpeg2video"}


def make_clip(
    path: str | Path,
    seconds: float = 2,
    width: int = 160,
    height: int = 120,
    fps: int = 15,
    audio: bool = True,
    codec: str = "h264",
    container: str = "mp4",
    rotation: int = 0,
    keyint: int | None = None,
    faststart: bool = True,
    *,
    audio_channels: int = 2,
    vfr: bool = False,
    keyframes: list[int] | None = None,
    pix_fmt: str = "yuv420p",
) -> Path:
    """Write a small clip whose picture brightness changes every frame (so frames differ).

    ``codec`` is h264, hevc, vp8 or mpeg2; ``container`` is mp4, mov, mkv, webm or mpeg.
    ``vfr`` gives irregular frame times; ``keyframes`` lists the only frame numbers that are
    keyframes (scene-cut detection off). ``audio_channels=6`` writes 5.1 sound.
    """
    path = Path(path)
    fmt, audio_codec = _CONTAINERS[container]
    options = {"movflags": "faststart"} if faststart and fmt in ("mp4", "mov") else {}
    with av.open(str(path), "w", format=fmt, options=options) as out:
        video = _add_video(out, codec, width, height, fps, keyint, keyframes, pix_fmt)
        if rotation:
            video.set_display_rotation(rotation)
        sound = _add_audio(out, audio_codec, audio_channels) if audio else None
        _write_video(out, video, seconds, fps, vfr, keyframes)
        if sound is not None:
            _write_audio(out, sound, seconds, audio_channels)
    return path


def _add_video(out, codec, width, height, fps, keyint, keyframes, pix_fmt):
    options = {}
    name = _VIDEO_ENCODERS[codec]
    if name == "libx264":
        options = {"preset": "ultrafast", "tune": "zerolatency"}
        if keyframes is not None:
            options["x264-params"] = "scenecut=0"
    elif name == "libx265":
        options = {"preset": "ultrafast", "x265-params": "log-level=none"}
    elif name == "libvpx":
        options = {"deadline": "realtime", "cpu-used": "8"}
    stream = out.add_stream(name, rate=fps, options=options)
    stream.width, stream.height, stream.pix_fmt = width, height, pix_fmt
    # MPEG-2 only allows standard frame rates as its time base; others get room for VFR.
    ticks = 1 if name == "mpeg2video" else 100
    stream.codec_context.time_base = Fraction(1, fps * ticks)
    if keyframes is not None:
        stream.codec_context.gop_size = 100_000
    elif keyint:
        stream.codec_context.gop_size = keyint
    return stream


def _add_audio(out, codec, channels):
    rate = 48000 if codec in ("libopus", "mp2", "aac") else 44100
    stream = out.add_stream(codec, rate=rate)
    stream.layout = "5.1" if channels == 6 else ("mono" if channels == 1 else "stereo")
    return stream


def _write_video(out, stream, seconds, fps, vfr, keyframes):
    count = max(1, round(seconds * fps))
    ticks = round(1 / (stream.codec_context.time_base * fps))
    pts = 0
    for i in range(count):
        img = np.full((stream.height, stream.width, 3), (i * 37) % 256, np.uint8)
        img[: stream.height // 4, : stream.width // 4] = (0, 200, 0)  # a mark to see rotation
        frame = av.VideoFrame.from_ndarray(img, format="rgb24")
        frame.pts = pts
        if keyframes is not None and i in keyframes:
            frame.pict_type = av.video.frame.PictureType.I
        pts += (ticks // 2 if i % 3 else ticks * 2) if vfr else ticks
        out.mux(stream.encode(frame))
    out.mux(stream.encode())


def _write_audio(out, stream, seconds, channels):
    rate = stream.codec_context.sample_rate
    size = 960 if stream.codec_context.name == "libopus" else 1152
    size = 1024 if stream.codec_context.name == "aac" else size
    t = np.arange(size) / rate
    for n in range(int(seconds * rate) // size):
        tone = (0.2 * np.sin(2 * np.pi * 440 * (t + n * size / rate))).astype(np.float32)
        data = np.tile(tone, (channels, 1))
        fmt = stream.codec_context.format.name
        if fmt == "s16":
            data = (data * 32767).astype(np.int16).T.reshape(1, -1)
        frame = av.AudioFrame.from_ndarray(data, format=fmt, layout=stream.layout.name)
        frame.sample_rate, frame.pts = rate, n * size
        out.mux(stream.encode(frame))
    out.mux(stream.encode())


def make_audio_only(path: str | Path, seconds: float = 1) -> Path:
    """An M4A/MP4 with sound and no picture (a voice memo uploaded by mistake)."""
    path = Path(path)
    with av.open(str(path), "w", format="mp4") as out:
        stream = _add_audio(out, "aac", 2)
        _write_audio(out, stream, seconds, 2)
    return path


def make_empty_file(path: str | Path) -> Path:
    """A zero-byte file, as left by a failed upload."""
    path = Path(path)
    path.write_bytes(b"")
    return path


def make_text_file(path: str | Path) -> Path:
    """A text file renamed to look like a video."""
    path = Path(path)
    path.write_text("These are my lesson notes, not a video.\n" * 50)
    return path


def truncate(path: str | Path, keep: float = 0.6) -> Path:
    """Cut a file short in place, like an interrupted upload; returns the path."""
    path = Path(path)
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])
    return path


def make_truncated_clip(path: str | Path, faststart: bool = True, seconds: float = 2) -> Path:
    """An MP4 that stops part way: with the index at the front (opens fine) or at the end."""
    make_clip(path, seconds=seconds, faststart=faststart)
    return truncate(path, 0.6)


def write_niceness(path: str) -> None:
    """Write this process's CPU priority (its nice value and scheduling policy) to ``path``: run as a
    media child's work."""
    Path(path).write_text(f"{os.nice(0)} {os.sched_getscheduler(0)}")


def write_cores(path: str) -> None:
    """Write the CPUs this process may run on to ``path``: run as a media child's work."""
    Path(path).write_text(" ".join(map(str, sorted(os.sched_getaffinity(0)))))


def write_environment(path: str) -> None:
    """Write the names of this process's environment variables to ``path``: run as a media child's work."""
    Path(path).write_text("\n".join(sorted(os.environ)))


def leave_a_grandchild(path: str) -> None:
    """Start a process that keeps this one's output open and outlives it, write its pid to ``path``, and
    end at once: what a file that got the better of a decoder might do (a media child's work in tests)."""
    import subprocess

    grandchild = subprocess.Popen(["sleep", "600"])  # stdout inherited: the child's own output
    Path(path).write_text(str(grandchild.pid))


def tell_how_far(steps: int) -> str:
    """Tell the parent ``steps`` fractions of the way, then end: run as a media child's work."""
    from verp.media.child import tell

    for step in range(1, steps + 1):
        tell("progress", "Counting", step / steps)
    return "counted"


def flood_memory(*args) -> None:
    """A reader that a hostile file sends after all the memory it can get (a child's target in tests)."""
    bytearray(64 << 30)


def crash(*args) -> None:
    """A reader that a hostile file crashes (a child's target in tests)."""
    os.abort()
