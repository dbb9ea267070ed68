"""Writes committed in this process, announced to whoever waits for one.

A screen of the room waits on the server (``verp.web_room``) for something it shows to change. When a page
of the same server commits the change (Control's Next, a phone's reflection, an approval), the waiting
request hears of it at once instead of at its next look; a change committed by another instance is found
by that regular look. Every committed transaction counts: telling them apart would cost more than the
quick, shared look a waiter takes after a wake.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading

_lock = threading.Lock()
_generation = 0
_waiters: set[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = set()
_closing = False


def committed() -> None:
    """Called after every committed transaction (``Store.transaction``), from any thread."""
    global _generation
    with _lock:
        _generation += 1
    _wake_all()


def closing() -> None:
    """The server is stopping: every waiter wakes now and for good (it waits for its open requests)."""
    global _closing
    _closing = True
    _wake_all()


def is_closing() -> bool:
    return _closing


def _wake_all() -> None:
    with _lock:
        waiters = list(_waiters)
    for loop, event in waiters:
        with contextlib.suppress(RuntimeError):  # that loop has closed; its waiter is gone with it
            loop.call_soon_threadsafe(event.set)


def generation() -> int:
    """How many transactions this process has committed: a waiter's place in that count."""
    return _generation


async def commit_after(seen: int, timeout: float) -> bool:
    """Wait until this process commits a transaction beyond ``seen`` (a past ``generation()``); False if
    ``timeout`` seconds pass first."""
    event = asyncio.Event()
    waiter = (asyncio.get_running_loop(), event)
    with _lock:
        if _generation > seen or _closing:
            return True
        _waiters.add(waiter)
    try:
        await asyncio.wait_for(event.wait(), timeout)
        return True
    except TimeoutError:
        return False
    finally:
        with _lock:
            _waiters.discard(waiter)
