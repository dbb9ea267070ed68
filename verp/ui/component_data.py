"""What the app hands its custom components (``st.components.v2``) to draw with.

Streamlit looks through a dictionary's every entry for a table to send apart, and asks any other value
whether it is a table of one of a dozen kinds; bytes it sends as they are. The room's follower is drawn
on every run of Control, Present and every phone, the uploader on every run of My clips: their data goes
as JSON text in UTF-8 bytes, and their scripts read it with ``JSON.parse(new TextDecoder().decode(data))``.
"""

from __future__ import annotations

import json
from typing import Any


def as_bytes(value: Any) -> bytes:
    """``value`` (plain JSON data) as a component's data."""
    return json.dumps(value).encode()
