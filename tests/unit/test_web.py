"""Clip playback by signed URL: range requests work; forged, expired or escaping links do not."""

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from verp import web


@pytest.fixture
def client(store):
    return TestClient(Starlette(routes=web.routes()))


@pytest.fixture
def stored(store):
    path = store.settings.clips_dir / "abc" / "playable.mp4"
    path.parent.mkdir(parents=True)
    path.write_bytes(bytes(range(256)) * 40)
    return "abc/playable.mp4"


def test_a_signed_link_serves_the_file_with_range_requests(store, client, stored):
    url = f"{web.MEDIA_ROUTE}/{web.media_token(store.settings, stored)}"
    whole = client.get(url)
    assert whole.status_code == 200 and whole.headers["content-type"] == "video/mp4"
    part = client.get(url, headers={"Range": "bytes=10-19"})
    assert part.status_code == 206 and part.content == bytes(range(10, 20))


def test_a_forged_or_tampered_link_is_refused(store, client, stored):
    token = web.media_token(store.settings, stored)
    assert client.get(f"{web.MEDIA_ROUTE}/{token[:-2]}xx").status_code == 403
    assert client.get(f"{web.MEDIA_ROUTE}/abc").status_code == 403


def test_an_expired_link_is_refused(store, stored):
    token = web.media_token(store.settings, stored)
    assert web.stored_name_from_token(store.settings, token, max_age_s=-1) is None


def test_a_signed_name_outside_the_clips_folder_is_not_served(store, client):
    (store.settings.data_dir / "verp.db").touch()
    token = web.media_token(store.settings, "../verp.db")
    assert client.get(f"{web.MEDIA_ROUTE}/{token}").status_code == 404


def test_a_deleted_file_answers_not_found(store, client):
    token = web.media_token(store.settings, "gone/playable.mp4")
    assert client.get(f"{web.MEDIA_ROUTE}/{token}").status_code == 404
