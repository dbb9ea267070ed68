"""Slowing down guessers without locking anyone else out: passphrases, join codes, sharing codes.

A try is counted in the database *before* it is checked, in its own committed unit of work, and then the
tries in the window are counted: however many tries race in parallel, at most ``most`` of them see a
count within the limit, on every instance of the app. A try that succeeds is forgiven (its rows go); a
refused try is not counted, so the limit is a sliding window (a back-off) rather than a lock that a
guesser can keep closed. Keys name a client (its address) together with what it tried, so a stranger's
guesses slow the stranger, never a colleague on another device.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, func, select

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


def begin_try(store: Store, limits: Iterable[Limit]) -> list[int]:
    """Count one try against every limit, then refuse it (``LimitReached``) if any is over.

    Returns the ids of the counted rows: pass them to :func:`forgive` when the try succeeds.
    """
    limits = list(limits)
    with store.transaction() as s:
        rows = [Attempt(kind=limit.kind[:16], key=limit.key[:120]) for limit in limits]
        s.add_all(rows)
        s.flush()
        ids = [row.id for row in rows]
    now = utcnow()
    with store.transaction() as s:
        over = any(_count(s, limit, now) > limit.most for limit in limits)
    if over:
        forgive(store, ids)
        raise LimitReached
    return ids


@contextmanager
def counted_try(store: Store, limits: Iterable[Limit], fails: type[BaseException]) -> Iterator[None]:
    """Run a check as one counted try: ``fails`` raised inside keeps it counted, anything else
    (success, or a refusal for another reason, which means the code was right) forgives it."""
    ids = begin_try(store, limits)
    try:
        yield
    except fails:
        raise
    except BaseException:
        forgive(store, ids)
        raise
    forgive(store, ids)


def code_limits(kind: str, client: str, other_key: str) -> list[Limit]:
    """The limits on guessing a code: per device, and per ``other_key`` (the typed code, or the person)."""
    return [
        Limit(kind, f"client:{client}", MAX_CODE_FAILURES),
        Limit(kind, other_key, MAX_CODE_FAILURES),
    ]


def _count(s, limit: Limit, now) -> int:
    key = limit.key[:120]
    since = now - limit.window
    query = select(func.count(Attempt.id)).where(
        Attempt.kind == limit.kind[:16], Attempt.key == key, Attempt.at >= since
    )
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
