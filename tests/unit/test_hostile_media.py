"""Hostile media is refused from its headers, before any frame is decoded, with a message for a teacher.

The files are made here, small and fast: they *claim* their sizes (a 4K stream of two frames two hours
apart, an image stream whose header says 8000×8000 ...). What they would cost to decode is measured in bench/.
"""

from __future__ import annotations

import re
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from tests.support.media import make_clip
from verp.media import jobs
from verp.review import clips
from verp.review.clips import ClipError


def _frames_at(
    path: Path, size: tuple[int, int], times_s: list[float], streams: int = 1, fps: int = 25
) -> Path:
    """Video streams whose frames sit at ``times_s``: the container's duration is the last time."""
    width, height = size
    codec = "libx264" if width * height > 1920 * 1080 else "mpeg4"
    options = {"preset": "ultrafast"} if codec == "libx264" else {}
    with av.open(str(path), "w", format="matroska") as out:
        video = [out.add_stream(codec, rate=fps, options=options) for _ in range(streams)]
        picture = np.zeros((height, width, 3), np.uint8)
        for stream in video:  # every stream before the first packet: the header is written then
            stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
            stream.codec_context.time_base = Fraction(1, 1000)
        for stream in video:
            for t in times_s:
                frame = av.VideoFrame.from_ndarray(picture, format="rgb24")
                frame.pts, frame.time_base = round(t * 1000), Fraction(1, 1000)
                out.mux(stream.encode(frame))
            out.mux(stream.encode())
    return path


def _image_stream_claiming(path: Path, width: int, height: int) -> Path:
    """A Motion-JPEG stream whose header claims ``width``×``height``; its pictures are a few bytes each."""
    with av.open(str(path), "w", format="matroska") as out:
        stream = out.add_stream("mjpeg", rate=25)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuvj420p"
        stream.codec_context.time_base = Fraction(1, 25)
        for n in range(50):
            packet = av.Packet(bytes(100))
            packet.stream = stream
            packet.pts = packet.dts = n
            packet.time_base = Fraction(1, 25)
            packet.is_keyframe = True
            out.mux(packet)
    return path


HOSTILE = {
    "a two-hour static 4K stream": (
        lambda p: _frames_at(p / "static.mkv", (3840, 2160), [0, 7200]),
        r"about 120 minutes long; a clip can be up to 20 minutes",
    ),
    "an 8000×8000 image stream": (
        lambda p: _image_stream_claiming(p / "huge.mkv", 8000, 8000),
        r"8000×8000, larger than 4K",
    ),
    "a ten-hour silent stream": (
        lambda p: _frames_at(p / "silent.mkv", (160, 120), [0, 36000]),
        r"about 600 minutes long",
    ),
    "a file with 50 streams": (
        lambda p: _frames_at(p / "many.mkv", (16, 16), [0, 1], streams=50),
        r"holds 50 tracks; a clip can have up to 16",
    ),
    "a stream claiming 1000 frames a second": (
        lambda p: _frames_at(p / "fast.mkv", (64, 48), [n / 1000 for n in range(40)], fps=1000),
        r"1000 pictures a second; a clip can have up to 240",
    ),
}


@pytest.fixture
def no_decoding(monkeypatch):
    """Decoding a frame of a hostile file is the cost we refuse: make it fail the test."""

    def decoded(*args, **kwargs):
        raise AssertionError("a frame was decoded before the limits were checked")

    monkeypatch.setattr(jobs, "_first_frame", decoded)


@pytest.mark.parametrize("case", list(HOSTILE))
def test_hostile_media_is_refused_from_its_headers(tmp_path, case, no_decoding):
    make, message = HOSTILE[case]
    with pytest.raises(jobs.MediaError, match=message):
        jobs.probe(make(tmp_path))


@pytest.mark.parametrize("case", ["a two-hour static 4K stream", "an 8000×8000 image stream"])
def test_a_hostile_upload_is_refused_with_a_message_and_nothing_is_kept(store, teacher, tmp_path, case):
    make, message = HOSTILE[case]
    path = make(tmp_path)
    with path.open("rb") as f, pytest.raises(ClipError, match=message) as refused:
        clips.add_clip(store, teacher.id, path.name, f)
    assert not re.search(r"[<>{}\[\]_]|Error|Exception", str(refused.value))  # plain words
    assert clips.list_clips(store, teacher.id) == []
    assert not any(store.settings.clips_dir.iterdir())


@pytest.mark.parametrize("size", [(3840, 2160), (2160, 3840)])
def test_4k_from_a_phone_is_accepted_either_way_up(tmp_path, size):
    info = jobs.probe(_frames_at(tmp_path / "phone.mkv", size, [0, 1]))
    assert (info.width, info.height) == size


def test_the_longest_clip_comes_from_the_settings(tmp_path):
    from verp.core.config import load_settings

    assert load_settings({"VERP_MAX_CLIP_S": "60"}).max_clip_s == 60
    short = jobs.MediaLimits(max_duration_s=60)
    with pytest.raises(jobs.MediaError, match="about 2 minutes long; a clip can be up to 1 minutes"):
        jobs.probe(_frames_at(tmp_path / "two.mkv", (64, 48), [0, 120]), short)


def _web_process_never_opens_media(monkeypatch) -> None:
    """The web server's own process must not open a clip: from here on every opening fails the test (the
    child process the clip is looked at in imports its own, untouched)."""

    def opened(*args, **kwargs):
        raise AssertionError("the web server opened a clip itself")

    monkeypatch.setattr(jobs.av, "open", opened)


def test_a_new_clip_is_looked_at_in_a_child_never_in_the_web_server(store, teacher, tmp_path, monkeypatch):
    path = make_clip(tmp_path / "lesson.mp4", seconds=2)
    _web_process_never_opens_media(monkeypatch)
    with path.open("rb") as f:
        clip = clips.add_clip(store, teacher.id, "lesson.mp4", f)
    assert clip.status == "processing" and clip.duration_s == pytest.approx(2, abs=0.2)
    assert (clip.width, clip.height) == (160, 120)
    assert clip.thumbnail is not None and clip.thumbnail.stat().st_size > 0  # made by the child


@pytest.mark.parametrize(
    ("reader", "message"),
    [("flood_memory", "needs more memory"), ("crash", "Reading this file stopped unexpectedly")],
)
def test_a_file_that_floods_or_crashes_the_reader_takes_only_the_child_and_is_refused_with_a_message(
    store, teacher, tmp_path, monkeypatch, reader, message
):
    """What a file built against the decoder does to the child that reads it (here done on purpose): the
    child stops, the server goes on, the person reads why, and nothing of the file is kept."""
    path = make_clip(tmp_path / "lesson.mp4", seconds=2)
    monkeypatch.setattr(clips, "LOOK_CHILD", f"tests.support.media:{reader}")
    with path.open("rb") as f, pytest.raises(ClipError, match=message) as refused:
        clips.add_clip(store, teacher.id, "lesson.mp4", f)
    assert not re.search(r"[<>{}\[\]_]|Error|Exception", str(refused.value))  # plain words
    assert clips.list_clips(store, teacher.id) == []
    assert not any(store.settings.clips_dir.iterdir())
