"""Resumable clip uploads (tus 1.0 core): chunks straight to disk, resume, limits, and who may send."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import time

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from tests.support.asgi import send_raw
from tests.support.media import make_clip, make_text_file
from verp import web, web_uploads
from verp.core import sessions
from verp.review import clips, uploads

CHUNK = web_uploads.CHUNK_TYPE


@pytest.fixture
def client(store):
    return TestClient(Starlette(routes=web.routes()))


@pytest.fixture
def video(tmp_path) -> bytes:
    return make_clip(tmp_path / "story.mp4", seconds=2).read_bytes()


def _auth(store, person_id: int, **extra: str) -> dict[str, str]:
    """The headers of a page signed in as ``person_id`` (in a sign-in session of its own)."""
    session_id = sessions.start_session(store, person_id).session_id
    token = web_uploads.upload_token(store.settings, person_id, session_id)
    return {"Authorization": f"Bearer {token}", "Tus-Resumable": "1.0.0", **extra}


def _create(client, store, person_id: int, length: int, name: str = "Story time.mp4"):
    metadata = "filename " + base64.b64encode(name.encode()).decode()
    headers = _auth(store, person_id, **{"Upload-Length": str(length), "Upload-Metadata": metadata})
    return client.post(web_uploads.UPLOAD_ROUTE, headers=headers)


def _patch(client, store, person_id: int, location: str, offset: int, body: bytes):
    headers = _auth(store, person_id, **{"Upload-Offset": str(offset), "Content-Type": CHUNK})
    return client.patch(location, headers=headers, content=body)


def _offset(client, store, person_id: int, location: str) -> int:
    answer = client.head(location, headers=_auth(store, person_id))
    assert answer.status_code == 200 and answer.headers["cache-control"] == "no-store"
    return int(answer.headers["upload-offset"])


def test_a_clip_sent_in_chunks_becomes_a_clip_listed_for_its_owner(store, client, teacher, video):
    created = _create(client, store, teacher.id, len(video))
    assert created.status_code == 201 and created.headers["tus-resumable"] == "1.0.0"
    location = created.headers["location"]
    third = len(video) // 3
    for start in (0, third, 2 * third):
        end = len(video) if start == 2 * third else start + third
        answer = _patch(client, store, teacher.id, location, start, video[start:end])
        assert answer.status_code == 204 and int(answer.headers["upload-offset"]) == end
    assert answer.headers["verp-upload-state"] == "done"
    listed = clips.list_clips(store, teacher.id)
    assert [c.id for c in listed] == [answer.headers["verp-clip-id"]] and listed[0].title == "Story time"
    assert listed[0].original.read_bytes() == video
    assert list((store.settings.tmp_dir / "uploads").glob("*.part")) == []  # moved, not copied


def test_chunks_are_on_disk_as_they_arrive(store, client, teacher, video):
    location = _create(client, store, teacher.id, len(video)).headers["location"]
    _patch(client, store, teacher.id, location, 0, video[:1000])
    part = store.settings.tmp_dir / "uploads" / f"{location.rsplit('/', 1)[1]}.part"
    assert part.read_bytes() == video[:1000]
    assert _offset(client, store, teacher.id, location) == 1000


def test_an_upload_resumes_after_a_chunk_broke_off_halfway(store, client, teacher, video):
    """The connection dropped mid-chunk: the bytes that arrived are kept, the sender asks and carries on."""
    location = _create(client, store, teacher.id, len(video)).headers["location"]
    upload_id = location.rsplit("/", 1)[1]
    app = Starlette(routes=web.routes())
    asyncio.run(_patch_then_drop(app, store, teacher.id, upload_id, video[:5000], keep=3000))
    offset = _offset(client, store, teacher.id, location)
    assert offset == 3000
    wrong = _patch(client, store, teacher.id, location, 5000, video[5000:])
    assert wrong.status_code == 409  # the sender must continue where the server is, not where it was
    answer = _patch(client, store, teacher.id, location, offset, video[offset:])
    assert answer.status_code == 204 and answer.headers["verp-upload-state"] == "done"
    assert clips.list_clips(store, teacher.id)[0].original.read_bytes() == video


async def _patch_then_drop(app, store, person_id: int, upload_id: str, chunk: bytes, keep: int) -> None:
    """A raw ASGI PATCH whose body stops after ``keep`` bytes, then the client disconnects."""
    headers = _auth(store, person_id, **{"Upload-Offset": "0", "Content-Type": CHUNK})
    headers["Content-Length"] = str(len(chunk))
    events = [
        {"type": "http.request", "body": chunk[:keep], "more_body": True},
        {"type": "http.disconnect"},
    ]

    async def receive():
        return events.pop(0) if events else {"type": "http.disconnect"}

    async def send(_message):
        return None

    scope = {
        "type": "http",
        "method": "PATCH",
        "path": f"{web_uploads.UPLOAD_ROUTE}/{upload_id}",
        "raw_path": f"{web_uploads.UPLOAD_ROUTE}/{upload_id}".encode(),
        "query_string": b"",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "http_version": "1.1",
        "scheme": "http",
        "server": ("test", 80),
        "client": ("test", 1),
        "root_path": "",
    }
    await app(scope, receive, send)


def test_an_upload_announced_over_the_limit_is_refused_at_once(store, client, teacher, monkeypatch):
    answer = _create(client, store, teacher.id, store.settings.max_upload_bytes + 1)
    assert answer.status_code == 413
    assert answer.json()["message"] == "This file is larger than the 500 MB limit for a clip."


def test_bytes_past_the_announced_length_are_refused_mid_stream_and_nothing_is_kept(store, client, teacher):
    location = _create(client, store, teacher.id, 4000).headers["location"]
    assert _patch(client, store, teacher.id, location, 0, b"x" * 3000).status_code == 204

    def endless():  # no Content-Length: the server can only count as the bytes come
        for _ in range(100):
            yield b"y" * 1000

    headers = _auth(store, teacher.id, **{"Upload-Offset": "3000", "Content-Type": CHUNK})
    answer = client.patch(location, headers=headers, content=endless())
    assert answer.status_code == 413 and "larger" in answer.json()["message"]
    assert list((store.settings.tmp_dir / "uploads").iterdir()) == []
    assert client.head(location, headers=_auth(store, teacher.id)).status_code == 404


def test_a_wrong_or_expired_token_is_refused(store, client, teacher, monkeypatch):
    forged = {"Authorization": "Bearer not-a-token", "Tus-Resumable": "1.0.0", "Upload-Length": "10"}
    answer = client.post(web_uploads.UPLOAD_ROUTE, headers=forged)
    assert answer.status_code == 401 and "reload" in answer.json()["message"]
    assert client.post(web_uploads.UPLOAD_ROUTE, headers={"Tus-Resumable": "1.0.0"}).status_code == 401
    headers = _auth(store, teacher.id, **{"Upload-Length": "10"})
    monkeypatch.setattr(web_uploads, "TOKEN_MAX_AGE_S", -1)
    assert client.post(web_uploads.UPLOAD_ROUTE, headers=headers).status_code == 401


@pytest.mark.parametrize("sign_out", ["this tab", "everywhere"])
def test_signing_out_ends_the_pages_upload_token(store, client, teacher, video, sign_out):
    """The token lives hours so that a long upload finishes; it is the page's, signed in: once its
    sign-in ends, nothing more goes up with it, not even the rest of an upload begun."""
    session_id = sessions.start_session(store, teacher.id).session_id
    token = web_uploads.upload_token(store.settings, teacher.id, session_id)
    headers = {"Authorization": f"Bearer {token}", "Tus-Resumable": "1.0.0"}
    made = client.post(
        web_uploads.UPLOAD_ROUTE,
        headers={**headers, "Upload-Length": str(len(video)), "Upload-Metadata": "filename YS5tcDQ="},
    )
    assert made.status_code == 201
    if sign_out == "everywhere":
        sessions.end_all_sessions(store, teacher.id)
    else:
        sessions.end_session(store, session_id)
    chunk = {**headers, "Upload-Offset": "0", "Content-Type": CHUNK}
    answer = client.patch(made.headers["location"], headers=chunk, content=video)
    assert answer.status_code == 401 and "reload" in answer.json()["message"]
    assert (
        client.post(web_uploads.UPLOAD_ROUTE, headers={**headers, "Upload-Length": "10"}).status_code == 401
    )
    assert clips.list_clips(store, teacher.id) == []


def test_another_persons_upload_is_answered_like_a_missing_one(store, client, teacher, colleague, video):
    location = _create(client, store, teacher.id, len(video)).headers["location"]
    assert client.head(location, headers=_auth(store, colleague.id)).status_code == 404
    assert _patch(client, store, colleague.id, location, 0, video).status_code == 404
    assert _offset(client, store, teacher.id, location) == 0
    assert clips.list_clips(store, colleague.id) == []


def test_a_file_that_is_not_a_video_is_explained_and_removed(store, client, teacher, tmp_path):
    text = make_text_file(tmp_path / "notes.mp4").read_bytes()
    location = _create(client, store, teacher.id, len(text), "notes.mp4").headers["location"]
    answer = _patch(client, store, teacher.id, location, 0, text)
    assert answer.status_code == 422 and answer.json()["message"].startswith("“notes.mp4”:")
    assert client.get(location, headers=_auth(store, teacher.id)).json()["state"] == "failed"
    assert clips.list_clips(store, teacher.id) == []
    assert list(store.settings.clips_dir.iterdir()) == []


def test_a_name_that_is_not_a_video_is_refused_before_any_byte(store, client, teacher):
    answer = _create(client, store, teacher.id, 100, "holiday.jpg")
    assert answer.status_code == 400 and "not a video file" in answer.json()["message"]


def test_the_server_says_what_it_speaks(store, client):
    answer = client.options(web_uploads.UPLOAD_ROUTE)
    assert answer.status_code == 204 and answer.headers["tus-version"] == "1.0.0"
    assert int(answer.headers["tus-max-size"]) == store.settings.max_upload_bytes


def test_abandoned_uploads_are_cleared_after_a_day(store, teacher):
    created = uploads.create_upload(store, teacher.id, "clip.mp4", 100)
    assert uploads.remove_stale_uploads(store, max_age_s=3600) == 0
    assert uploads.remove_stale_uploads(store, max_age_s=-1) == 2
    with pytest.raises(uploads.UploadNotFound):
        uploads.status(store, teacher.id, created.upload_id)


def test_an_upload_whose_check_was_cut_off_by_a_restart_says_so_and_can_be_sent_again(
    store, client, teacher, video
):
    """Every byte arrived and the server was checking the clip when it stopped: nothing will finish that
    check, so once it could no longer be running the upload says what happened instead of "finishing"."""
    location = _create(client, store, teacher.id, len(video)).headers["location"]
    upload_id = location.rsplit("/", 1)[1]
    with uploads.open_for_append(store, teacher.id, upload_id, 0) as out:
        out.write(video)
    _, meta_path = uploads._paths(store, upload_id)
    meta = json.loads(meta_path.read_text())
    meta_path.write_text(json.dumps({**meta, "state": uploads.FINISHING}))  # as the server wrote it
    assert client.get(location, headers=_auth(store, teacher.id)).json()["state"] == "finishing"  # checking

    long_ago = time.time() - clips.LOOK_WALL_S - uploads.FINISH_MARGIN_S - 1
    os.utime(meta_path, (long_ago, long_ago))
    answer = client.get(location, headers=_auth(store, teacher.id)).json()
    assert answer["state"] == "failed" and "choose the file again" in answer["message"]
    assert clips.list_clips(store, teacher.id) == []


@pytest.mark.parametrize(
    ("name", "make", "message"),
    [
        ("notes.mp4", make_text_file, "not a video file we can read"),
        ("empty.mp4", lambda p: p.write_bytes(b"") or p, "This file is empty."),
    ],
)
def test_a_bad_upload_is_explained_and_nothing_is_kept(store, client, teacher, tmp_path, name, make, message):
    data = make(tmp_path / name).read_bytes()
    created = _create(client, store, teacher.id, len(data), name)
    if created.status_code == 201:
        answer = _patch(client, store, teacher.id, created.headers["location"], 0, data)
    else:
        answer = created
    assert answer.status_code in (400, 422) and message in answer.json()["message"]
    assert clips.list_clips(store, teacher.id) == []


@pytest.mark.parametrize("value", ["\u00b2".encode("latin-1"), b"9" * 40])
@pytest.mark.parametrize("method", ["POST", "PATCH"])
def test_a_number_header_that_is_no_plain_number_is_refused_plainly(store, teacher, method, value):
    """'²' reads as a digit to Python but is no number to ``int``; forty nines overflow any column."""
    location = _create(TestClient(Starlette(routes=web.routes())), store, teacher.id, 10).headers["location"]
    name = b"upload-length" if method == "POST" else b"upload-offset"
    path = web_uploads.UPLOAD_ROUTE if method == "POST" else location
    headers = [(k.lower().encode(), v.encode()) for k, v in _auth(store, teacher.id).items()]
    headers += [(b"content-type", CHUNK.encode()), (b"upload-metadata", b"filename YS5tcDQ="), (name, value)]
    assert send_raw(method, path, headers).status == 400


def test_signing_out_stops_a_chunk_already_arriving(store, teacher, video, monkeypatch):
    """One request may carry the whole file: the sign-in is asked again as its bytes arrive, and before
    the file becomes a clip."""
    monkeypatch.setattr(web_uploads, "SIGN_IN_CHECK_BYTES", 1)
    session_id = sessions.start_session(store, teacher.id).session_id
    token = web_uploads.upload_token(store.settings, teacher.id, session_id)
    auth = {"Authorization": f"Bearer {token}", "Tus-Resumable": "1.0.0"}
    client = TestClient(Starlette(routes=web.routes()))
    made = client.post(
        web_uploads.UPLOAD_ROUTE,
        headers={**auth, "Upload-Length": str(len(video)), "Upload-Metadata": "filename YS5tcDQ="},
    )
    half = len(video) // 2
    headers = [(k.lower().encode(), v.encode()) for k, v in auth.items()]
    headers += [(b"upload-offset", b"0"), (b"content-type", CHUNK.encode())]

    def sign_out_before_the_second_half(part: int) -> None:
        if part == 1:
            sessions.end_all_sessions(store, teacher.id)

    answer = send_raw(
        "PATCH",
        made.headers["location"],
        headers,
        [video[:half], video[half:]],
        sign_out_before_the_second_half,
    )
    assert answer.status == 401
    assert clips.list_clips(store, teacher.id) == []
    part = store.settings.tmp_dir / "uploads" / f"{made.headers['location'].rsplit('/', 1)[1]}.part"
    assert part.stat().st_size == half  # nothing written after the sign-in ended
