"""Short-lived signed links, stamped in whole minutes.

A page draws its links (a video, a picture, a download) on every run. Stamped to the minute, a link drawn
again within the same minute is the same text, signed once: the browser does not load a video again from
its start, and the page does not sign it again (each signing derives the key and hashes twice). A link's
age is counted in whole minutes too. Plain itsdangerous: no Streamlit, no web framework.
"""

from __future__ import annotations

import time
from functools import lru_cache

from itsdangerous import TimestampSigner, URLSafeTimedSerializer

STEP_S = 60


def minute() -> int:
    """The start of this minute, in seconds: the stamp of every link drawn in it."""
    return int(time.time()) // STEP_S * STEP_S


class _MinuteSigner(TimestampSigner):
    def get_timestamp(self) -> int:
        return minute()


def serializer(secret_key: str, salt: str) -> URLSafeTimedSerializer:
    """Signs and reads links of one kind (``salt``); ``loads(..., max_age=…)`` ages them in minutes."""
    return URLSafeTimedSerializer(secret_key, salt=salt, signer=_MinuteSigner)


def sign(secret_key: str, salt: str, payload: dict[str, str | int | None]) -> str:
    """``payload`` signed as a link of kind ``salt``: the same text all through this minute."""
    return _signed(secret_key, salt, tuple(payload.items()), minute())


@lru_cache(maxsize=4096)
def _signed(secret_key: str, salt: str, items: tuple, stamp: int) -> str:
    """Signed once per minute (``stamp`` is in the key, so a new minute signs anew)."""
    return serializer(secret_key, salt).dumps(dict(items))
