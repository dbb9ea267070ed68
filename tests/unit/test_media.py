"""verp.media.jobs on tiny generated clips: every job, every kind of bad input."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from types import SimpleNamespace

import av
import pytest
from PIL import Image

from tests.support.media import (
    make_audio_only,
    make_clip,
    make_empty_file,
    make_text_file,
    make_truncated_clip,
)
from verp.media import jobs as media
from verp.media import transcode as media_transcode
from verp.media.jobs import MediaError


def _streams(path: Path) -> tuple[str, str | None, int | None]:
    """(video codec, audio codec, audio channels) of an output file."""
    with av.open(str(path)) as c:
        a = c.streams.audio[0] if c.streams.audio else None
        return (
            c.streams.video[0].codec_context.name,
            a.codec_context.name if a else None,
            a.codec_context.channels if a else None,
        )


def _no_leftovers(folder: Path, *keep: str) -> bool:
    return sorted(p.name for p in folder.iterdir()) == sorted(keep)


def _brightness(path: Path, box=(100, 60, 150, 110)) -> float:
    """Mean grey level away from the green corner mark."""
    with Image.open(path) as im:
        region = im.convert("L").crop(box)
        return sum(region.tobytes()) / (region.width * region.height)


# ---------------------------------------------------------------- probe


def test_probe_reports_the_facts_of_a_plain_phone_clip(tmp_path):
    info = media.probe(make_clip(tmp_path / "a.mp4"))
    assert (info.width, info.height, info.fps, info.rotation) == (160, 120, 15.0, 0)
    assert info.duration_s == pytest.approx(2.0, abs=0.05)
    assert (info.video_codec, info.audio_codec) == ("h264", "aac")
    assert info.browser_playable and not media.needs_transcode(info)
    assert info.size_bytes == (tmp_path / "a.mp4").stat().st_size
    assert info.to_dict()["container"] == info.container


def test_portrait_clip_reports_displayed_size_and_rotation(tmp_path):
    info = media.probe(make_clip(tmp_path / "p.mp4", rotation=90))
    assert (info.width, info.height, info.rotation) == (120, 160, 90)


def test_variable_frame_rate_clip_has_duration_from_timestamps(tmp_path):
    info = media.probe(make_clip(tmp_path / "v.mp4", seconds=3, vfr=True))
    assert info.duration_s == pytest.approx(3.0, abs=0.2)
    assert info.fps is not None


def test_webm_without_frame_counts_probes_and_needs_transcode(tmp_path):
    info = media.probe(make_clip(tmp_path / "w.webm", codec="vp8", container="webm"))
    assert (info.video_codec, info.audio_codec) == ("vp8", "opus")
    assert info.duration_s == pytest.approx(2.0, abs=0.1)
    assert media.needs_transcode(info)


def test_mov_with_h264_and_aac_is_browser_playable(tmp_path):
    assert media.probe(make_clip(tmp_path / "m.mov", container="mov")).browser_playable


def test_mpeg2_program_stream_probes_with_duration_from_zero(tmp_path):
    info = media.probe(make_clip(tmp_path / "old.mpg", codec="mpeg2", container="mpeg"))
    assert info.video_codec == "mpeg2video" and info.audio_codec == "mp2"
    assert info.duration_s == pytest.approx(2.0, abs=0.1)
    assert media.needs_transcode(info)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (make_empty_file, "The file is empty."),
        (make_text_file, "not a video file"),
        (make_audio_only, "This file has sound only — a clip needs video."),
        (lambda p: make_truncated_clip(p, faststart=True), "incomplete or damaged"),
        (lambda p: make_truncated_clip(p, faststart=False), "incomplete or damaged"),
    ],
    ids=[
        "zero-bytes",
        "text-renamed",
        "audio-only",
        "truncated-faststart",
        "truncated-moov-at-end",
    ],
)
def test_bad_files_give_a_message_a_teacher_understands(tmp_path, make, message):
    path = make(tmp_path / "bad.mp4")
    with pytest.raises(MediaError, match=message):
        media.probe(path)


def test_video_in_a_codec_we_cannot_decode_is_reported_as_unsupported():
    # FFmpeg knows almost every codec, so fake the stream PyAV hands back for an unknown one.
    stream = SimpleNamespace(codec_context=SimpleNamespace(name="apv", width=0, height=0))
    with pytest.raises(MediaError, match=r"cannot play \(apv\)"):
        media._check_decodable(stream)


def test_missing_file_is_a_media_error(tmp_path):
    with pytest.raises(MediaError, match="missing"):
        media.probe(tmp_path / "gone.mp4")


# ---------------------------------------------------------------- prepare and proxy


def test_playable_clip_is_remuxed_with_index_first_and_progress(tmp_path):
    src = make_clip(tmp_path / "a.mp4", seconds=3, faststart=False)
    seen: list[float] = []
    info = media.prepare(src, tmp_path / "out.mp4", progress=seen.append)
    data = (tmp_path / "out.mp4").read_bytes()
    assert data.index(b"moov") < data.index(b"mdat")  # faststart: plays before fully loaded
    assert info.browser_playable and info.duration_s == pytest.approx(3.0, abs=0.05)
    assert seen and seen == sorted(seen) and seen[0] >= 0 and seen[-1] <= 1
    with av.open(str(src)) as a, av.open(str(tmp_path / "out.mp4")) as b:
        first = [bytes(p) for p in a.demux(video=0)][:5]
        assert first == [bytes(p) for p in b.demux(video=0)][:5]  # copied, not re-encoded


def test_webm_is_transcoded_to_browser_playable_mp4(tmp_path):
    src = make_clip(tmp_path / "w.webm", codec="vp8", container="webm")
    seen: list[float] = []
    info = media.prepare(src, tmp_path / "out.mp4", progress=seen.append)
    assert info.browser_playable and info.container == media.MP4_FAMILY
    assert info.duration_s == pytest.approx(2.0, abs=0.1)
    assert seen[-1] == pytest.approx(1.0, abs=0.1)


def test_surround_sound_is_downmixed_to_stereo(tmp_path):
    src = make_clip(tmp_path / "s.mkv", container="mkv", audio_channels=6)
    media.prepare(src, tmp_path / "out.mp4")
    assert _streams(tmp_path / "out.mp4") == ("h264", "aac", 2)


def test_transcode_keeps_rotation(tmp_path):
    src = make_clip(tmp_path / "p.mkv", container="mkv", rotation=90)
    info = media.prepare(src, tmp_path / "out.mp4")
    assert (info.width, info.height, info.rotation) == (120, 160, 90)


def test_odd_frame_size_is_rounded_to_even(tmp_path):
    src = make_clip(tmp_path / "odd.mp4", width=90, height=51, pix_fmt="yuv444p")
    info = media.prepare(src, tmp_path / "out.mp4")
    assert info.browser_playable and (info.width % 2, info.height % 2) == (0, 0)


def test_mpeg2_program_stream_becomes_playable(tmp_path):
    src = make_clip(tmp_path / "old.mpg", codec="mpeg2", container="mpeg")
    info = media.prepare(src, tmp_path / "out.mp4")
    assert info.browser_playable and info.duration_s == pytest.approx(2.0, abs=0.15)


def test_variable_frame_rate_timing_survives_transcode(tmp_path):
    src = make_clip(tmp_path / "v.mkv", container="mkv", seconds=3, vfr=True)
    info = media.prepare(src, tmp_path / "out.mp4")
    assert info.duration_s == pytest.approx(media.probe(src).duration_s, abs=0.15)


def test_larger_than_1080p_is_scaled_down(tmp_path):
    src = make_clip(tmp_path / "big.mp4", 0.4, 1280, 1200, fps=5, audio=False)
    info = media.prepare(src, tmp_path / "out.mp4")
    assert (info.width, info.height) == (1152, 1080)


def test_review_proxy_is_480p_or_smaller(tmp_path):
    src = make_clip(tmp_path / "hd.mp4", 0.4, 854, 640, fps=5)
    info = media.make_review_proxy(src, tmp_path / "proxy.mp4")
    assert (info.width, info.height) == (640, 480) and info.browser_playable


def test_failed_prepare_leaves_no_partial_output(tmp_path):
    src = make_truncated_clip(tmp_path / "bad.mp4")
    with pytest.raises(MediaError):
        media.prepare(src, tmp_path / "out.mp4")
    assert _no_leftovers(tmp_path, "bad.mp4")


def _decoder_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "verp-decode"]


def test_decode_error_on_the_decoder_thread_is_raised_and_leaves_nothing(tmp_path, monkeypatch):
    src = make_clip(tmp_path / "w.webm", codec="vp8", container="webm")
    decode, seen = media_transcode._decode, []

    def failing_decode(packet):
        seen.append(packet)
        if len(seen) > 10:
            raise av.error.InvalidDataError(1094995529, "Invalid data found when processing input")
        return decode(packet)

    monkeypatch.setattr(media_transcode, "_decode", failing_decode)
    with pytest.raises(MediaError, match="damaged"):
        media.prepare(src, tmp_path / "out.mp4")
    assert _no_leftovers(tmp_path, "w.webm") and not _decoder_threads()


def test_error_while_encoding_stops_the_decoder_thread(tmp_path):
    src = make_clip(tmp_path / "w.webm", codec="vp8", container="webm")

    def cancel(done: float) -> None:
        if done > 0.2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        media.prepare(src, tmp_path / "out.mp4", progress=cancel)
    assert _no_leftovers(tmp_path, "w.webm") and not _decoder_threads()


def test_decoder_thread_runs_at_most_a_few_frames_ahead(tmp_path, monkeypatch):
    src = make_clip(tmp_path / "w.webm", seconds=3, codec="vp8", container="webm", audio=False)
    decode, decoded, lead = media_transcode._decode, [0], []

    def counting_decode(packet):
        frames = decode(packet)
        decoded[0] += len(frames)
        return frames

    def slow_encoder(done: float) -> None:  # called once per encoded frame on this short clip
        time.sleep(0.005)  # an encoder slower than the decoder: the load under test, not a wait
        lead.append(decoded[0] - len(lead) - 1)

    monkeypatch.setattr(media_transcode, "_decode", counting_decode)
    media.prepare(src, tmp_path / "out.mp4", progress=slow_encoder)
    assert len(lead) >= 40 and max(lead) <= media_transcode._QUEUE_FRAMES + 2


# ---------------------------------------------------------------- cut


def test_copy_cut_starts_at_the_keyframe_before_start_without_reencoding(tmp_path):
    src = make_clip(tmp_path / "a.mp4", seconds=4, keyint=15)
    result = media.cut(src, tmp_path / "m.mp4", 1.3, 2.5)
    assert result.start_s == pytest.approx(1.0, abs=0.01)
    assert result.end_s == pytest.approx(2.5, abs=0.1)
    assert result.info.duration_s == pytest.approx(1.5, abs=0.1)
    with av.open(str(src)) as a, av.open(str(tmp_path / "m.mp4")) as b:
        keyframe = next(
            bytes(p) for p in a.demux(video=0) if p.pts is not None and abs(p.pts * p.time_base - 1) < 0.01
        )
        assert bytes(next(b.demux(video=0))) == keyframe


def test_exact_cut_starts_on_the_requested_frame(tmp_path):
    src = make_clip(tmp_path / "a.mp4", seconds=4, keyint=30)
    result = media.cut(src, tmp_path / "m.mp4", 1.4, 2.4, exact=True)
    assert result.start_s == pytest.approx(1.4, abs=0.07)
    assert result.info.duration_s == pytest.approx(1.0, abs=0.1)
    assert result.exact and result.info.browser_playable


def test_cut_of_webm_is_playable_mp4(tmp_path):
    src = make_clip(tmp_path / "w.webm", codec="vp8", container="webm")
    result = media.cut(src, tmp_path / "m.mp4", 0.5, 1.5)
    assert result.info.browser_playable


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (1.5, 1.0, "end after it starts"),
        (1.0, 1.0, "end after"),
        (-1, 1, "outside"),
        (1, 9, "outside"),
    ],
)
def test_cut_rejects_impossible_times(tmp_path, start, end, message):
    src = make_clip(tmp_path / "a.mp4")
    with pytest.raises(MediaError, match=message):
        media.cut(src, tmp_path / "m.mp4", start, end)
    assert _no_leftovers(tmp_path, "a.mp4")


# ---------------------------------------------------------------- stills and thumbnails


def test_still_is_the_frame_shown_at_that_time(tmp_path):
    src = make_clip(tmp_path / "a.mp4", seconds=3, keyint=15)
    for at in (0.2, 2.5):
        out = media.still(src, tmp_path / f"s{at}.png", at)
        expected = (int(at * 15) * 37) % 256  # the frame on screen at `at` began before it
        assert _brightness(out) == pytest.approx(expected, abs=6)


def test_still_of_portrait_clip_is_rotated_as_displayed(tmp_path):
    src = make_clip(tmp_path / "p.mp4", rotation=90)
    with Image.open(media.still(src, tmp_path / "s.png", 1.0)) as im:
        assert im.size == (120, 160)
        # The green mark in the stored top-left corner is displayed bottom-left.
        r, g, b = im.convert("RGB").getpixel((10, 150))
        assert g > 150 and r < 80


def test_still_as_jpeg_respects_max_width(tmp_path):
    src = make_clip(tmp_path / "a.mkv", container="mkv")
    with Image.open(media.still(src, tmp_path / "s.jpg", 1.0, max_width=80)) as im:
        assert im.format == "JPEG" and im.size == (80, 60)


def test_still_from_mpeg2_program_stream(tmp_path):
    src = make_clip(tmp_path / "old.mpg", codec="mpeg2", container="mpeg")
    assert media.still(src, tmp_path / "s.png", 1.0).stat().st_size > 0


@pytest.mark.parametrize(("name", "at"), [("s.png", 5.0), ("s.png", -0.1), ("s.gif", 1.0)])
def test_still_rejects_bad_times_and_formats(tmp_path, name, at):
    src = make_clip(tmp_path / "a.mp4")
    with pytest.raises(MediaError):
        media.still(src, tmp_path / name, at)
    assert _no_leftovers(tmp_path, "a.mp4")


def test_thumbnails_are_evenly_spaced_distinct_and_sized(tmp_path):
    src = make_clip(tmp_path / "a.mp4", seconds=4, keyint=15, rotation=270)
    paths = media.thumbnails(src, tmp_path / "t", 6, width=60)
    assert len(paths) == 6 and len({p.read_bytes() for p in paths}) == 6
    with Image.open(paths[0]) as im:
        assert im.size == (60, 80)


def test_sparse_irregular_keyframes_still_give_distinct_thumbnails(tmp_path):
    src = make_clip(tmp_path / "a.mp4", seconds=6, keyframes=[0, 4, 70])
    paths = media.thumbnails(src, tmp_path / "t", 8, width=80)
    assert len({p.read_bytes() for p in paths}) == 8


def test_thumbnails_and_stills_open_the_file_once(tmp_path, monkeypatch):
    src = make_clip(tmp_path / "a.mp4", seconds=3, keyint=15)
    opened: list[str] = []
    real_open = av.open

    def counting_open(file, *args, **kwargs):
        opened.append(str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(av, "open", counting_open)
    media.thumbnails(src, tmp_path / "t", 12, width=40)
    media.still(src, tmp_path / "s.jpg", 2.0)
    assert opened == [str(src), str(src)]


def test_thumbnails_of_a_damaged_file_raise(tmp_path):
    with pytest.raises(MediaError, match="empty"):
        media.thumbnails(make_empty_file(tmp_path / "e.mp4"), tmp_path / "t", 3)
