"""The clip uploader on My clips: a small component that sends a file in resumable chunks to the server.

The browser sends the file straight to the app's upload route (``verp.web_uploads``) in chunks, with a
progress bar, resuming after a dropped connection; the page only learns the new clip's id when it is
saved. Built on Streamlit's current component API (``st.components.v2``); its HTML, CSS and JavaScript
live in ``assets/uploader``. The wording lives here, in one place.
"""

from __future__ import annotations

import time
from pathlib import Path

import streamlit as st

from verp.core.store import Store
from verp.review import clips
from verp.ui.component_data import as_bytes
from verp.ui.session import SESSION_KEY
from verp.web_uploads import TOKEN_MAX_AGE_S, UPLOAD_ROUTE, upload_token

ASSETS = Path(__file__).resolve().parents[2] / "assets" / "uploader"
CHUNK_BYTES = 8 << 20
TOKEN_KEY = "upload_token"
TEXT = {
    "label": "Add a clip from this device",
    "hint": "A video file (mp4, mov, m4v, webm, mkv, avi, mpg). On a phone you can film straight into this.",
    "sending": "Sending",
    "checking": "Checking and saving your clip…",
    "reconnecting": "The connection dropped. Trying again…",
    "dropped": (
        "The connection dropped and did not come back. Choose the file again to carry on where it stopped."
    ),
    "failed": "The upload did not work. Please try again.",
}

_uploader = st.components.v2.component(
    "verp_clip_uploader",
    html=(ASSETS / "uploader.html").read_text(),
    css=(ASSETS / "uploader.css").read_text(),
    js=(ASSETS / "uploader.js").read_text(),
)


def _token(store: Store, person_id: int) -> str:
    """The tab's upload token, renewed while it still has hours to run (so an upload never outlives it);
    it names this tab's sign-in, and ends with it."""
    signed_in = (person_id, st.session_state.get(SESSION_KEY))
    held = st.session_state.get(TOKEN_KEY)
    if not held or held[0] != signed_in or time.time() - held[1] > TOKEN_MAX_AGE_S / 3:
        held = (signed_in, time.time(), upload_token(store.settings, *signed_in))
        st.session_state[TOKEN_KEY] = held
    return held[2]


def clip_uploader(
    store: Store, person_id: int, key: str = "clip_uploader", label: str = TEXT["label"]
) -> str | None:
    """Draw the uploader; in the run right after a clip was saved, return that clip's id."""
    limit_mb = store.settings.max_upload_mb
    accept = ",".join(["video/*", *(f".{ext}" for ext in clips.VIDEO_EXTENSIONS)])
    data = {
        "endpoint": UPLOAD_ROUTE,
        "token": _token(store, person_id),
        "person": person_id,
        "maxBytes": store.settings.max_upload_bytes,
        "chunkBytes": CHUNK_BYTES,
        "accept": accept,
        "text": {
            **TEXT,
            "label": label,
            "tooLarge": f"This file is larger than the {limit_mb} MB limit for a clip.",
        },
    }
    result = _uploader(key=key, data=as_bytes(data), on_done_change=lambda: None)
    return result.done
