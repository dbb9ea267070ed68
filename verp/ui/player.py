"""Playing stored video: by short-lived URL for one viewer and purpose, so the server never loads a whole
clip into memory and a link stops working the moment its viewer may no longer watch."""

from __future__ import annotations

import base64
import os
import time
from pathlib import Path
from urllib.parse import urlsplit

import streamlit as st

from verp.core.store import Store
from verp.web import RENEW_AFTER_S, URL_MAX_AGE_S, URL_STEP_S, Grant, media_url


def origin() -> str | None:
    """``scheme://host:port`` of the page the browser is on, as the browser sees it."""
    url = st.context.url
    if not url:
        return None
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") else None


DRAWN_KEY = "drawn_links"  # this tab's links: (origin, file, grant) -> (url, when it was signed)
# How long a tab draws the same link again. A new link is a new address for the browser's player, which
# loads the video again from its start: a teacher who paused at 0:37 and then nudged a mark would lose
# their place each minute. Kept young enough to start playing anywhere (``URL_MAX_AGE_S``); past it, a
# person's link still plays in their own signed-in browser (``verp.web``). The projector's links name no
# person: Present draws its players again every ``RENEW_AFTER_S``, and each time gets a link that lives
# a whole ``URL_MAX_AGE_S`` from then.
KEEP_S = URL_MAX_AGE_S - 2 * URL_STEP_S
KEEP_PROJECTOR_S = RENEW_AFTER_S - 2 * URL_STEP_S


def playback_url(store: Store, path: Path, grant: Grant) -> str | None:
    """A URL for one stored file, or None where there is no browser (as in AppTest): the link this tab
    drew for it before while that is young enough (``KEEP_S``), else a newly signed one."""
    base = origin()
    if base is None:
        return None
    # Made absolute as text, not resolved on disk (as ``Store.clip_path`` makes them): the clips folder
    # holds only what the app wrote there, and a page draws a dozen of these on every run.
    name = Path(os.path.abspath(path)).relative_to(store.clips_root).as_posix()
    drawn: dict = st.session_state.setdefault(DRAWN_KEY, {})
    keep_s = KEEP_S if grant.person_id is not None else KEEP_PROJECTOR_S
    now = time.time()
    kept = drawn.get((base, name, grant))
    if kept is not None and now - kept[1] < keep_s:
        return kept[0]
    for key in [k for k, (_, signed) in drawn.items() if now - signed >= KEEP_S]:
        del drawn[key]  # a tab that stays open keeps only what it could still draw again
    url = media_url(store.settings, base, name, grant)
    drawn[(base, name, grant)] = (url, now)
    return url


def play(store: Store, path: Path, grant: Grant, **options) -> None:
    """Show a video player for a stored file; ``options`` go to ``st.video`` (start_time, loop, …)."""
    st.video(playback_url(store, path, grant) or str(path), **options)


def picture(store: Store, path: Path, grant: Grant, **options) -> None:
    """Show a stored picture (a thumbnail, a freeze-frame) by short-lived URL, as videos are: the server
    checks its viewer when the browser fetches it, and the page's run neither reads nor keeps the file.
    ``options`` go to ``st.image`` (width, caption, alt)."""
    st.image(playback_url(store, path, grant) or str(path), **options)


# ---------------------------------------------------------------- the Review page's players

MAX_INLINE_BYTES = 10 * 1024 * 1024


def play_moment(
    store: Store,
    path: Path,
    grant: Grant,
    start_s: float | None = None,
    end_s: float | None = None,
    **options,
) -> None:
    """Loop a moment: its own cut file, or just start..end of the whole clip (whole seconds in st.video).

    ``options`` go to ``st.video`` too: ``alt`` (what a screen reader calls the video), ``subtitles``.
    """
    if start_s is None:
        play(store, path, grant, loop=True, **options)
    else:  # without an end, st.video plays on to the end of the file
        end_time = None if end_s is None else float(end_s)
        play(store, path, grant, start_time=float(start_s), end_time=end_time, loop=True, **options)


_SLOW_REPLAY_JS = """
export default function (component) {
  const { data, parentElement } = component;
  let video = parentElement.querySelector("video");
  if (!video) {
    video = document.createElement("video");
    Object.assign(video, { controls: true, loop: true, muted: true, playsInline: true, autoplay: true });
    video.style.cssText = "width:100%;max-height:420px;background:#000";
    parentElement.appendChild(video);
  }
  video.setAttribute("aria-label", data.label);
  if (video.getAttribute("src") !== data.src) video.setAttribute("src", data.src);
  const keepRate = () => { video.playbackRate = data.rate; };
  video.defaultPlaybackRate = data.rate;
  keepRate();
  video.addEventListener("play", keepRate);
  return () => video.removeEventListener("play", keepRate);
}
"""

_slow_player = st.components.v2.component("verp_slow_replay", js=_SLOW_REPLAY_JS)


def slow_replay(
    store: Store, path: Path, grant: Grant, rate: float = 0.5, label: str = "Slow replay"
) -> bool:
    """Show a moment's cut slowed down, streamed by signed URL (or inline when small and no URL exists).

    ``src`` is a signed playback URL or a data URL made here, never text a person typed; ``label`` is
    what a screen reader calls the video.
    """
    src = playback_url(store, path, grant)
    if src is None:
        if path.stat().st_size > MAX_INLINE_BYTES:
            st.caption("Slow replay is not available here. Use the player's own speed setting.")
            return False
        src = f"data:video/mp4;base64,{base64.b64encode(path.read_bytes()).decode()}"
    _slow_player(key=f"slow_{path.parent.name}_{path.name}", data={"src": src, "rate": rate, "label": label})
    return True
