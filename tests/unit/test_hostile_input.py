"""Broken, disguised and hostile files are refused with a plain message and leave nothing behind."""

from __future__ import annotations

import dataclasses
import gzip
import io
import random
import re
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.support.database import test_database_url
from tests.support.media import make_audio_only, make_clip, truncate
from verp.core.accounts import create_person
from verp.core.config import load_settings
from verp.core.models import Clip
from verp.core.store import Store
from verp.media import jobs as media
from verp.review import clips
from verp.review.clips import ClipError

RNG = random.Random(20261125)


def _valid_mp4(folder: Path, faststart: bool = True) -> bytes:
    return make_clip(folder / f"valid-{faststart}.mp4", seconds=1, faststart=faststart).read_bytes()


def _truncated(folder: Path, faststart: bool) -> bytes:
    path = folder / f"cut-{faststart}.mp4"
    path.write_bytes(_valid_mp4(folder, faststart))
    return truncate(path, 0.6).read_bytes()


def _zeroed_picture_data(folder: Path) -> bytes:
    data = bytearray(_valid_mp4(folder))
    start = data.index(b"mdat") + 4
    data[start:] = bytes(len(data) - start)
    return bytes(data)


def _jpeg(folder: Path) -> bytes:
    source = make_clip(folder / "for-still.mp4", seconds=1)
    return media.still(source, folder / "photo.jpg", 0.2).read_bytes()


