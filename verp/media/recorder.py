"""A recording sink for camera frames: H.264 + AAC in Matroska, with honest timestamps.

Frames arrive from WebRTC callbacks on other threads (video and audio each on their own), and the
recording is finished from yet another (the page's, or the stream's "ended" callback). Every entry point
takes one lock, so the recorder can be fed and stopped from anywhere. No Streamlit here.

Why not aiortc's ``MediaRecorder``: it assumes 30 fps, so a webcam with uneven frame timing gave frozen
or stretched video, and its MP4 is unreadable until closed. Here each frame's time comes from its own
timestamp (``frame.time``), anchored to when it arrived, and is forced to rise; Matroska stays readable
when a write is cut short.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
from av.audio.fifo import AudioFifo

LOGGER = logging.getLogger(__name__)

VIDEO_TIME_BASE = Fraction(1, 1000)  # Matroska counts in milliseconds
AUDIO_RATE = 48000
# A frame's own clock may run ahead of its arrival by RESYNC_AHEAD_S (a clock jump) or lag behind it by
# RESYNC_BEHIND_S (a reset, or a long backlog) before arrival time is trusted instead.
RESYNC_AHEAD_S = 1.0
RESYNC_BEHIND_S = 5.0
MAX_WIDTH = 1920
# Close a Matroska cluster every second and push each packet to disk, so a server that dies mid-recording
# leaves a file that plays up to about its last second.
CRASH_SAFE = {"cluster_time_limit": "1000", "flush_packets": "1"}


@dataclass(frozen=True)
class RecorderStatus:
    """What the page shows while recording; safe to read from any thread."""

    state: str  # waiting | recording | limit | finished
    elapsed_s: float
    video_frames: int
    reached_limit: bool
    error: str | None


@dataclass(frozen=True)
class Recording:
    """The outcome: a finished file, or ``path=None`` when no frame was ever written."""

    path: Path | None
    video_frames: int
    audio_frames: int
    duration_s: float
    reached_limit: bool
    error: str | None = None


class _Clock:
    """Turns one stream's frame times into seconds since the recording began, always rising."""

    def __init__(self) -> None:
        self.anchor: float | None = None

    def seconds(self, frame_time: float | None, since_start: float) -> float:
        if frame_time is None:
            return since_start
        if self.anchor is not None:
            ahead = frame_time + self.anchor - since_start
            if ahead > RESYNC_AHEAD_S or ahead < -RESYNC_BEHIND_S:
                self.anchor = None
        if self.anchor is None:
            self.anchor = since_start - frame_time
        return max(0.0, frame_time + self.anchor)


