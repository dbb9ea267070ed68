"""The projector's question by HTTP: its own link's token, one small answer, and a refusal for anything
forged; the answer changes when Control moves, when the wall changes and when the workshop closes."""

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from tests.support.workshop import make_workshop, share_moment
from verp import web
from verp.web_room import ROOM_ROUTE, room_signal_path
from verp.workshop import reflections, room_signal, workshops


@pytest.fixture
def client(store):
    return TestClient(Starlette(routes=web.routes()))


@pytest.fixture
def room(store, teacher, colleague):
    w = make_workshop(store, teacher.id)
    share_moment(store, colleague.id, w.id, "Circle time")
    w = workshops.open_workshop(store, teacher.id, w.id)
    return w, room_signal_path(store.settings, w.id)


def _ask(client, path: str) -> dict:
    room_signal._recent.clear()  # the answer is shared for a quarter second; these asks are quicker
    answer = client.get(path)
    assert answer.status_code == 200 and answer.headers["cache-control"] == "no-store"
    return answer.json()


def test_the_answer_follows_control_the_wall_and_the_close(client, store, teacher, room):
    w, token = room
    first = _ask(client, token)
    assert first == {
        "v": w.state_version,
        "wall": room_signal.wall_digest(store, w.id),
        "closed": False,
        "waiting": room_signal.waiting_digest(store, w.id),
        "sound": False,
    }
    workshops.step_by(store, teacher.id, w.id, 1)
    moved = _ask(client, token)
    assert moved["v"] > first["v"] and moved["wall"] == first["wall"]
    joined = reflections.join_by_code(store, w.join_code, "Cara")
    reflections.submit_reflection(store, w.id, joined.token, "She waited for him")
    assert _ask(client, token)["wall"] != first["wall"]  # shown straight away (the workshop's choice)
    workshops.set_auto_approve(store, teacher.id, w.id, False)
    before = _ask(client, token)
    reflections.submit_reflection(store, w.id, joined.token, "He smiled back")
    after = _ask(client, token)
    assert after["waiting"] != before["waiting"] and after["wall"] == before["wall"]  # for Control
    workshops.close_workshop(store, teacher.id, w.id)
    assert _ask(client, token)["closed"] is True


@pytest.mark.parametrize("token", ["", "not-a-token", "eyJ3IjoxfQ.forged.signature"])
def test_a_forged_or_empty_link_gets_nothing(client, room, token):
    answer = client.get(f"{ROOM_ROUTE}/{token or 'x'}")
    assert answer.status_code == 403 and answer.json() == {"gone": True}


def test_a_tampered_or_projector_token_names_no_workshop(client, store, teacher, room):
    w, path = room
    token = path.rsplit("/", 1)[1]
    assert room_signal.follow_token_workshop_id(store.settings, token) == w.id
    tampered = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
    assert room_signal.follow_token_workshop_id(store.settings, tampered) is None
    present = workshops.present_token(store, teacher.id, w.id)  # signed for another purpose
    assert client.get(f"{ROOM_ROUTE}/{present}").status_code == 403
