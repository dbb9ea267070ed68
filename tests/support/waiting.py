"""Wait on a condition, never a fixed time: for work that finishes in the background."""

from __future__ import annotations

import time
from collections.abc import Callable


def wait_until(condition: Callable[[], object], timeout: float, failure: str, every: float = 0.05) -> None:
    """Return as soon as ``condition()`` is true; fail with ``failure`` once ``timeout`` seconds pass."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, failure
        time.sleep(every)  # the polling interval, not a wait in place of the check
