"""Playing stored video: by signed, expiring URL, so the server never loads a whole clip into memory."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import streamlit as st

from verp.store import Store
from verp.web import media_url


def origin() -> str | None:
    """``scheme://host:port`` of the page the browser is on, as the browser sees it."""
    url = st.context.url
    if not url:
        return None
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") else None


def playback_url(store: Store, path: Path) -> str | None:
    """A URL for one stored file, or None where there is no browser (as in AppTest)."""
    base = origin()
    if base is None:
        return None
    name = path.resolve().relative_to(store.settings.clips_dir.resolve()).as_posix()
    return media_url(store.settings, base, name)


def play(store: Store, path: Path, **options) -> None:
    """Show a video player for a stored file; ``options`` go to ``st.video`` (start_time, loop, …)."""
    st.video(playback_url(store, path) or str(path), **options)
