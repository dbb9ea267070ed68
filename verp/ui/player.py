"""Video players for the Review page: the whole clip, a looping moment, and a slow replay.

``st.video`` has no playback-rate setting, so the slow replay is a small HTML video element whose
``playbackRate`` is set by script. It carries the moment's cut as a data URL, which is fine for the
short cuts the method asks for; a cut over ``MAX_INLINE_BYTES`` is not embedded (a caption says so).
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import streamlit as st
import streamlit.components.v1 as components

MAX_INLINE_BYTES = 10 * 1024 * 1024


def play_clip(path: Path, start_s: float = 0.0) -> None:
    st.video(str(path), start_time=float(start_s))


def play_moment(path: Path, start_s: float | None = None, end_s: float | None = None) -> None:
    """Loop a moment: the cut file itself, or just start..end of the whole clip."""
    if start_s is None:
        st.video(str(path), loop=True)
    else:
        st.video(str(path), start_time=float(start_s), end_time=float(end_s), loop=True)


def slow_replay_html(data: bytes, rate: float = 0.5, mime: str = "video/mp4") -> str:
    """An HTML video element that loops ``data`` at ``rate`` times normal speed, without sound."""
    src = f"data:{mime};base64,{base64.b64encode(data).decode()}"
    return (
        f'<video id="slow" src="{src}" controls loop muted playsinline autoplay '
        'style="width:100%;max-height:420px;background:#000"></video>'
        f"<script>const v=document.getElementById('slow');const r={json.dumps(float(rate))};"
        "v.defaultPlaybackRate=r;v.playbackRate=r;"
        "v.addEventListener('play',()=>{v.playbackRate=r;});</script>"
    )


def slow_replay(path: Path, rate: float = 0.5) -> bool:
    """Show the moment's cut slowed down; False (and a note) when the cut is too big to embed."""
    if path.stat().st_size > MAX_INLINE_BYTES:
        st.caption("This moment is too large for slow replay here. Use the player's own speed setting.")
        return False
    components.html(slow_replay_html(path.read_bytes(), rate), height=440)
    return True
