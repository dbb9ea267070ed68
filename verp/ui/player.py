"""Playing stored video: by signed, expiring URL, so the server never loads a whole clip into memory."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from urllib.parse import urlsplit

import streamlit as st
import streamlit.components.v1 as components

from verp.core.store import Store
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


# ---------------------------------------------------------------- the Review page's players

MAX_INLINE_BYTES = 10 * 1024 * 1024


def play_moment(
    store: Store, path: Path, start_s: float | None = None, end_s: float | None = None, **options
) -> None:
    """Loop a moment: its own cut file, or just start..end of the whole clip (whole seconds in st.video).

    ``options`` go to ``st.video`` too: ``alt`` (what a screen reader calls the video), ``subtitles``.
    """
    if start_s is None:
        play(store, path, loop=True, **options)
    else:
        play(store, path, start_time=float(start_s), end_time=float(end_s), loop=True, **options)


def slow_replay_html(src: str, rate: float = 0.5) -> str:
    """An HTML video element that loops ``src`` at ``rate`` times normal speed, without sound.

    ``src`` is a signed playback URL or a data URL made here: never text a person typed.
    """
    return (
        f"<video id='slow' src={json.dumps(src)} controls loop muted playsinline autoplay "
        "style='width:100%;max-height:420px;background:#000'></video>"
        f"<script>const v=document.getElementById('slow');const r={json.dumps(float(rate))};"
        "v.defaultPlaybackRate=r;v.playbackRate=r;"
        "v.addEventListener('play',()=>{v.playbackRate=r;});</script>"
    )


def slow_replay(store: Store, path: Path, rate: float = 0.5) -> bool:
    """Show a moment's cut slowed down, streamed by signed URL (or inline when small and no URL exists)."""
    src = playback_url(store, path)
    if src is None:
        if path.stat().st_size > MAX_INLINE_BYTES:
            st.caption("Slow replay is not available here. Use the player's own speed setting.")
            return False
        src = f"data:video/mp4;base64,{base64.b64encode(path.read_bytes()).decode()}"
    components.html(slow_replay_html(src, rate), height=440)
    return True
