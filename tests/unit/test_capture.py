"""The recorder and the way a recording becomes a clip, fed with generated camera frames."""

from __future__ import annotations

import random
import threading
from pathlib import Path

import av
import pytest

from tests.support.camera import T0, camera_frame, microphone_frame
from tests.support.waiting import wait_until
from verp.media import jobs as media
from verp.media.recorder import Recorder
from verp.review import capture, clips
from verp.worker import run_pending


def feed(recorder: Recorder, seconds: float, seed: int = 1, audio: bool = True) -> None:
    """Uneven camera timing (20–100 ms gaps, as real webcams do) with 20 ms sound frames between."""
    rng = random.Random(seed)
    t, n = 0.0, 0
    while t < seconds:
        recorder.add_video(camera_frame(t), arrival=T0 + t + rng.uniform(0, 0.03))
        while audio and n * 0.02 <= t:
            recorder.add_audio(microphone_frame(n), arrival=T0 + n * 0.02)
            n += 1
        t += rng.choice([0.02, 0.033, 0.04, 0.066, 0.1])


def video_pts(path: Path) -> list[int]:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        return [p.pts for p in container.demux(stream) if p.pts is not None]


def test_uneven_frames_give_rising_timestamps_and_the_real_duration(tmp_path):
    recorder = Recorder(tmp_path / "r.mkv", max_seconds=600)
    feed(recorder, 3.0)
    recording = recorder.finish()
    pts = sorted(video_pts(recording.path))
    assert len(pts) == recording.video_frames > 30
    assert all(b > a for a, b in zip(pts, pts[1:], strict=False))
    info = media.probe(recording.path)
    assert 2.8 <= info.duration_s <= 3.2  # not frames ÷ 30 fps
    assert (info.width, info.height) == (160, 120)  # evened for H.264
    assert (info.video_codec, info.audio_codec) == ("h264", "aac")


def test_frames_arriving_together_keep_their_own_spacing(tmp_path):
    recorder = Recorder(tmp_path / "r.mkv", max_seconds=600)
    for i in range(30):  # a backlog: the frames of two seconds all "arrive" at its end
        recorder.add_video(camera_frame(i / 15), arrival=T0 if i == 0 else T0 + 2)
    pts = video_pts(recorder.finish().path)
    assert pts[-1] - pts[0] == pytest.approx(29 / 15 * 1000, abs=2)


def test_a_camera_clock_that_jumps_backwards_still_gives_rising_timestamps(tmp_path):
    recorder = Recorder(tmp_path / "r.mkv", max_seconds=600, audio=False)
    for i, t in enumerate([0.0, 0.1, 0.2, 0.05, 0.3, 0.3, 0.4]):
        recorder.add_video(camera_frame(t), arrival=T0 + i * 0.1)
    pts = sorted(video_pts(recorder.finish().path))
    assert all(b > a for a, b in zip(pts, pts[1:], strict=False))


def test_stop_before_the_first_frame_stores_nothing(store, teacher):
    take = capture.new_take(store, teacher.id)
    with pytest.raises(capture.CaptureError, match="Nothing was recorded"):
        capture.save_take(take)
    assert clips.list_clips(store, teacher.id) == []
    assert not take.recorder.path.exists()


def test_the_recorder_stops_writing_at_the_maximum_length(tmp_path):
    recorder = Recorder(tmp_path / "r.mkv", max_seconds=2)
    feed(recorder, 4.0)
    assert recorder.status.reached_limit and recorder.status.state == "limit"
    recording = recorder.finish()
    assert recording.reached_limit
    assert media.probe(recording.path).duration_s <= 2.1


def test_a_recording_cut_short_by_a_crash_still_probes(tmp_path):
    recorder = Recorder(tmp_path / "r.mkv", max_seconds=600)
    feed(recorder, 3.0)
    cut = tmp_path / "cut.mkv"
    cut.write_bytes(recorder.path.read_bytes())  # what is on disk if the server dies now, before finish
    info = media.probe(cut)
    assert (info.video_codec, info.width, info.height) == ("h264", 160, 120)
    assert max(video_pts(cut)) >= 1500  # all but about the last second is there to keep
    recorder.finish()


def test_a_recording_becomes_a_playable_clip_of_its_owner(store, teacher, colleague):
    take = capture.new_take(store, teacher.id)
    feed(take.recorder, 2.5)
    saved = capture.save_take(take)
    run_pending(store)  # the worker prepares it
    clip = clips.get_clip(store, teacher.id, saved.id)
    assert clip.source == "capture" and clip.status == "ready"
    assert clip.original.suffix == ".mp4"  # copied out of Matroska, never re-encoded
    assert clip.playable is not None and media.probe(clip.playable).browser_playable
    assert 2.3 <= clip.duration_s <= 2.7
    assert [c.id for c in clips.list_clips(store, teacher.id)] == [clip.id]
    assert clips.list_clips(store, colleague.id) == []
    assert not take.recorder.path.exists()  # the temporary recording is gone


def test_stop_and_disconnect_together_save_one_clip(store, teacher):
    take = capture.new_take(store, teacher.id)
    feed(take.recorder, 1.0)
    results = []
    threads = [threading.Thread(target=lambda: results.append(capture.save_take(take).id)) for _ in range(4)]
    for thread in threads:
        thread.start()
    take.recorder.finish()  # the stream's "ended" callback, at the same time
    for thread in threads:
        thread.join()
    assert len(set(results)) == 1
    assert len(clips.list_clips(store, teacher.id)) == 1


def test_a_stream_that_ends_on_its_own_is_saved_in_the_background(store, teacher):
    take = capture.new_take(store, teacher.id)
    feed(take.recorder, 1.0)
    take.recorder.finish()  # the browser went away: nobody presses Stop, nobody calls save_take
    wait_until(lambda: clips.list_clips(store, teacher.id), 10, "the ended stream was never saved")
    [clip] = clips.list_clips(store, teacher.id)
    assert clip.source == "capture" and capture.save_take(take).id == clip.id


def test_a_silent_microphone_leaves_a_picture_only_clip(store, teacher):
    take = capture.new_take(store, teacher.id, audio=True)
    feed(take.recorder, 1.5, audio=False)
    capture.save_take(take)
    run_pending(store)
    [clip] = clips.list_clips(store, teacher.id)
    assert clip.audio_codec is None and clip.playable is not None


def test_frames_after_finish_are_ignored(tmp_path):
    recorder = Recorder(tmp_path / "r.mkv", max_seconds=600)
    feed(recorder, 1.0)
    first = recorder.finish()
    recorder.add_video(camera_frame(1.5), arrival=T0 + 1.5)
    assert recorder.finish() is first and recorder.status.state == "finished"
