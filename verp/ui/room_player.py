"""The micro-analysis player: a projector's video that follows Control, and Control's buttons for it.

Reusable wherever a guider leads a review (a group's Present and Control, or a one-to-one review): the
player takes a playback state (``verp.room.playback``) and draws it; the controls take a ``send``
function that carries one command (play, freeze, a frame back, half speed, sound, loop, a jump) to
wherever the state is kept. The player is an ``st.components.v2`` component mounted in the page itself
(not in an iframe), so its <video> is the page's own.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import streamlit as st

from verp.room.playback import Playback
from verp.room.shown import ShownMoment
from verp.ui.text import escape_markdown

JS = (Path(__file__).parent / "assets" / "room_player.js").read_text(encoding="utf-8")
HTML = """
<div class="verp-room">
  <video playsinline muted preload="auto"></video>
  <div class="verp-timeline"><div class="verp-marks"></div><div class="verp-head"></div></div>
  <button class="verp-sound" type="button">Start with sound</button>
</div>
"""
CSS = """
.verp-room { position: relative; width: 100%; }
.verp-room video { width: 100%; max-height: 64vh; background: #000; display: block; }
.verp-room video::cue { font-size: 1.5em; color: #fff; background: rgba(0, 0, 0, 0.9); }
.verp-timeline { position: relative; height: 34px; margin-top: 6px; background: #dfe7ec; border-radius: 4px; }
.verp-head { position: absolute; top: 0; bottom: 0; width: 3px; background: #111a22; left: 0; }
.verp-mark { position: absolute; top: 0; bottom: 0; width: 4px; background: #1f6f8b; }
.verp-mark.initiative { background: #b35c00; } .verp-mark.reception { background: #2e7d32; }
.verp-mark.response { background: #6a1b9a; }
.verp-mark span { position: absolute; bottom: 36px; left: -2px; white-space: nowrap; font-size: 22px;
  background: rgba(255,255,255,.9); padding: 0 4px; color: #111a22; }
.verp-sound { position: absolute; top: 12px; left: 12px; font-size: 28px; padding: .4rem 1rem;
  border-radius: 8px; border: 2px solid #111a22; background: #fff; cursor: pointer; }
"""
CHAIN_WORDS = {"initiative": "initiative", "reception": "reception", "response": "response"}

_player = st.components.v2.component("verp.room_player", html=HTML, css=CSS, js=JS, isolate_styles=False)


def marks_of(moment: ShownMoment) -> list[dict]:
    """The moment's freeze-frames and chain marks, as seconds into the moment, with their labels."""
    out = []
    for mark in moment.marks:
        words = [w for w in (mark.caption, CHAIN_WORDS.get(mark.chain_part or "", "")) if w]
        label = " — ".join(words) or "freeze-frame"
        out.append(
            {"t": round(mark.at_s - moment.start_s, 3), "label": label, "kind": mark.chain_part or "freeze"}
        )
    return out


def room_player(
    src: str,
    moment: ShownMoment,
    state: Playback,
    renew_ms: int,
    key: str,
    on_sound: Callable[[bool], None],
    captions_vtt: str = "",
) -> None:
    """The projector's player for ``moment``, following ``state``; ``on_sound`` hears whether this
    screen's sound has been unlocked by a click (once per page load). ``captions_vtt`` (WebVTT, the
    owner's timed captions) shows under the video while ``state.captions`` is on."""
    result = _player(
        key=key,
        data={
            "src": src,
            "moment": moment.share_id,
            "renew_ms": renew_ms,
            "length": moment.length_s,
            "state": state.for_screen(),
            "marks": marks_of(moment),
            "captions": captions_vtt,
        },
        default={"sound_unlocked": False},
        on_sound_unlocked_change=lambda: None,
    )
    unlocked = bool(getattr(result, "sound_unlocked", False))
    if unlocked != state.sound_unlocked:
        on_sound(unlocked)


def _clock(seconds: float) -> str:
    return f"{int(seconds) // 60}:{seconds % 60:04.1f}"


def playback_controls(moment: ShownMoment | None, state: Playback, send: Callable[..., None]) -> None:
    """Control's micro-analysis buttons; ``send(name, value)`` carries one command (see
    ``verp.room.playback.command``). Big enough for a phone held in one hand."""
    if moment is None:
        st.caption("No moment on screen: the player controls wake up on a moment's steps.")
        return
    play, sound, speed, loop, captions = st.columns(5)
    play.button(
        "Pause" if state.playing else "Play",
        key="pb_play",
        icon=":material/pause:" if state.playing else ":material/play_arrow:",
        on_click=send,
        args=("pause" if state.playing else "play",),
        use_container_width=True,
    )
    sound.button(
        "Sound off" if not state.muted else "Sound on",
        key="pb_sound",
        icon=":material/volume_off:" if not state.muted else ":material/volume_up:",
        on_click=send,
        args=("sound", state.muted),
        use_container_width=True,
    )
    half = state.rate == 0.5
    speed.button(
        "Normal speed" if half else "Half speed",
        key="pb_rate",
        icon=":material/speed:",
        on_click=send,
        args=("rate", 1.0 if half else 0.5),
        use_container_width=True,
    )
    loop.button(
        "Loop off" if state.loop else "Loop on",
        key="pb_loop",
        icon=":material/repeat:",
        on_click=send,
        args=("loop", not state.loop),
        use_container_width=True,
    )
    captions.button(
        "Captions off" if state.captions else "Captions on",
        key="pb_captions",
        icon=":material/closed_caption_disabled:" if state.captions else ":material/closed_caption:",
        help="The timed captions the moment's owner wrote, under the projector's video",
        on_click=send,
        args=("captions", not state.captions),
        use_container_width=True,
    )
    back, freeze, forward = st.columns(3)
    back.button(
        "One frame back",
        key="pb_back",
        icon=":material/skip_previous:",
        on_click=send,
        args=("frame", -1),
        use_container_width=True,
    )
    freeze.button(
        "Freeze on this frame",
        key="pb_freeze",
        icon=":material/pause_circle:",
        on_click=send,
        args=("freeze",),
        use_container_width=True,
    )
    forward.button(
        "One frame on",
        key="pb_forward",
        icon=":material/skip_next:",
        on_click=send,
        args=("frame", 1),
        use_container_width=True,
    )
    for i, mark in enumerate(marks_of(moment)):
        st.button(
            f"Go to {_clock(mark['t'])} · {escape_markdown(mark['label'])}",  # the owner's words: text
            key=f"pb_mark_{i}",
            on_click=send,
            args=("jump", mark["t"]),
            use_container_width=True,
        )
    speed_words = "half speed" if half else "normal speed"
    sound_words = "sound on" if not state.muted else "sound off"
    if not state.muted and not state.sound_unlocked:
        sound_words = "muted until someone clicks “Start with sound” on the projector"
    playing = "Playing" if state.playing else "Paused"
    looping = "looping" if state.loop else "once"
    captioned = "captions shown" if state.captions else "captions hidden"
    st.caption(f"{playing} · {speed_words} · {looping} · {captioned} · {sound_words}")


def sound_status(state: Playback) -> str:
    """What Control says about the projector's sound."""
    if not state.sound_unlocked:
        return "Projector sound: locked. Present plays muted until someone clicks “Start with sound” on it."
    return "Projector sound: " + ("off" if state.muted else "on")