class Recorder:
    """Write camera (and microphone) frames to ``path`` until finished or ``max_seconds`` is reached.

    The file is opened at the first video frame; audio before that is dropped. ``finish`` may be called
    any number of times from any thread and always returns the same ``Recording``.
    """

    def __init__(
        self,
        path: str | Path,
        max_seconds: float,
        audio: bool = True,
        clock: Callable[[], float] = time.monotonic,
        on_finished: Callable[[Recording], None] | None = None,
    ) -> None:
        self.path = Path(path)
        self.max_seconds = float(max_seconds)
        self.audio = audio
        self._clock = clock
        self._on_finished = on_finished
        self._lock = threading.Lock()
        # PyAV's output container, streams, resampler and FIFO: opened with the first camera frame.
        self._container: Any = None
        self._video: Any = None
        self._audio: Any = None
        self._origin: float | None = None
        self._video_clock = _Clock()
        self._audio_clock = _Clock()
        self._size: tuple[int, int] | None = None
        self._last_pts = -1
        self._elapsed = 0.0
        self._video_frames = 0
        self._audio_frames = 0
        self._audio_next: int | None = None
        self._fifo: Any = None
        self._resampler: Any = None
        self._reached_limit = False
        self._closed = False
        self._error: str | None = None
        self._result: Recording | None = None

    # ------------------------------------------------------------------ status

    @property
    def status(self) -> RecorderStatus:
        with self._lock:
            if self._result is not None:
                state = "finished"
            elif self._reached_limit:
                state = "limit"
            elif self._video_frames:
                state = "recording"
            else:
                state = "waiting"
            return RecorderStatus(state, self._elapsed, self._video_frames, self._reached_limit, self._error)

    # ------------------------------------------------------------------ frames in

    def add_video(self, frame: av.VideoFrame, arrival: float | None = None) -> None:
        """Encode one camera frame; its time comes from ``frame.time`` anchored to ``arrival``."""
        arrival = self._clock() if arrival is None else arrival
        with self._lock:
            if self._closed:
                return
            try:
                self._add_video(frame, arrival)
            except Exception as exc:  # a broken frame must not take the stream down
                self._fail("The camera picture could not be recorded.", exc)

    def add_audio(self, frame: av.AudioFrame, arrival: float | None = None) -> None:
        """Encode microphone sound; dropped until the first camera frame has opened the file."""
        arrival = self._clock() if arrival is None else arrival
        with self._lock:
            if self._closed or self._audio is None or self._origin is None:
                return
            try:
                self._add_audio(frame, arrival)
            except Exception as exc:
                self._fail("The sound could not be recorded.", exc)

    def _add_video(self, frame: av.VideoFrame, arrival: float) -> None:
        if self._origin is None:
            self._origin = arrival
            self._open(frame)
        t = self._video_clock.seconds(frame.time, arrival - self._origin)
        if t >= self.max_seconds:
            self._reached_limit = True
            self._close()
            return
        pts = max(round(t * 1000), self._last_pts + 1)  # strictly rising, whatever the camera says
        self._last_pts = pts
        assert self._size is not None  # set by _open with the first frame
        width, height = self._size
        out = frame.reformat(width=width, height=height, format="yuv420p")
        out.pts, out.time_base = pts, VIDEO_TIME_BASE
        for packet in self._video.encode(out):
            self._container.mux(packet)
        self._video_frames += 1
        self._elapsed = pts / 1000

    def _add_audio(self, frame: av.AudioFrame, arrival: float) -> None:
        assert self._origin is not None  # add_audio drops sound until the first camera frame
        t = self._audio_clock.seconds(frame.time, arrival - self._origin)
        if t >= self.max_seconds:
            return
        if self._audio_next is None:
            self._audio_next = round(t * AUDIO_RATE)
        elif t * AUDIO_RATE - (self._audio_next + self._fifo.samples) > RESYNC_AHEAD_S / 2 * AUDIO_RATE:
            self._audio_next = round(t * AUDIO_RATE) - self._fifo.samples  # sound dropped: leave a gap
        for resampled in self._resampler.resample(frame):
            resampled.pts = None
            self._fifo.write(resampled)
        self._audio_frames += 1
        self._drain_audio(self._audio.codec_context.frame_size or 1024)

    def _drain_audio(self, size: int, final: bool = False) -> None:
        while self._fifo.samples >= size or (final and self._fifo.samples):
            chunk = self._fifo.read(min(size, self._fifo.samples))
            assert self._audio_next is not None  # set by the first sound frame, before any is queued
            chunk.pts, chunk.time_base = self._audio_next, Fraction(1, AUDIO_RATE)
            self._audio_next += chunk.samples
            for packet in self._audio.encode(chunk):
                self._container.mux(packet)

    # ------------------------------------------------------------------ file

    def _open(self, first: av.VideoFrame) -> None:
        scale = min(1.0, MAX_WIDTH / max(first.width, 1))
        width = max(2, int(first.width * scale) // 2 * 2)  # libx264 yuv420p needs even sizes
        height = max(2, int(first.height * scale) // 2 * 2)
        self._size = (width, height)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._container = av.open(str(self.path), "w", format="matroska", options=CRASH_SAFE)
        video = self._container.add_stream("libx264", rate=30)
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        video.time_base = VIDEO_TIME_BASE
        video.codec_context.time_base = VIDEO_TIME_BASE
        video.options = {"preset": "ultrafast", "tune": "zerolatency", "crf": "23", "g": "60"}
        self._video = video
        if self.audio:
            sound = self._container.add_stream("aac", rate=AUDIO_RATE, layout="stereo")
            sound.time_base = Fraction(1, AUDIO_RATE)
            self._audio = sound
            self._resampler = av.AudioResampler(format="fltp", layout="stereo", rate=AUDIO_RATE)
            self._fifo = AudioFifo()

    def _close(self) -> None:
        """Flush the encoders and close the file; safe to call twice."""
        if self._closed:
            return
        self._closed = True
        if self._container is None:
            return
        try:
            if self._audio is not None and self._audio_next is not None:
                self._drain_audio(self._audio.codec_context.frame_size or 1024, final=True)
            for stream in (self._video, self._audio):
                if stream is not None:
                    for packet in stream.encode(None):
                        self._container.mux(packet)
        except Exception as exc:
            self._fail("The end of the recording could not be written.", exc)
        finally:
            try:
                self._container.close()
            except Exception as exc:
                self._fail("The recording could not be closed properly.", exc)

    def _fail(self, message: str, exc: Exception) -> None:
        LOGGER.exception("recorder: %s", message, exc_info=exc)
        self._error = self._error or message
        self._close()

    # ------------------------------------------------------------------ finish

    def finish(self) -> Recording:
        """Close the file (once) and say what was recorded. No frames → no file, ``path=None``."""
        with self._lock:
            first_time = self._result is None
            if first_time:
                self._close()
                self._result = self._outcome()
            result = self._result
        assert result is not None
        if first_time and self._on_finished is not None:
            self._on_finished(result)
        return result

    def _outcome(self) -> Recording:
        written = self._video_frames > 0 and self.path.exists() and self.path.stat().st_size > 0
        if not written:
            self.path.unlink(missing_ok=True)
        elif self._audio is not None and self._audio_next is None:
            _drop_empty_audio(self.path)
        return Recording(
            path=self.path if written else None,
            video_frames=self._video_frames,
            audio_frames=self._audio_frames,
            duration_s=self._elapsed,
            reached_limit=self._reached_limit,
            error=self._error,
        )


def _drop_empty_audio(path: Path) -> None:
    """Copy the picture alone to a new file when the microphone never sent a sound."""
    tmp = path.with_name(path.stem + ".video-only" + path.suffix)
    try:
        with av.open(str(path)) as src, av.open(str(tmp), "w", format="matroska") as dst:
            video_in = src.streams.video[0]
            video_out = dst.add_stream_from_template(video_in)
            for packet in src.demux(video_in):
                if packet.dts is None:
                    continue
                packet.stream = video_out
                dst.mux(packet)
        tmp.replace(path)
    except av.error.FFmpegError:
        LOGGER.exception("recorder: could not drop the empty sound track of %s", path)
        tmp.unlink(missing_ok=True)


def remux_to_mp4(src: Path, dst: Path) -> bool:
    """Copy a finished recording into an MP4 (no re-encoding), so it plays in every browser at once.

    Matroska is for the writing (it survives a crash); MP4 is what browsers play. False when the copy
    could not be made; the caller then keeps the Matroska file, which the app converts the slow way.
    """
    try:
        with (
            av.open(str(src)) as inp,
            av.open(str(dst), "w", format="mp4", options={"movflags": "faststart"}) as out,
        ):
            streams = [inp.streams.video[0], *inp.streams.audio[:1]]
            outs = {stream.index: out.add_stream_from_template(stream) for stream in streams}
            for packet in inp.demux(streams):
                if packet.dts is None:
                    continue
                packet.stream = outs[packet.stream.index]
                out.mux(packet)
        return True
    except (av.error.FFmpegError, IndexError):
        LOGGER.exception("recorder: could not copy %s into MP4", src)
        dst.unlink(missing_ok=True)
        return False
