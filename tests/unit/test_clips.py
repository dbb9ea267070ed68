import io

import pytest
from sqlalchemy.exc import OperationalError

from tests.support.media import make_audio_only, make_clip, make_text_file, make_truncated_clip
from verp.core.errors import NotYours
from verp.core.models import Clip
from verp.core.tasks import Job
from verp.media import copies, processing
from verp.media import jobs as media
from verp.records import admin
from verp.review import clips
from verp.review.clips import ClipError
from verp.worker import PURGE, purge_job, run_pending


def _add(store, owner, path, name=None):
    with open(path, "rb") as f:
        return clips.add_clip(store, owner.id, name or path.name, f)


def test_an_uploaded_clip_is_probed_thumbnailed_and_listed(store, teacher, tmp_path):
    clip = _add(store, teacher, make_clip(tmp_path / "lesson.mp4", seconds=2))
    assert clip.title == "lesson" and clip.original_filename == "lesson.mp4"
    assert clip.duration_s == pytest.approx(2, abs=0.2)
    assert (clip.width, clip.height) == (160, 120)
    assert clip.thumbnail is not None and clip.thumbnail.stat().st_size > 0
    assert clip.original.is_file() and clip.original.name == "original.mp4"
    assert [c.id for c in clips.list_clips(store, teacher.id)] == [clip.id]


def test_the_uploaded_name_is_never_used_as_a_path(store, teacher, tmp_path):
    clip = _add(store, teacher, make_clip(tmp_path / "a.mp4"), name="../../etc/evil\x07name.mp4")
    assert clip.original_filename == "evilname.mp4"
    assert clip.original.parent.parent == store.settings.clips_dir.resolve()
    assert not (tmp_path / "etc").exists()


@pytest.mark.parametrize(
    ("maker", "name", "message"),
    [
        (lambda p: make_text_file(p), "notes.txt", "not a video file"),
        (lambda p: p.write_bytes(b"") or p, "empty.mp4", "empty"),
        (lambda p: make_text_file(p), "renamed.mp4", "not a video file we can read"),
        (lambda p: make_truncated_clip(p, faststart=True), "cut-short.mp4", "incomplete or damaged"),
        (lambda p: make_audio_only(p), "voice.mp4", "video"),
    ],
)
def test_bad_files_are_explained_and_nothing_is_kept(store, teacher, tmp_path, maker, name, message):
    path = tmp_path / name
    maker(path)
    with pytest.raises(ClipError, match=message) as raised:
        _add(store, teacher, path)
    assert name.split("/")[-1] in str(raised.value) or "not a video" in str(raised.value)
    assert clips.list_clips(store, teacher.id) == []
    assert list(store.settings.clips_dir.iterdir()) == []
    assert list(store.settings.tmp_dir.iterdir()) == []


def test_a_file_over_the_upload_limit_is_refused_without_keeping_it(store, teacher, monkeypatch):
    monkeypatch.setattr(type(store.settings), "max_upload_bytes", property(lambda self: 1024))
    with pytest.raises(ClipError, match="limit"):
        clips.add_clip(store, teacher.id, "big.mp4", io.BytesIO(b"\0" * 4096))
    assert list(store.settings.clips_dir.iterdir()) == []


def test_rename_keeps_the_clip_and_refuses_an_empty_name(store, teacher, tmp_path):
    clip = _add(store, teacher, make_clip(tmp_path / "a.mp4"))
    assert clips.rename_clip(store, teacher.id, clip.id, "  Circle   time ").title == "Circle time"
    with pytest.raises(ClipError):
        clips.rename_clip(store, teacher.id, clip.id, "   ")


def test_nobody_else_can_open_rename_or_delete_my_clip(store, teacher, colleague, tmp_path):
    clip = _add(store, teacher, make_clip(tmp_path / "a.mp4"))
    assert clips.list_clips(store, colleague.id) == []
    for action in (
        lambda: clips.get_clip(store, colleague.id, clip.id),
        lambda: clips.rename_clip(store, colleague.id, clip.id, "mine now"),
        lambda: clips.delete_clip(store, colleague.id, clip.id),
    ):
        with pytest.raises(NotYours, match="owner"):
            action()
    assert clips.get_clip(store, teacher.id, clip.id).title == "a"


def test_deleting_a_clip_removes_its_row_and_every_file(store, teacher, tmp_path):
    clip = _add(store, teacher, make_clip(tmp_path / "a.mp4"))
    folder = clip.original.parent
    clips.delete_clip(store, teacher.id, clip.id)
    assert not folder.exists()
    with store.transaction() as s:
        assert s.get(Clip, clip.id) is None


def test_a_clip_browsers_play_is_prepared_by_a_worker_as_a_faststart_mp4(store, teacher, tmp_path):
    clip = _add(store, teacher, make_clip(tmp_path / "a.mp4", faststart=False))
    assert clip.status == "processing" and clip.playable is None  # the web server only stores and probes
    run_pending(store)
    clip = clips.get_clip(store, teacher.id, clip.id)
    assert clip.status == "ready" and clip.playable is not None
    assert media.probe(clip.playable).browser_playable
    with open(clip.playable, "rb") as f:
        head = f.read(4096)
    assert head.find(b"moov") < head.find(b"mdat") or b"mdat" not in head  # index first


