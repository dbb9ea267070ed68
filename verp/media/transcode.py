"""The PyAV loops behind verp.media.jobs: re-encoding (prepare, proxies, exact cuts), stream copy
(remux, moment cuts) and single frames (stills, thumbnails).

Kept apart from ``verp.media.jobs`` so that module reads as the list of jobs; this one only knows
PyAV. It streams packet by packet (never a whole video in memory) and raises PyAV's own errors,
which ``verp.media.jobs`` turns into messages for teachers.

A transcode decodes on a thread of its own while the calling thread encodes, muxes and reports
progress: PyAV releases the GIL inside FFmpeg, so the two can overlap on separate cores. A small
bounded queue between them keeps memory flat.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
from av.video.reformatter import VideoReformatter

Progress = Callable[[float], None]

# Codec threads for decoding and encoding: 0 is FFmpeg's automatic count (from the number of cores),
# the same default the ffmpeg command line uses, so the benchmark can pass it to both.
THREADS = 0


@dataclass(frozen=True)
class EncodeSettings:
    """How hard to work: full quality for the playable copy, fast and small for proxies."""

    max_short_side: int = 1080
    preset: str = "veryfast"
    crf: int = 23
    audio_bit_rate: int = 128_000
    interpolation: str = "BICUBIC"


PLAYABLE = EncodeSettings()
PROXY = EncodeSettings(
    max_short_side=480,
    preset="ultrafast",
    crf=28,
    audio_bit_rate=96_000,
    interpolation="FAST_BILINEAR",
)


def output_size(width: int, height: int, max_short_side: int) -> tuple[int, int]:
    """Scale so the short side fits, then round to even: libx264 4:2:0 rejects odd sizes."""
    scale = min(1.0, max_short_side / min(width, height))
    return max(2, round(width * scale / 2) * 2), max(2, round(height * scale / 2) * 2)


@dataclass
class _Window:
    """The part of the source to keep, in seconds of the source's own timeline."""

    start: float
    end: float | None
    total: float

    def keeps(self, t: float | None) -> bool:
        if t is None or t < self.start - 1e-3:
            return False
        return self.end is None or t < self.end

    def fraction(self, t: float) -> float:
        end = self.end if self.end is not None else self.total
        span = max(end - self.start, 1e-6)
        return min(1.0, max(0.0, (t - self.start) / span))


def transcode(
    src: Path,
    dst: Path,
    settings: EncodeSettings,
    rotation: int,
    total_s: float,
    start_s: float | None = None,
    end_s: float | None = None,
    progress: Progress | None = None,
) -> float:
    """Re-encode src (or the start..end part of it) to H.264/AAC MP4 with faststart.

    Times are on the source's own timeline (including any container start offset). Returns
    the time of the first frame written, which is the real start of the output.
    """
    window = _Window(start_s or 0.0, end_s, total_s)
    out_opts = {"movflags": "faststart"}
    with av.open(str(src)) as inp, av.open(str(dst), "w", format="mp4", options=out_opts) as out:
        v_in = inp.streams.video[0]
        a_in = inp.streams.audio[0] if inp.streams.audio else None
        v_in.thread_type, v_in.thread_count = "AUTO", THREADS
        v_out = _video_encoder(out, v_in, settings, rotation)
        a_out = _audio_encoder(out, a_in, settings) if a_in is not None else None
        if start_s:
            inp.seek(int(start_s * 1_000_000), backward=True)
        streams = [s for s in (v_in, a_in) if s is not None]
        # The decoder thread must be stopped before ``inp`` closes: the with-block guarantees it.
        with _Decoder(inp, streams, window, v_out, settings) as frames:
            first = _pump(frames, v_out, a_out, out, window, progress)
        out.mux(v_out.encode())
        if a_out is not None:
            out.mux(a_out.encode())
    return first if first is not None else window.start