HOSTILE = {
    "zero bytes": ("empty.mp4", lambda d: b""),
    "random bytes": ("random.mp4", lambda d: RNG.randbytes(64 * 1024)),
    "text renamed": ("notes.mp4", lambda d: b"My lesson notes, not a video.\n" * 200),
    "html renamed": ("page.webm", lambda d: b"<!doctype html><script>alert(1)</script>" * 50),
    "svg renamed": ("drawing.webm", lambda d: b'<svg xmlns="http://www.w3.org/2000/svg" onload="x()"/>'),
    "truncated, index in front": ("cut.mp4", lambda d: _truncated(d, faststart=True)),
    "truncated, index at the end": ("cut-end.mp4", lambda d: _truncated(d, faststart=False)),
    "mp4 header only": ("header.mp4", lambda d: _valid_mp4(d)[:48]),
    "sound only": ("voice.mp4", lambda d: make_audio_only(d / "voice.m4a").read_bytes()),
    "jpeg renamed": ("photo.mov", _jpeg),
    "gzip renamed": ("archive.mkv", lambda d: gzip.compress(b"not a video " * 1000)),
    "zip renamed": ("bundle.mp4", lambda d: b"PK\x03\x04" + RNG.randbytes(4000)),
    "pdf renamed": ("report.mp4", lambda d: b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\nendobj\n" * 40),
    "program renamed": ("tool.mp4", lambda d: Path(sys.executable).read_bytes()[:65536]),
    "matroska magic then noise": ("noise.mkv", lambda d: b"\x1a\x45\xdf\xa3" + RNG.randbytes(8000)),
    "avi magic then noise": ("noise.avi", lambda d: b"RIFF\x00\x10\x00\x00AVI LIST" + RNG.randbytes(8000)),
    "huge declared picture (raw)": (
        "huge.avi",
        lambda d: b"YUV4MPEG2 W20000 H20000 F25:1 Ip A1:1 C420jpeg\nFRAME\n" + bytes(5000),
    ),
    "huge declared picture, just under the decoder's limit": (
        "big.avi",
        lambda d: b"YUV4MPEG2 W16000 H16000 F25:1 Ip A1:1 C420jpeg\nFRAME\n" + bytes(5000),
    ),
    "huge declared png": (
        "huge.mp4",
        lambda d: (
            bytes.fromhex("89504e470d0a1a0a0000000d49484452")
            + (60000).to_bytes(4, "big") * 2
            + b"\x08\x02\x00\x00\x00"
            + bytes(104)
        ),
    ),
    "picture data zeroed": ("zeroed.mp4", _zeroed_picture_data),
}


# What each refusal should say (a fragment of the message).
EXPECTED = {
    "zero bytes": "empty",
    "random bytes": "not a video",
    "text renamed": "not a video",
    "html renamed": "not a video",
    "svg renamed": "cannot play|not a video",
    "truncated, index in front": "incomplete or damaged",
    "truncated, index at the end": "incomplete or damaged",
    "mp4 header only": "incomplete or damaged",
    "sound only": "sound only",
    "jpeg renamed": "photo",
    "gzip renamed": "not a video",
    "zip renamed": "not a video",
    "pdf renamed": "not a video",
    "program renamed": "not a video",
    "matroska magic then noise": "damaged",
    "avi magic then noise": "damaged",
    "huge declared picture (raw)": "not a video|damaged",
    "huge declared picture, just under the decoder's limit": "larger than 4K",
    "huge declared png": "cannot play|photo",
    "picture data zeroed": "damaged",
}


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """One store for this module (opening one per test would take most of the time)."""
    folder = tmp_path_factory.mktemp("hostile")
    url = test_database_url(folder)
    opened = Store.open(load_settings({"VERP_DATA_DIR": str(folder), "VERP_DATABASE_URL": url}))
    yield opened
    opened.engine.dispose()


@pytest.fixture(scope="module")
def teacher(store):
    return create_person(store, "Ana Teacher", "correct horse battery")


@pytest.fixture
def nothing_stored(store):
    """After the test: no new clip row, no new clip folder, nothing left in tmp/."""

    def snapshot():
        with store.transaction() as s:
            count = s.scalar(select(func.count()).select_from(Clip))
        return count, sorted(p.name for p in store.settings.clips_dir.iterdir())

    before = snapshot()
    yield
    assert snapshot() == before
    assert list(store.settings.tmp_dir.iterdir()) == []


def _is_plain_words(message: str) -> bool:
    """A sentence a teacher can read: after the file's name, a capital letter, no error codes or paths."""
    technical = re.compile(r"errno|traceback|av\.|ffmpeg|invalid ?data|0x[0-9a-f]|/tmp/", re.I)
    sentence = message.split("”: ", 1)[-1]
    return sentence[:1].isupper() and sentence.endswith(".") and not technical.search(message)


@pytest.mark.parametrize("case", HOSTILE, ids=list(HOSTILE))
def test_a_hostile_file_is_refused_in_plain_words_and_nothing_is_kept(
    store, teacher, tmp_path, case, nothing_stored
):
    filename, make = HOSTILE[case]
    data = make(tmp_path)
    expected = EXPECTED[case]
    with pytest.raises(ClipError) as refused:
        clips.add_clip(store, teacher.id, filename, io.BytesIO(data))
    assert _is_plain_words(str(refused.value)), str(refused.value)
    assert filename in str(refused.value)  # says which file
    assert re.search(expected, str(refused.value)), str(refused.value)


def test_an_upload_over_the_size_limit_is_refused_and_nothing_is_kept(store, teacher, nothing_stored):
    small = Store(dataclasses.replace(store.settings, max_upload_mb=1), store.engine)
    with pytest.raises(ClipError, match="1 MB limit"):
        clips.add_clip(small, teacher.id, "long.mp4", io.BytesIO(bytes(2 * 1024 * 1024)))


def test_the_size_limit_comes_from_the_settings():
    assert load_settings({"VERP_MAX_UPLOAD_MB": "3"}).max_upload_bytes == 3 * 1024 * 1024


@pytest.mark.parametrize(
    "filename", ["lesson.exe", "lesson.mp4.exe", "lesson", "lesson.txt", "lesson.html", ".mp4.", "lesson.svg"]
)
def test_files_without_a_video_extension_are_refused(store, teacher, tmp_path, filename, nothing_stored):
    data = _valid_mp4(tmp_path)
    with pytest.raises(ClipError, match="not a video file"):
        clips.add_clip(store, teacher.id, filename, io.BytesIO(data))


@pytest.mark.parametrize(
    "filename",
    [
        "../../../etc/passwd.mp4",
        "..\\..\\Windows\\system32\\evil.mp4",
        "/var/lib/verp/verp.db.mp4",
        "lesson\x00.mp4",
        "bad\nname\r\t.mp4",
        "\u202egnp.mp4",
        "<script>alert('x')</script>.mp4",
        "**bold** [link](http://evil) .mp4",
        "x" * 400 + ".mp4",
    ],
)
def test_odd_filenames_are_kept_only_as_text_and_stored_under_a_generated_name(
    store, teacher, tmp_path, filename
):
    clip = clips.add_clip(store, teacher.id, filename, io.BytesIO(_valid_mp4(tmp_path)))
    assert "/" not in clip.original_filename and "\\" not in clip.original_filename
    assert clip.original_filename.isprintable() and len(clip.original_filename) <= 120
    assert clip.original.is_relative_to(store.settings.clips_dir)
    assert clip.original.relative_to(store.settings.clips_dir).as_posix() == f"{clip.id}/original.mp4"
    assert re.fullmatch(r"[0-9a-f]{32}", clip.id)
    outside = {p.name for p in store.settings.data_dir.iterdir()}
    assert outside <= {"clips", "tmp", "verp.db", "verp.db-wal", "verp.db-shm", "secret.key"}
