"""A player for looking closely at a moment: freeze, step a frame back or on, half speed, captions.

Reusable wherever a moment is looked at together (a one-to-one review, the room). A small script drawn
with ``st.html(..., unsafe_allow_javascript=True)``; every value put in it is a signed playback URL, a
data URL made here, a number or a fixed label, never text a person typed.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import streamlit as st

from verp.core.store import Store
from verp.ui.player import playback_url
from verp.web import Grant

FRAME_S = 1 / 25  # one frame of the 25 fps the app's copies usually have; close enough at any rate
MAX_INLINE_BYTES = 10 * 1024 * 1024


def micro_player_html(src: str, dom_id: str, captions: str | None = None) -> str:
    """The player's HTML and script; ``dom_id`` keeps several players on one page apart."""
    track = (
        f"<track kind='captions' srclang='en' label='Captions' default src={json.dumps(captions)}>"
        if captions
        else ""
    )
    ids = json.dumps(dom_id)
    button = "style='padding:.35rem .7rem;margin:.2rem;border-radius:.4rem;border:1px solid #888'"
    return f"""
<div id={ids} class="verp-micro">
  <video src={json.dumps(src)} controls loop muted playsinline preload="auto"
         style="width:100%;max-height:420px;background:#000">{track}</video>
  <div role="toolbar" aria-label="Look closely">
    <button type="button" data-act="freeze" {button}>Freeze</button>
    <button type="button" data-act="back" {button}>◀ Frame back</button>
    <button type="button" data-act="on" {button}>Frame on ▶</button>
    <button type="button" data-act="half" aria-pressed="false" {button}>Half speed</button>
    <button type="button" data-act="play" {button}>Play</button>
    <span class="verp-micro-where" aria-live="polite" style="margin-left:.5rem"></span>
  </div>
</div>
<script>
(() => {{
  const box = document.getElementById({ids});
  if (!box || box.dataset.ready) return;
  box.dataset.ready = "1";
  const v = box.querySelector("video"), where = box.querySelector(".verp-micro-where");
  const half = box.querySelector("[data-act=half]");
  // Spoken by screen readers (aria-live): set on what the person does, never as the video runs.
  const say = () => {{ const now = (v.paused ? "Frozen at " + v.currentTime.toFixed(2) + " s" : "Playing")
    + (v.playbackRate < 1 ? " · half speed" : ""); if (where.textContent !== now) where.textContent = now; }};
  const step = (d) => {{ v.pause();
    v.currentTime = Math.max(0, Math.min(v.duration || 0, v.currentTime + d)); }};
  box.querySelector("[data-act=freeze]").onclick = () => {{ v.pause(); say(); }};
  box.querySelector("[data-act=back]").onclick = () => step(-{FRAME_S});
  box.querySelector("[data-act=on]").onclick = () => step({FRAME_S});
  box.querySelector("[data-act=play]").onclick = () => {{ v.play(); }};
  half.onclick = () => {{ const slow = v.playbackRate === 1; v.playbackRate = slow ? 0.5 : 1;
    v.defaultPlaybackRate = v.playbackRate; half.setAttribute("aria-pressed", String(slow)); say(); }};
  ["pause", "play", "seeked", "ratechange"].forEach((e) => v.addEventListener(e, say));
  say();
}})();
</script>"""


def _inline(path: Path) -> str | None:
    if not path.exists() or path.stat().st_size > MAX_INLINE_BYTES:
        return None
    return f"data:video/mp4;base64,{base64.b64encode(path.read_bytes()).decode()}"


def captions_for(cut: Path) -> Path | None:
    """Timed captions (WebVTT) kept beside a moment's cut, if someone made them."""
    vtt = cut.with_suffix(".vtt")
    return vtt if vtt.exists() else None


def micro_player(store: Store, cut: Path, grant: Grant, dom_id: str) -> bool:
    """Show the player for one moment's cut, streamed by signed URL (inline when small and no URL)."""
    src = playback_url(store, cut, grant) or _inline(cut)
    if src is None:
        st.caption("The video of this moment is not available here.")
        return False
    vtt = captions_for(cut)
    captions = playback_url(store, vtt, grant) if vtt else None
    st.html(micro_player_html(src, dom_id, captions), unsafe_allow_javascript=True)
    return True