def _video_encoder(out, v_in, settings: EncodeSettings, rotation: int):
    rate = v_in.average_rate or v_in.guessed_rate or 30
    options = {"preset": settings.preset, "crf": str(settings.crf)}
    v_out = out.add_stream("libx264", rate=rate, options=options)
    ctx = v_in.codec_context
    v_out.width, v_out.height = output_size(ctx.width, ctx.height, settings.max_short_side)
    v_out.pix_fmt = "yuv420p"
    # PyAV defaults to SLICE, which makes libx264 use sliced threads: ~25 % slower than the
    # frame threads the ffmpeg CLI uses.
    v_out.thread_type, v_out.thread_count = "AUTO", THREADS
    # Keep the source's clock so variable frame rate timing survives unchanged.
    v_out.codec_context.time_base = v_in.time_base
    if rotation:
        v_out.set_display_rotation(rotation)
    return v_out


def _audio_encoder(out, a_in, settings: EncodeSettings):
    in_rate = a_in.codec_context.sample_rate or 48000
    rate = in_rate if in_rate in (44100, 48000) else 48000
    a_out = out.add_stream("aac", rate=rate)
    a_out.layout = "stereo"  # surround is downmixed: classroom review needs speech, not 5.1
    a_out.bit_rate = settings.audio_bit_rate
    return a_out


def _pump(frames: Iterator[tuple[float, Any, bool]], v_out, a_out, out, window, progress) -> float | None:
    """Encode and mux the decoded frames; returns the first video time (None if none)."""
    first: float | None = None
    last_pts = -1
    reported = -1.0
    time_base = v_out.codec_context.time_base
    for t, frame, is_video in frames:
        if is_video:
            if first is None:
                first = t
            pts = round((t - first) / time_base)
            if pts <= last_pts:
                continue  # duplicate or backwards timestamp: drop, keep the file valid
            last_pts = pts
            frame.pts = pts
            frame.time_base = time_base
            frame.pict_type = av.video.frame.PictureType.NONE
            out.mux(v_out.encode(frame))
            done = window.fraction(t)
            if progress is not None and done - reported >= 0.01:
                reported = done
                progress(done)
        elif a_out is not None and first is not None:
            frame.pts = None  # the encoder numbers samples itself, starting with the video
            out.mux(a_out.encode(frame))
    return first


_QUEUE_FRAMES = 8  # a 1080p yuv420p frame is 3 MB: the queue holds at most ~25 MB of them
_DONE = object()


class _Decoder:
    """Demux, decode, trim to the window and scale on a background thread.

    Iterating gives ``(time, frame, is_video)`` for every frame inside the window, in decode
    order, with video frames already at the output size and pixel format. Errors on the thread
    (a damaged packet) are raised again in the iterating thread. Leaving the with-block, normally
    or by an exception, stops the thread and waits for it, so the input may be closed after.
    """

    def __init__(self, inp, streams, window: _Window, v_out, settings: EncodeSettings) -> None:
        self._inp, self._streams, self._window = inp, streams, window
        self._size = (v_out.width, v_out.height)
        self._interpolation = settings.interpolation
        self._reformatter = VideoReformatter()  # one swscale context for the whole clip
        self._queue: queue.Queue = queue.Queue(maxsize=_QUEUE_FRAMES)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="verp-decode", daemon=True)

    def __enter__(self) -> Iterator[tuple[float, object, bool]]:
        self._thread.start()
        return self._frames()

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        while self._thread.is_alive():  # free a put() that is waiting for room
            try:
                self._queue.get_nowait()
            except queue.Empty:
                self._thread.join(0.05)
        self._thread.join()

    def _frames(self) -> Iterator[tuple[float, object, bool]]:
        while True:
            item = self._queue.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item

    def _put(self, item) -> bool:
        """Queue an item, waiting for room; False once the consumer has gone."""
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                pass
        return False

    def _run(self) -> None:
        try:
            for packet in self._inp.demux(self._streams):
                is_video = packet.stream.type == "video"
                for frame in _decode(packet):
                    t = frame.time
                    if not self._window.keeps(t):
                        continue
                    if is_video:
                        frame = self._scaled(frame)
                    if not self._put((t, frame, is_video)):
                        return
                if self._stop.is_set() or _past_end(packet, self._window, is_video):
                    break
        except BaseException as exc:  # handed over to the consumer, which raises it
            self._put(exc)
            return
        self._put(_DONE)

    def _scaled(self, frame):
        width, height = self._size
        return self._reformatter.reformat(
            frame, width=width, height=height, format="yuv420p", interpolation=self._interpolation
        )


