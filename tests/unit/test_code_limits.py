"""Join and share by code: the device's address is believed only from a trusted proxy, and guessers are
slowed per device and per code without locking the room out."""

from __future__ import annotations

import threading
import time

import pytest

from tests.support.review import add_consent, add_test_clip, add_workshop, cut_moment
from tests.support.workshop import make_workshop
from verp.core import limits
from verp.core.errors import VerpError
from verp.core.limits import client_address
from verp.review import sharing
from verp.review.sharing import SharingError
from verp.workshop import reflections as r
from verp.workshop import workshops
from verp.workshop.reflections import ReflectionError

TRUSTED = ("127.0.0.1", "::1", "10.1.0.0/16")
GUESSER, PHONE = "203.0.113.66", "198.51.100.7"


def test_forwarded_for_is_ignored_unless_the_direct_peer_is_a_trusted_proxy():
    spoof = {"X-Forwarded-For": "198.51.100.7"}
    assert client_address("203.0.113.5", spoof, TRUSTED) == "203.0.113.5"
    assert client_address("10.1.2.3", spoof, TRUSTED) == "198.51.100.7"
    assert client_address(None, spoof, TRUSTED) == "198.51.100.7"  # Streamlit's loopback peer
    assert client_address("10.1.2.3", spoof, ()) == "10.1.2.3"


def test_the_client_is_the_right_most_address_that_is_not_a_trusted_proxy():
    chain = {"x-forwarded-for": "1.2.3.4, 198.51.100.7, 10.1.0.9"}  # the first hop was typed by the client
    assert client_address("127.0.0.1", chain, TRUSTED) == "198.51.100.7"
    assert (
        client_address("127.0.0.1", {"X-Forwarded-For": "not an address"}, TRUSTED) == limits.UNKNOWN_CLIENT
    )
    assert client_address("127.0.0.1", {}, TRUSTED) == "127.0.0.1"


@pytest.fixture
def live(store, teacher):
    w = make_workshop(store, teacher.id)
    return workshops.open_workshop(store, teacher.id, w.id)


def test_two_hundred_bad_tries_from_one_device_do_not_stop_another_devices_right_code(store, live):
    refused = 0
    for n in range(200):
        try:
            r.join_by_code(store, f"WRONG{n % 7}", "Eve", client=GUESSER)
        except ReflectionError as exc:
            refused += "Too many" in str(exc)
    assert refused >= 200 - r.MAX_JOIN_FAILURES  # the guesser was slowed down
    with pytest.raises(ReflectionError, match="Too many"):
        r.join_by_code(store, live.join_code, "Eve", client=GUESSER)
    assert r.join_by_code(store, live.join_code, "Cara", client=PHONE).workshop_id == live.id


def test_a_new_tab_on_the_same_device_gets_no_fresh_tries(store, live):
    for _ in range(r.MAX_JOIN_FAILURES):
        with pytest.raises(ReflectionError, match="does not open"):
            r.join_by_code(store, "WRONG1", "Eve", client=GUESSER)
    with pytest.raises(ReflectionError, match="Too many"):
        r.join_by_code(store, "WRONG2", "Eve", client=GUESSER)


def test_one_code_guessed_from_many_devices_is_slowed_but_the_right_code_is_not(store, live):
    for n in range(r.MAX_JOIN_FAILURES_PER_CODE):
        with pytest.raises(ReflectionError, match="does not open"):
            r.join_by_code(store, "WRONG1", "Eve", client=f"203.0.113.{n}")
    with pytest.raises(ReflectionError, match="Too many"):
        r.join_by_code(store, "WRONG1", "Eve", client="203.0.113.250")
    assert r.join_by_code(store, live.join_code, "Cara", client="203.0.113.251")


@pytest.fixture
def moment(store, teacher, tmp_path):
    clip = add_test_clip(store, teacher.id, tmp_path)
    add_consent(store, teacher.id, clip.id)
    return cut_moment(store, teacher.id, clip.id, "Story time", 1.0, 3.0)


def test_sharing_answers_alike_for_unknown_and_closed_codes(store, teacher, moment):
    add_workshop(store, teacher.id, code="SHUT01", status="closed")
    answers = []
    for code in ("SHUT01", "NOPE99"):
        with pytest.raises(SharingError) as refused:
            sharing.share_moment(store, teacher.id, moment.id, code, client=PHONE)
        answers.append(str(refused.value))
    assert answers[0] == answers[1] and "closed" not in answers[0]


def test_sharing_by_code_works_for_planned_and_live_workshops(store, teacher, moment, tmp_path):
    add_workshop(store, teacher.id, code="PLAN01", status="planned")
    assert sharing.share_moment(store, teacher.id, moment.id, "PLAN01", client=PHONE)


def test_guessing_codes_to_share_with_is_slowed_per_person_and_device(store, teacher, colleague, moment):
    for n in range(sharing.MAX_CODE_FAILURES):
        with pytest.raises(SharingError, match="No planned or live workshop"):
            sharing.share_moment(store, teacher.id, moment.id, f"NOPE{n:02d}", client=GUESSER)
    add_workshop(store, teacher.id, code="ABCD23", status="live")
    with pytest.raises(SharingError, match="Too many"):
        sharing.share_moment(store, teacher.id, moment.id, "ABCD23", client=PHONE)  # the same person
    with pytest.raises(SharingError, match="Too many"):
        sharing.share_moment(store, colleague.id, moment.id, "ABCD23", client=GUESSER)  # the same device
    with pytest.raises(VerpError, match="not yours|yours"):
        sharing.share_moment(store, colleague.id, moment.id, "ABCD23", client=PHONE)  # someone else: checked


def test_a_whole_room_joining_at_once_from_one_school_network_all_get_in(store, live, monkeypatch):
    """Thirty phones behind one school address send the right code at the same moment: every try is
    counted while it is checked, which puts the room over the limits for a moment; none is refused."""
    real_join = r._join

    def slow_join(*args):
        time.sleep(0.05)  # every check takes a while: the room's tries overlap
        return real_join(*args)

    monkeypatch.setattr(r, "_join", slow_join)
    room = 30
    assert room > limits.MAX_CODE_FAILURES
    start = threading.Barrier(room)
    joined, refused = [], []

    def phone(n: int) -> None:
        start.wait()
        try:
            joined.append(r.join_by_code(store, live.join_code, f"Phone {n}", client=PHONE))
        except ReflectionError as exc:
            refused.append(str(exc))

    threads = [threading.Thread(target=phone, args=(n,)) for n in range(room)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert refused == [] and len(joined) == room


def test_a_guesser_among_a_joining_room_is_still_refused_at_once(store, live):
    for _ in range(limits.MAX_CODE_FAILURES):
        with pytest.raises(ReflectionError, match="does not open"):
            r.join_by_code(store, "WRONG1", "Eve", client=GUESSER)
    started = time.monotonic()
    with pytest.raises(ReflectionError, match="Too many"):
        r.join_by_code(store, "WRONG2", "Eve", client=GUESSER)
    assert time.monotonic() - started < limits.RECOUNT_FOR_S  # failed tries count at once: no waiting
