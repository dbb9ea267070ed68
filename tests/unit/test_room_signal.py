"""The projector's question by HTTP: its own link's token, one small answer, and a refusal for anything
forged; the answer changes when Control moves, when the wall changes and when the workshop closes."""

import threading
import time

import pytest
from sqlalchemy import update
from starlette.applications import Starlette
from starlette.testclient import TestClient

from tests.support.workshop import make_workshop, share_moment
from verp import web, web_room
from verp.core import changes
from verp.core.models import Reflection
from verp.review import sharing
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


def _drawn_query(signal: room_signal.RoomSignal, watch: str) -> str:
    sound = "1" if signal.sound else "0"
    return f"?v={signal.version}&wall={signal.wall}&waiting={signal.waiting}&sound={sound}&watch={watch}"


def _ask_in_background(client, url: str) -> tuple[threading.Thread, dict]:
    answer: dict = {}

    def ask() -> None:
        started = time.monotonic()
        got = client.get(url)
        answer.update(status=got.status_code, body=got.json(), waited=time.monotonic() - started)

    thread = threading.Thread(target=ask, daemon=True)
    thread.start()
    return thread, answer


def _until(condition, within_s: float = 10.0) -> None:
    deadline = time.monotonic() + within_s
    while not condition():
        assert time.monotonic() < deadline, "the condition never came"
        time.sleep(0.01)


def test_a_screen_that_says_what_it_drew_waits_and_a_write_here_wakes_it(
    client, store, teacher, room, monkeypatch
):
    """Control's Next on this server answers the waiting projector at once, not at its next look."""
    monkeypatch.setattr(web_room, "LOOK_S", 60.0)  # no regular look: only the write can wake it
    monkeypatch.setattr(web_room, "HOLD_S", 120.0)
    w, path = room
    drawn = room_signal.room_signal(store, w.id)
    thread, answer = _ask_in_background(client, path + _drawn_query(drawn, "wall"))
    _until(lambda: changes._waiters)  # the question is waiting on the server
    assert not answer
    workshops.step_by(store, teacher.id, w.id, 1)
    thread.join(timeout=10)
    assert not thread.is_alive(), "the write did not wake the waiting screen"
    assert answer["status"] == 200 and answer["body"]["v"] > drawn.version


def test_a_waiting_screen_is_not_woken_by_what_it_does_not_show(client, store, teacher, room, monkeypatch):
    """The projector follows the wall, not the approval queue: a reflection waiting for approval leaves
    its question waiting until the hold ends (then it is answered, unchanged for it)."""
    monkeypatch.setattr(web_room, "LOOK_S", 0.05)
    monkeypatch.setattr(web_room, "HOLD_S", 3.0)  # the write below must land inside it on a busy machine
    w, path = room
    workshops.set_auto_approve(store, teacher.id, w.id, False)
    drawn = room_signal.room_signal(store, w.id)
    thread, answer = _ask_in_background(client, path + _drawn_query(drawn, "wall"))
    _until(lambda: changes._waiters or answer)  # between looks the question is briefly not waiting
    assert not answer, "the hold ended before the test could write: the machine stalled for 3 s"
    joined = reflections.join_by_code(store, w.join_code, "Cara")
    reflections.submit_reflection(store, w.id, joined.token, "She waited for him")
    thread.join(timeout=15)
    assert not thread.is_alive()
    assert answer["waited"] >= 3.0  # held for the whole hold despite the write
    assert answer["body"]["waiting"] != drawn.waiting and answer["body"]["wall"] == drawn.wall
    assert answer["body"]["v"] == drawn.version


def test_a_stale_screen_is_answered_at_once(client, store, teacher, room, monkeypatch):
    monkeypatch.setattr(web_room, "HOLD_S", 120.0)
    w, path = room
    drawn = room_signal.room_signal(store, w.id)
    workshops.step_by(store, teacher.id, w.id, 1)
    room_signal._recent.clear()
    answer = client.get(path + _drawn_query(drawn, ""))
    assert answer.status_code == 200 and answer.json()["v"] > drawn.version


def test_screens_woken_by_a_write_share_one_new_answer(store, teacher, room, monkeypatch):
    monkeypatch.setattr(room_signal, "FRESH_S", 3600.0)
    w, _ = room
    room_signal._recent.clear()
    before, seen = room_signal.recent_room_signal(store, w.id)
    assert room_signal.recent_room_signal(store, w.id)[0] is before  # shared
    workshops.step_by(store, teacher.id, w.id, 1)
    assert room_signal.recent_room_signal(store, w.id)[0] is before  # a screen not woken: still shared
    woken, seen_now = room_signal.recent_room_signal(store, w.id, newer_than=seen)
    assert woken.version > before.version and seen_now > seen
    assert room_signal.recent_room_signal(store, w.id, newer_than=seen)[0] is woken  # the next one shares it


def test_only_a_transaction_that_writes_wakes_anyone(store, teacher, room):
    """Reading the room (as every waiting screen does) must not wake the screens that wait."""
    w, _ = room
    seen = changes.generation()
    room_signal.room_signal(store, w.id)
    workshops.get_workshop(store, w.id)
    assert changes.generation() == seen
    workshops.step_by(store, teacher.id, w.id, 1)  # an UPDATE statement, not a flush
    assert changes.generation() > seen
    joined = reflections.join_by_code(store, w.join_code, "Cara")  # a flush
    moved = changes.generation()
    reflections.submit_reflection(store, w.id, joined.token, "She waited for him")
    assert changes.generation() > moved


