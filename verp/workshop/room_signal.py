"""What a projector asks: has anything it shows changed since it drew?

Present draws a step once, then asks this small question over HTTP (``verp.web_room``, which holds it
until the answer is yes) instead of running the page on a timer. One cheap answer serves every screen of
a room, and there are no timed page runs, whose redraws in the browser can race a whole-page redraw and
leave the screen blank.
"""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeTimedSerializer

from verp.core import changes
from verp.core.config import Settings
from verp.core.store import Store
from verp.workshop import reflections, workshops

FOLLOW_MAX_AGE_S = 24 * 3600  # a screen left open all day keeps asking; a page run signs a new one
FRESH_S = 0.25  # an answer is shared by the requests of this long (a room's screens ask together)

_recent: dict[tuple[int, int], tuple[float, int, RoomSignal]] = {}
_lock = threading.Lock()


@dataclass(frozen=True)
class RoomSignal:
    """The state version (Control's changes), a digest of the wall, whether the workshop closed; for
    Control also a digest of the reflections waiting for approval and whether the projector's sound is
    unlocked (neither says anything about what they are)."""

    version: int
    wall: str
    closed: bool
    waiting: str = ""
    sound: bool = False

    def news_for(self, drawn: RoomSignal, watch: tuple[str, ...]) -> bool:
        """Whether a screen that drew ``drawn`` and follows the ``watch`` parts must draw again."""
        now, then = self.as_json(), drawn.as_json()
        return self.closed or self.version > drawn.version or any(now[p] != then[p] for p in watch)

    def as_json(self) -> dict:
        return {
            "v": self.version,
            "wall": self.wall,
            "closed": self.closed,
            "waiting": self.waiting,
            "sound": self.sound,
        }


def _follow_serializer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.secret_key(), salt="verp-room-follow")


def follow_token(settings: Settings, workshop_id: int) -> str:
    """A token that lets a screen of the room (Present, Control, a phone) ask about this workshop. The
    answer is only version numbers and digests, so any page that shows the room may hold one."""
    return _follow_serializer(settings).dumps({"w": int(workshop_id)})


def follow_token_workshop_id(settings: Settings, token: str) -> int | None:
    """The workshop a follow token names, if its signature holds and it is recent; no query."""
    try:
        return int(_follow_serializer(settings).loads(str(token or ""), max_age=FOLLOW_MAX_AGE_S)["w"])
    except (BadSignature, KeyError, TypeError, ValueError):
        return None


def wall_digest(store: Store, workshop_id: int) -> str:
    """A short digest of every reflection on the room's wall: it changes when one is approved, edited,
    hidden or taken back, or when a moment leaves the room."""
    return _digest(reflections.wall_fingerprint(store, workshop_id))


def waiting_digest(store: Store, workshop_id: int) -> str:
    """A short digest of which reflections wait for the facilitator's approval (as Control's queue
    shows them: about the session or a moment still shown)."""
    return _digest(reflections.read_fingerprint(store, reflections.WAITING_FINGERPRINT, workshop_id))


def waiting_digest_of(waiting: reflections.Waiting) -> str:
    """:func:`waiting_digest` of the queue as Control has just read it."""
    return _digest(waiting.fingerprint)


def _digest(fingerprint: tuple[int, ...]) -> str:
    return hashlib.blake2s(repr(fingerprint).encode(), digest_size=8).hexdigest()


def room_signal(store: Store, workshop_id: int) -> RoomSignal:
    workshop = workshops.get_workshop(store, workshop_id)
    return RoomSignal(
        workshop.state_version,
        wall_digest(store, workshop_id),
        workshop.is_closed,
        waiting_digest(store, workshop_id),
        workshops.playback(workshop).sound_unlocked,
    )


def recent_room_signal(store: Store, workshop_id: int, newer_than: int = -1) -> tuple[RoomSignal, int]:
    """``room_signal``, shared for ``FRESH_S`` between the screens that ask at about the same time, with
    the count of this process's commits it has seen (``changes.generation()`` when it was taken).

    A screen woken by a commit asks for an answer ``newer_than`` the one it had: every screen woken by
    the same commit shares one new answer, and thirty phones sending at once cost one answer per
    wake-up, not one per screen."""
    key, now = (id(store), workshop_id), time.monotonic()
    with _lock:
        hit = _recent.get(key)
    if hit and now - hit[0] < FRESH_S and hit[1] > newer_than:
        return hit[2], hit[1]
    seen = changes.generation()  # before reading: a commit during the read counts as not seen
    signal = room_signal(store, workshop_id)
    with _lock:
        _recent[key] = (now, seen, signal)
        for stale in [k for k, (at, _, _) in _recent.items() if now - at > 60]:
            _recent.pop(stale, None)
    return signal, seen