def _decode(packet) -> list:
    """Decode one packet; after a seek, MPEG audio can start mid-frame, so skip such a packet."""
    try:
        return packet.decode()
    except av.error.InvalidDataError:
        if packet.stream.type == "video":
            raise
        return []


def _past_end(packet, window: _Window, is_video: bool) -> bool:
    if window.end is None or not is_video or packet.dts is None:
        return False
    # One second of slack so frames still inside the window (B-frame reordering) get decoded.
    return float(packet.dts * packet.time_base) > window.end + 1.0


def fraction_of(value: Fraction | None) -> float | None:
    """A PyAV rate as a float, or None when the container does not know it."""
    return float(value) if value else None


# ---------------------------------------------------------------- stream copy and pictures

_FASTSTART = {"movflags": "faststart"}


def remux(inp, dst: Path, duration_s: float, progress: Progress | None) -> None:
    """Copy the first video and audio streams into a faststart MP4 without re-encoding."""
    with av.open(str(dst), "w", format="mp4", options=_FASTSTART) as out:
        streams = [inp.streams.video[0]] + list(inp.streams.audio[:1])
        outs = {s.index: out.add_stream_from_template(s) for s in streams}
        step, done = max(1, len(streams[0].index_entries or ()) // 100), 0.0
        for n, packet in enumerate(inp.demux(streams)):
            if packet.dts is None:
                continue  # demux ends each stream with an empty flush packet
            packet.stream = outs[packet.stream.index]
            out.mux(packet)
            if progress is not None and n % step == 0 and packet.pts is not None:
                t = float(packet.pts * packet.time_base) / max(duration_s, 1e-3)
                done = max(done, min(1.0, t))  # audio priming can start below zero
                progress(done)


def copy_window(inp, dst: Path, start_s: float, end_s: float) -> float | None:
    """Stream copy from the keyframe at or before start; returns that keyframe's time.

    Video packets are kept while their decode time is before the end, so every frame shown
    before the end has the frames it refers to.
    """
    with av.open(str(dst), "w", format="mp4", options=_FASTSTART) as out:
        v = inp.streams.video[0]
        streams = [v] + list(inp.streams.audio[:1])
        outs = {s.index: out.add_stream_from_template(s) for s in streams}
        inp.seek(int(start_s * 1_000_000), backward=True)
        key: float | None = None
        for packet in inp.demux(streams):
            if packet.dts is None or packet.pts is None:
                continue
            t = float(packet.pts * packet.time_base)
            if packet.stream is v and key is None:
                if not packet.is_keyframe:
                    continue
                key = t
            if key is None or t < key:
                continue
            if float(packet.dts * packet.time_base) >= end_s:
                if packet.stream is v:
                    break
                continue
            offset = round(key / packet.time_base)
            packet.pts, packet.dts = packet.pts - offset, packet.dts - offset
            packet.stream = outs[packet.stream.index]
            out.mux(packet)
    return key


def frame_at(c, v, t: float):
    """The frame on screen at t: seek to the keyframe before t and decode forward, so the
    cost does not grow with t. None if nothing decodes."""
    c.seek(int(t * 1_000_000), backward=True)
    shown = None
    for frame in c.decode(v):
        if shown is not None and frame.time is not None and frame.time > t + 1e-4:
            break
        shown = frame
    return shown


def keyframe_at(c, v, t: float):
    """The keyframe at or before t, decoding nothing else (fast thumbnails)."""
    v.codec_context.skip_frame = "NONKEY"
    c.seek(int(t * 1_000_000), backward=True)
    for frame in c.decode(v):
        return frame
    return None


def save_image(frame, path: Path, fmt: str, max_width: int | None) -> None:
    """Scale with swscale (cheap), then rotate as displayed; Pillow writes JPEG or PNG."""
    rotation = round(frame.rotation) % 360
    shown_w = frame.height if rotation % 180 == 90 else frame.width
    scale = min(1.0, max_width / shown_w) if max_width else 1.0
    w, h = max(1, round(frame.width * scale)), max(1, round(frame.height * scale))
    image = frame.reformat(width=w, height=h, format="rgb24").to_image()
    if rotation:
        image = image.rotate(rotation, expand=True)  # PyAV's rotation is counter-clockwise
    image.save(path, format=fmt, **({"quality": 88} if fmt == "JPEG" else {}))
