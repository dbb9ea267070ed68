"""Slowing down guessers without locking anyone else out: passphrases, join codes, sharing codes.

A try is counted in the database *before* it is checked, in its own committed unit of work, and then the
tries in the window are counted: however many tries race in parallel, at most ``most`` of them see a
count within the limit, on every instance of the app. A try that succeeds is forgiven (its rows go); a
refused try is not counted, so the limit is a sliding window (a back-off) rather than a lock that a
guesser can keep closed. Keys name a client (its address) together with what it tried, so a stranger's
guesses slow the stranger, never a colleague on another device. A code's tries are marked while they
are checked: a room joining with the right code at once (thirty phones behind one school address) is
over the limit only until those checks end, so such a try looks again rather than being refused.
"""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, func, select, update

from verp.core.models import Attempt, utcnow
from verp.core.store import Store

WINDOW = timedelta(minutes=10)
UNKNOWN_CLIENT = "-"
MAX_CODE_FAILURES = 20  # wrong codes per device (and per typed code, or per person) in the window
TOO_MANY_CODES = "Too many wrong codes from here. Please wait ten minutes, then try again."


class LimitReached(Exception):
    """Too many tries for one of the keys; the caller words the message for its screen."""


@dataclass(frozen=True)
class Limit:
    """At most ``most`` counted tries of ``kind`` for ``key`` within ``window``."""

    kind: str
    key: str
    most: int
    window: timedelta = WINDOW


PENDING = "?"  # marks a try counted by ``counted_try`` whose check has not ended yet
RECOUNT_S = 0.05  # a try over the limit only because of others still being checked looks again this often
RECOUNT_FOR_S = 2.0  # ... for at most this long


def begin_try(store: Store, limits: Iterable[Limit], pending: bool = False) -> list[int]:
    """Count one try against every limit, then refuse it (``LimitReached``) if any is over.

    Returns the ids of the counted rows: pass them to :func:`forgive` when the try succeeds. With
    ``pending``, the rows are marked as being checked (``counted_try`` then forgives or keeps each): a
    room of phones joining with the right code at the same moment counts against the limit only while
    their checks run, so a try over the limit only because of tries still being checked looks again
    until they have ended; tries that failed count at once.
    """
    limits = list(limits)
    with store.transaction() as s:
        rows = [Attempt(kind=limit.kind[:16], key=_key(limit, pending)) for limit in limits]
        s.add_all(rows)
        s.flush()
        ids = [row.id for row in rows]
    deadline = time.monotonic() + RECOUNT_FOR_S
    while True:
        now = utcnow()
        with store.reading() as s:
            over = [
                limit
                for limit, row_id in zip(limits, ids, strict=True)
                if _count(s, limit, now, PENDING + limit.key, up_to=row_id if pending else None) > limit.most
            ]
            # Refused for good: failed tries alone (with this one) are over a limit, or time is up.
            refused = not pending or any(_count(s, limit, now) + 1 > limit.most for limit in over)
        if not over:
            return ids
        if refused or time.monotonic() >= deadline:
            forgive(store, ids)
            raise LimitReached
        time.sleep(RECOUNT_S)


def _key(limit: Limit, pending: bool) -> str:
    return ((PENDING if pending else "") + limit.key)[:120]


@contextmanager
def counted_try(store: Store, limits: Iterable[Limit], fails: type[BaseException]) -> Iterator[None]:
    """Run a check as one counted try: ``fails`` raised inside keeps it counted, anything else
    (success, or a refusal for another reason, which means the code was right) forgives it."""
    limits = list(limits)
    ids = begin_try(store, limits, pending=True)
    try:
        yield
    except fails:
        _keep(store, ids, limits)
        raise
    except BaseException:
        forgive(store, ids)
        raise
    forgive(store, ids)


def _keep(store: Store, ids: list[int], limits: list[Limit]) -> None:
    """A try that failed: counted from now on as failed, not as being checked."""
    with store.transaction() as s:
        for row_id, limit in zip(ids, limits, strict=True):
            s.execute(update(Attempt).where(Attempt.id == row_id).values(key=_key(limit, False)))


def code_limits(kind: str, client: str, other_key: str) -> list[Limit]:
    """The limits on guessing a code: per device, and per ``other_key`` (the typed code, or the person)."""
    return [
        Limit(kind, f"client:{client}", MAX_CODE_FAILURES),
        Limit(kind, other_key, MAX_CODE_FAILURES),
    ]


def _count(s, limit: Limit, now, *also: str, up_to: int | None = None) -> int:
    """Tries counted for ``limit`` in its window (and, with ``also``, for those keys too); with
    ``up_to``, only those counted before that row (and it): a try waits for the tries before it, never
    for those after it, so tries that arrive together cannot all wait for each other."""
    keys = [key[:120] for key in (limit.key, *also)]
    since = now - limit.window
    query = select(func.count(Attempt.id)).where(
        Attempt.kind == limit.kind[:16], Attempt.key.in_(keys), Attempt.at >= since
    )
    if up_to is not None:
        query = query.where(Attempt.id <= up_to)
    return s.scalar(query)


def forgive(store: Store, ids: list[int]) -> None:
    """Remove counted tries: the try succeeded (or was refused before it was checked)."""
    if ids:
        with store.transaction() as s:
            s.execute(delete(Attempt).where(Attempt.id.in_(ids)))


def client_address(
    peer: str | None, headers: Mapping[str, str] | None, trusted_proxies: Iterable[str]
) -> str:
    """The address of the device on the other end.

    ``X-Forwarded-For`` is believed only when the direct peer is a listed proxy (anyone can send the
    header); then the right-most address not itself a trusted proxy is the client. Streamlit reports a
    loopback peer as no address, so ``None`` is taken to be loopback.
    """
    networks = _networks(trusted_proxies)
    peer = peer or "127.0.0.1"
    if not _within(peer, networks):
        return peer
    forwarded = _header(headers, "x-forwarded-for")
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _within(hop, networks):
            return hop if _is_address(hop) else UNKNOWN_CLIENT
    return peer


def _header(headers: Mapping[str, str] | None, name: str) -> str:
    for key, value in (headers or {}).items():
        if key.lower() == name:
            return str(value)
    return ""


def _networks(entries: Iterable[str]) -> list:
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            continue
    return networks


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _within(address: str, networks: list) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks if network.version == ip.version)
