"""Clip files: probe, make browser-playable, cut a moment, stills and thumbnails (PyAV only).

Every job opens containers with ``with``, streams packet by packet, writes to a temporary name
beside the destination and renames it into place only on success, and reports any problem as
one ``MediaError`` whose message a teacher can act on.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import av

from verp.core import config
from verp.core.errors import VerpError
from verp.media import transcode as tx

Progress = Callable[[float], None]

MP4_FAMILY = "mov,mp4,m4a,3gp,3g2,mj2"
EMPTY = "The file is empty."
NOT_MEDIA = "This is not a video file we can read."
NO_VIDEO = "This file has sound only — a clip needs video."
DAMAGED = "The file is incomplete or damaged — it may not have finished uploading or recording."
UNSUPPORTED = "This video uses a format we cannot play ({codec}). Try exporting it as MP4."
TOO_LARGE = (
    "This video's picture is {w}×{h}, larger than 4K (3840×2160). "
    "Export it from the phone or camera at 4K or smaller."
)
TOO_LONG = (
    "This video is about {m} minutes long; a clip can be up to {limit} minutes. "
    "Trim it to the part you want to look at, or film a shorter clip."
)
TOO_FAST = (
    "This video says it has {fps:.0f} pictures a second; a clip can have up to {limit:.0f}. Export it again."
)
TOO_MANY_STREAMS = (
    "This file holds {n} tracks; a clip can have up to {limit}. Export it again as a plain video with sound."
)
# Magic bytes of containers people upload: a file that starts like one but will not open is
# damaged rather than "not a video".
_MAGIC = (b"ftyp", b"moov", b"mdat", b"wide", b"free", b"\x1a\x45\xdf\xa3", b"RIFF", b"OggS")
# The first box of an MP4/MOV file: its header (the moov) lists every stream and sample, so nothing
# needs to be decoded to learn the streams.
_MP4_BOXES = (b"ftyp", b"moov", b"mdat", b"wide", b"free", b"skip")
# FFmpeg's stream-info pass reads (and decodes) packets until it has seen this many bytes; an MP4's
# header already says what it would find, so reading one packet's worth is enough.
_HEADER_ONLY = {"probesize": "32"}


class MediaError(VerpError):
    """A clip cannot be used; the message says why in words a teacher understands."""


@dataclass(frozen=True)
class ClipInfo:
    """Facts about a clip file; width and height are as displayed (after rotation)."""

    duration_s: float
    width: int
    height: int
    fps: float | None
    video_codec: str
    audio_codec: str | None
    rotation: int
    size_bytes: int
    container: str
    browser_playable: bool

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class CutResult:
    """A cut moment: start_s/end_s are the real times in the source (keyframe-aligned copy)."""

    info: ClipInfo
    start_s: float
    end_s: float
    exact: bool

    def to_dict(self) -> dict:
        return {
            "start_s": self.start_s,
            "end_s": self.end_s,
            "exact": self.exact,
            **self.info.to_dict(),
        }


# ---------------------------------------------------------------- opening and errors


def _media_kind_error(path: Path) -> MediaError:
    with open(path, "rb") as f:
        head = f.read(12)
    looks_like_media = any(m in head for m in _MAGIC) or head[:3] == b"\x00\x00\x01"
    return MediaError(DAMAGED if looks_like_media else NOT_MEDIA)


def _is_mp4_family(path: Path) -> bool:
    with open(path, "rb") as f:
        return f.read(8)[4:8] in _MP4_BOXES


@contextlib.contextmanager
def _reading(path: str | Path, header_only: bool = False) -> Iterator[av.container.InputContainer]:
    """Open for reading; empty, non-media and damaged files become MediaError.

    ``header_only`` is for jobs that decode what they need themselves (probe, stills): an MP4's
    streams are then taken from its header without FFmpeg decoding packets to guess their details
    (most of the cost of opening). Stream copies keep the full pass, whose details the muxer uses.
    """
    path = Path(path)
    if not path.is_file():
        raise MediaError("The clip file is missing.")
    if path.stat().st_size == 0:
        raise MediaError(EMPTY)
    options = _HEADER_ONLY if header_only and _is_mp4_family(path) else None
    try:
        container = av.open(str(path), container_options=options)
    except (av.error.FFmpegError, EOFError, UnicodeDecodeError) as exc:
        raise _media_kind_error(path) from exc
    with container:
        if not container.streams.video:
            raise MediaError(NO_VIDEO) if container.streams.audio else _media_kind_error(path)
        try:
            yield container
        except (av.error.FFmpegError, EOFError) as exc:
            raise MediaError(DAMAGED) from exc


@contextlib.contextmanager
def _writing(dst: str | Path) -> Iterator[Path]:
    """A temporary path beside dst; renamed to dst on success, removed on any failure."""
    dst = Path(dst)
    dst.parent.mkdir(parents=True, exist_ok=True)
    tmp = dst.with_name(f".{dst.stem}.{uuid.uuid4().hex[:8]}.part{dst.suffix}")
    try:
        yield tmp
        os.replace(tmp, dst)
    except (av.error.FFmpegError, EOFError) as exc:
        raise MediaError(DAMAGED) from exc
    finally:
        tmp.unlink(missing_ok=True)


# ---------------------------------------------------------------- probing


def probe(path: str | Path, limits: MediaLimits | None = None) -> ClipInfo:
    """Read a clip's facts cheaply: the container's header and index, and one decoded frame.

    A file over ``limits`` (the settings' by default) is refused from its headers before any frame is
    decoded: a hostile file must not cost memory or hours of CPU just to be looked at. The cost does not
    grow with the file: nothing walks the packets (an MP4's completeness is checked against its index),
    and the one frame is decoded for what only frames carry in PyAV, the rotation and the pixel format.
    """
    path = Path(path)
    limits = limits or MediaLimits.from_settings(config.settings())
    size = path.stat().st_size if path.is_file() else 0
    with _reading(path, header_only=True) as c:
        v = c.streams.video[0]
        check_limits(c, limits)
        _check_decodable(v)
        _check_complete(c, size)
        first = _first_frame(c, v)  # one frame, of a size the limits allow
        rotation = round(first.rotation) % 360
        duration_s = _duration(c, v)
        _check_duration(duration_s, limits)  # again: some recordings carry no duration in their headers
        a = c.streams.audio[0] if c.streams.audio else None
        width, height = v.codec_context.width, v.codec_context.height
        if rotation % 180 == 90:
            width, height = height, width
        video_codec = v.codec_context.name
        audio_codec = a.codec_context.name if a is not None else None
        return ClipInfo(
            duration_s=round(duration_s, 3),
            width=width,
            height=height,
            fps=tx.fraction_of(v.average_rate or v.guessed_rate),
            video_codec=video_codec,
            audio_codec=audio_codec,
            rotation=rotation,
            size_bytes=size,
            container=c.format.name,
            browser_playable=c.format.name == MP4_FAMILY
            and video_codec == "h264"
            and first.format.name == "yuv420p"
            and audio_codec in (None, "aac"),
        )


@dataclass(frozen=True)
class MediaLimits:
    """What a clip may claim in its headers: phones film up to 4K; anything past these is refused."""

    max_duration_s: float = config.DEFAULT_MAX_CLIP_S
    max_long_side: int = 3840
    max_short_side: int = 2160
    max_fps: float = 240
    max_streams: int = 16

    @classmethod
    def from_settings(cls, settings: config.Settings) -> MediaLimits:
        return cls(
            settings.max_clip_s,
            settings.max_frame_long_side,
            settings.max_frame_short_side,
            settings.max_clip_fps,
            settings.max_clip_streams,
        )


def check_limits(c, limits: MediaLimits) -> None:
    """Refuse a file whose headers claim more than a clip may be: picture size, frame rate, tracks."""
    if len(c.streams) > limits.max_streams:
        raise MediaError(TOO_MANY_STREAMS.format(n=len(c.streams), limit=limits.max_streams))
    for stream in c.streams.video:
        width, height = stream.codec_context.width, stream.codec_context.height
        if max(width, height) > limits.max_long_side or min(width, height) > limits.max_short_side:
            raise MediaError(TOO_LARGE.format(w=width, h=height))
        rate = tx.fraction_of(stream.average_rate)
        if rate and rate > limits.max_fps:
            raise MediaError(TOO_FAST.format(fps=rate, limit=limits.max_fps))
    header_s = c.duration / 1_000_000 if c.duration else 0.0
    _check_duration(header_s, limits)


def _check_duration(seconds: float, limits: MediaLimits) -> None:
    if seconds > limits.max_duration_s:
        raise MediaError(TOO_LONG.format(m=round(seconds / 60), limit=round(limits.max_duration_s / 60)))


def _check_decodable(v) -> None:
    codec = v.codec_context
    if codec is None or not codec.name or not codec.width or not codec.height:
        raise MediaError(UNSUPPORTED.format(codec=getattr(codec, "name", None) or "unknown"))


def _check_complete(c, size: int) -> None:
    """An MP4/MOV with its index at the front opens fine even when the data was cut off: the last
    sample the index names must lie inside the file (the index is read, never walked)."""
    if c.format.name != MP4_FAMILY:
        return
    for stream in c.streams:
        entries = stream.index_entries
        if entries is not None and len(entries) and entries[-1].pos + entries[-1].size > size:
            raise MediaError(DAMAGED)


def _first_frame(c, v):
    """Rotation and pixel format live on decoded frames in PyAV 18, so decode the first one (on
    one thread: a pool of decoding threads costs more to start than one frame takes)."""
    v.codec_context.thread_count = 1
    for frame in c.decode(v):
        return frame
    raise MediaError(DAMAGED)


def _duration(c, v) -> float:
    if c.duration:
        return c.duration / 1_000_000
    if v.duration and v.time_base:
        return float(v.duration * v.time_base)
    # Some recordings (e.g. live Matroska) carry no duration: find the last packet's time.
    c.seek(2**62, backward=True, any_frame=True)
    last = 0.0
    for packet in c.demux(v):
        if packet.pts is not None:
            last = max(last, float((packet.pts + (packet.duration or 0)) * packet.time_base))
    return max(0.0, last - _origin(c))


def _origin(c) -> float:
    """Container start time in seconds: MPEG streams often start at 0.5 s, not 0."""
    return (c.start_time or 0) / 1_000_000


def needs_transcode(info: ClipInfo) -> bool:
    """True when a remux will not do: codecs some browsers cannot play, or larger than 1080p."""
    return not info.browser_playable or min(info.width, info.height) > 1080


# ---------------------------------------------------------------- playable copies


def prepare(src: str | Path, dst: str | Path, progress: Progress | None = None) -> ClipInfo:
    """Make the browser-playable MP4 (faststart): remux when possible, else transcode once."""
    info = probe(src)
    with _writing(dst) as tmp:
        if needs_transcode(info):
            _transcode(src, tmp, tx.PLAYABLE, info, progress)
        else:
            with _reading(src) as inp:
                tx.remux(inp, tmp, info.duration_s, progress)
    if progress is not None:
        progress(1.0)
    if needs_transcode(info):
        return probe(dst)
    # A remux changes only the wrapping: no need to open and decode the copy again.
    return dataclasses.replace(info, size_bytes=Path(dst).stat().st_size, container=MP4_FAMILY)


def make_review_proxy(src: str | Path, dst: str | Path, progress: Progress | None = None) -> ClipInfo:
    """A small quick 480p copy to review while (or instead of) the full transcode runs."""
    info = probe(src)
    with _writing(dst) as tmp:
        _transcode(src, tmp, tx.PROXY, info, progress)
    if progress is not None:
        progress(1.0)
    return probe(dst)


def _transcode(src, tmp: Path, settings, info: ClipInfo, progress, start=None, end=None) -> float:
    with _reading(src) as c:
        origin = _origin(c)
    if start is not None:
        start, end = start + origin, end + origin
    try:
        first = tx.transcode(
            Path(src), tmp, settings, info.rotation, info.duration_s + origin, start, end, progress
        )
    except (av.error.FFmpegError, EOFError) as exc:
        raise MediaError(DAMAGED) from exc
    return first - origin


# ---------------------------------------------------------------- moments


def cut(
    src: str | Path,
    dst: str | Path,
    start_s: float,
    end_s: float,
    exact: bool = False,
    progress: Progress | None = None,
) -> CutResult:
    """Cut start..end into an MP4. Copy starts at the keyframe at or before start_s (cheap);
    exact=True re-encodes just the sub-clip so it starts on the exact frame."""
    info = probe(src)
    _check_window(info, start_s, end_s)
    with _writing(dst) as tmp:
        if exact or needs_transcode(info):
            real_start = _transcode(src, tmp, tx.PLAYABLE, info, progress, start_s, end_s)
        else:
            with _reading(src) as inp:
                key = tx.copy_window(inp, tmp, start_s + _origin(inp), end_s + _origin(inp))
                if key is None:
                    raise MediaError(DAMAGED)
                real_start = key - _origin(inp)
    out = probe(dst)
    return CutResult(out, round(real_start, 3), round(real_start + out.duration_s, 3), exact)


def _check_window(info: ClipInfo, start_s: float, end_s: float) -> None:
    if start_s >= end_s:
        raise MediaError("The moment must end after it starts.")
    if start_s < 0 or start_s >= info.duration_s or end_s > info.duration_s + 0.05:
        raise MediaError(f"Those times are outside the clip (it is {info.duration_s:.1f} s long).")


# ---------------------------------------------------------------- pictures


def still(src: str | Path, dst: str | Path, at_s: float, max_width: int | None = None) -> Path:
    """Save the frame shown at at_s as JPEG or PNG (by dst suffix), rotated as displayed."""
    dst = Path(dst)
    _image_format(dst)
    with _reading(src, header_only=True) as c:
        v = c.streams.video[0]
        _check_decodable(v)
        duration = _duration(c, v)
        if not 0 <= at_s <= duration:
            raise MediaError(f"That time is outside the clip (it is {duration:.1f} s long).")
        v.thread_type, v.thread_count = "AUTO", tx.THREADS  # up to a GOP to decode: every core
        frame = _shown_at(c, v, at_s + _origin(c))
        with _writing(dst) as tmp:
            tx.save_image(frame, tmp, _image_format(dst), max_width)
    return dst


def _shown_at(c, v, t: float):
    frame = tx.frame_at(c, v, t)
    if frame is None:
        raise MediaError(DAMAGED)
    return frame


def thumbnails(src: str | Path, dst_dir: str | Path, count: int, width: int = 320) -> list[Path]:
    """count evenly spaced JPEG thumbnails, all distinct, from one open of the file.

    Keyframes only (fast); when two times land on the same keyframe, seek exactly instead.
    """
    if count < 1:
        raise MediaError("Ask for at least one thumbnail.")
    dst_dir = Path(dst_dir)
    paths = []
    with _reading(src, header_only=True) as c:
        v = c.streams.video[0]
        _check_decodable(v)
        duration, origin, seen = _duration(c, v), _origin(c), set()
        for i in range(count):
            t = origin + duration * (i + 0.5) / count
            frame = tx.keyframe_at(c, v, t)
            if frame is None or frame.pts in seen:
                v.codec_context.skip_frame = "DEFAULT"
                frame = _shown_at(c, v, t)
            seen.add(frame.pts)
            path = dst_dir / f"thumb_{i:02d}.jpg"
            with _writing(path) as tmp:
                tx.save_image(frame, tmp, "JPEG", width)
            paths.append(path)
    return paths


_IMAGE_FORMATS = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG"}


def _image_format(path: Path) -> str:
    try:
        return _IMAGE_FORMATS[path.suffix.lower()]
    except KeyError:
        raise MediaError("Save pictures as .jpg or .png.") from None