def test_other_clips_get_a_review_copy_then_a_playable_copy_in_the_background(store, teacher, tmp_path):
    path = make_clip(tmp_path / "phone.webm", codec="vp8", container="webm")
    clip = _add(store, teacher, path)
    assert clip.status == "processing"
    run_pending(store)
    ready = clips.get_clip(store, teacher.id, clip.id)
    assert ready.status == "ready"
    assert ready.proxy is not None and ready.playable is not None
    assert media.probe(ready.playable).video_codec == "h264"


def _left_waiting(store, teacher, tmp_path):
    """A prepared clip marked as waiting again, with no job queued for it (a restore, a lost enqueue)."""
    clip = _add(store, teacher, make_clip(tmp_path / "a.mp4"))
    run_pending(store)
    with store.transaction() as s:
        row = s.get(Clip, clip.id)
        row.status, row.playable_name = "processing", None
    return clip


def test_the_worker_writes_on_the_row_how_far_its_child_has_got(store, teacher, tmp_path, monkeypatch):
    """The child that transcodes opens no database: it tells, and the worker writes."""
    written, update = [], processing._update
    monkeypatch.setattr(
        processing, "_update", lambda *a, **values: written.append(values) or update(*a, **values)
    )
    clip = _add(store, teacher, make_clip(tmp_path / "phone.webm", codec="vp8", container="webm"))
    run_pending(store)
    details = [v["status_detail"] for v in written if "status_detail" in v]
    assert any(d.startswith("Review copy: ") and d.endswith("%") for d in details)
    assert "Review copy ready" in details and any(d.startswith("Full-quality copy: ") for d in details)
    assert clips.get_clip(store, teacher.id, clip.id).status == "ready"


def test_a_review_copy_is_recorded_only_when_the_clip_waits_for_one_and_its_file_is_there(
    store, teacher, tmp_path
):
    """What a child tells is checked: "review copy ready" without the file changes nothing."""
    clip = _left_waiting(store, teacher, tmp_path)
    review_copy = store.clip_path(clip.id) / processing.PROXY
    processing._heard(store, clip.id, review_copy)([copies.REVIEW_COPY_READY])
    assert clips.get_clip(store, teacher.id, clip.id).proxy is None
    processing._heard(store, clip.id, None)([copies.REVIEW_COPY_READY])  # it has one already
    review_copy.write_bytes(b"made")
    assert clips.get_clip(store, teacher.id, clip.id).proxy is None
    processing._heard(store, clip.id, review_copy)([copies.REVIEW_COPY_READY])
    assert clips.get_clip(store, teacher.id, clip.id).proxy == review_copy


def test_a_progress_that_cannot_be_written_never_stops_the_copy(store, teacher, tmp_path, monkeypatch):
    clip = _left_waiting(store, teacher, tmp_path)

    def busy(*args, **values):
        raise OperationalError("UPDATE clip", {}, Exception("database is locked"))

    monkeypatch.setattr(processing, "_update", busy)
    processing._heard(store, clip.id, None)([copies.PROGRESS, copies.FULL_COPY, 0.5])  # no exception


def test_a_clip_left_waiting_is_queued_again(store, teacher, tmp_path):
    """After an upgrade or a restore, clips still marked as processing get a job again."""
    clip = _left_waiting(store, teacher, tmp_path)
    assert processing.requeue_unfinished(store) == 1
    run_pending(store)
    assert clips.get_clip(store, teacher.id, clip.id).playable is not None


def test_the_hourly_purge_queues_again_a_clip_whose_job_was_lost(store, teacher, tmp_path):
    """A job lost between the save and its enqueue is found by the next purge, not only at a restart."""
    clip = _left_waiting(store, teacher, tmp_path)
    run_pending(store)
    assert clips.get_clip(store, teacher.id, clip.id).playable is None  # nothing queued it
    purge_job(store, Job(PURGE, {}, 1, 1))
    run_pending(store)
    assert clips.get_clip(store, teacher.id, clip.id).playable is not None


def test_a_purge_that_fails_still_queues_again_what_waits(store, teacher, tmp_path, monkeypatch):
    clip = _left_waiting(store, teacher, tmp_path)

    def broken(store):
        raise OSError("the clip volume is read-only")

    monkeypatch.setattr(admin, "purge", broken)
    with pytest.raises(OSError):
        purge_job(store, Job(PURGE, {}, 1, 1))
    run_pending(store)
    assert clips.get_clip(store, teacher.id, clip.id).playable is not None


@pytest.mark.parametrize("step", ["enqueue_prepare", "record"])
def test_an_unexpected_failure_while_saving_keeps_nothing_and_explains(
    store, teacher, tmp_path, monkeypatch, step
):
    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    if step == "record":
        monkeypatch.setattr(clips, "_record_clip", broken)
    else:
        monkeypatch.setattr(processing, "enqueue_prepare", broken)
    with pytest.raises(ClipError, match="could not be saved"):
        _add(store, teacher, make_clip(tmp_path / "lesson.mp4"))
    assert clips.list_clips(store, teacher.id) == []
    assert not any(store.settings.clips_dir.iterdir())