def test_a_stopping_server_answers_the_questions_it_holds(client, store, room, monkeypatch):
    """The server waits for its open requests before it stops: a held question must end at once."""
    monkeypatch.setattr(changes, "_closing", False)  # and back to False after the test
    monkeypatch.setattr(web_room, "LOOK_S", 60.0)
    monkeypatch.setattr(web_room, "HOLD_S", 120.0)
    w, path = room
    drawn = room_signal.room_signal(store, w.id)
    thread, answer = _ask_in_background(client, path + _drawn_query(drawn, "wall"))
    _until(lambda: changes._waiters)
    changes.closing()
    thread.join(timeout=10)
    assert not thread.is_alive(), "the held question kept the stopping server waiting"
    assert answer["status"] == 200 and answer["body"]["v"] == drawn.version


def test_the_wall_digest_changes_exactly_when_what_the_wall_shows_changes(store, teacher, colleague):
    """The digest is taken from the wall's reflection ids, so every change the wall can show (approve,
    edit, hide, withdraw, a moment leaving the room) must come with a change of those ids."""
    w = make_workshop(store, teacher.id)
    share_id, moment_id = share_moment(store, colleague.id, w.id, "Circle time")
    w = workshops.open_workshop(store, teacher.id, w.id)
    workshops.set_auto_approve(store, teacher.id, w.id, False)
    joined = reflections.join_by_code(store, w.join_code, "Cara")
    steps = workshops.steps(store, w.id)
    on_the_moment = next(step for step in steps if step.moment and step.moment.moment_id == moment_id)
    workshops.go_to_step(store, teacher.id, w.id, on_the_moment.key)
    seen = [room_signal.wall_digest(store, w.id)]

    def changed() -> bool:
        seen.append(room_signal.wall_digest(store, w.id))
        return seen[-1] != seen[-2]

    about = reflections.submit_reflection(store, w.id, joined.token, "She waited")
    assert about.moment_id == moment_id
    assert not changed()  # waiting for the facilitator: not on the wall
    reflections.moderate(store, teacher.id, w.id, about.id, approve=True)
    assert changed()
    edit = reflections.edit_reflection(store, w.id, joined.token, about.id, "She waited for him")
    assert not changed()  # the approved words stay until the new ones are approved
    reflections.moderate(store, teacher.id, w.id, edit.id, approve=True)
    assert changed()
    again = reflections.edit_reflection(store, w.id, joined.token, edit.id, "She waited; he spoke")
    reflections.moderate(store, teacher.id, w.id, again.id, approve=False)
    assert not changed()  # a new wording hidden: the approved words stay on the wall
    sharing.withdraw_share(store, colleague.id, share_id)
    assert changed()  # the moment left the room and took its reflection
    workshops.go_to_step(store, teacher.id, w.id, workshops.steps(store, w.id)[0].key)
    general = reflections.submit_reflection(store, w.id, joined.token, "Calm voices all round")
    reflections.moderate(store, teacher.id, w.id, general.id, approve=True)
    assert changed()
    reflections.withdraw_reflection(store, w.id, joined.token, general.id)
    assert changed()
    assert seen[-1] == seen[0]  # an empty wall again, whatever happened on the way


def test_the_digests_are_summed_up_in_the_database_and_hold_for_large_ids(store, teacher):
    """Each screen's question is answered from one summary row, not the wall's hundreds of ids; its
    sums must not overflow on PostgreSQL (where an id's square past 46,340 is beyond an integer)."""
    w = make_workshop(store, teacher.id)
    empty_wall, empty_queue = room_signal.wall_digest(store, w.id), room_signal.waiting_digest(store, w.id)
    with store.transaction() as s:
        for rid, status in ((50_000, "approved"), (70_000, "approved"), (90_000, "pending")):
            s.add(Reflection(id=rid, workshop_id=w.id, text=f"Noticed {rid}", status=status))
    assert reflections.wall_fingerprint(store, w.id) == (2, 120_000, 50_000**2 + 70_000**2, 70_000)
    assert room_signal.wall_digest(store, w.id) != empty_wall
    assert room_signal.waiting_digest(store, w.id) != empty_queue
    # Control works the queue's digest out from the queue it has read: the same digest, whatever waits.
    [mine] = workshops.my_workshops(store, teacher.id)
    with store.transaction() as s:
        s.add(Reflection(id=95_000, workshop_id=w.id, text="Noticed 95000", status="pending"))
    waiting = reflections.waiting_in(store, mine, first=1)
    assert waiting.oldest == reflections.pending(store, teacher.id, w.id)[:1] and waiting.count == 2
    assert waiting.fingerprint == (2, 185_000, 90_000**2 + 95_000**2, 95_000)
    assert room_signal.waiting_digest_of(waiting) == room_signal.waiting_digest(store, w.id)
    with store.transaction() as s:
        s.execute(update(Reflection).where(Reflection.status == "pending").values(status="hidden"))
    assert room_signal.waiting_digest_of(reflections.waiting_in(store, mine, first=1)) == empty_queue
