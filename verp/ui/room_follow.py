"""A screen of the room that follows it: the phase timer, ticking in the browser, and a question to the
server (``verp.web_room``), held there until something this screen shows has changed since it drew. Only
then does the page run again.

Present follows Control and the wall; Control follows the projector's clicker, the reflections waiting
for approval and the projector's sound; a phone follows the step the room is on. A page someone has just
clicked or typed on waits for the run that started (which draws what it changed) instead of asking for
a second one.

Timed fragments would run each page's script every half second; worse, a timed run that lands just after
a whole-page run can leave the browser showing nothing but the fragment. This component runs no script
until there is something new to draw.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import streamlit as st

from verp.ui.clicker import ACTIONS
from verp.ui.component_data import as_bytes
from verp.workshop.room_signal import RoomSignal

KEY = "room_follow"
EVERY_MS = 500  # the least time between two questions of a screen (after a quick or failed answer)
QUIET_MS = 3000  # after a click or key on the page, the time its own run has to replace this follower

_JS = """
export default function ({ data: sent, parentElement, setTriggerValue }) {
  const label = parentElement.querySelector(".verp-timer");
  if (!label || !sent) return;
  const data = JSON.parse(new TextDecoder().decode(sent));  // JSON text, sent as its UTF-8 bytes
  if (window.__verpFollowStop) window.__verpFollowStop();  // one follower a page
  const drawnAt = Date.now();
  const drawn = data.drawn;
  const clock = (seconds) => {
    const whole = Math.max(0, Math.floor(seconds));
    return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, "0")}`;
  };
  label.hidden = !data.timer;
  const tick = () => {
    const t = data.timer;
    if (!t) return;
    const seconds = t.seconds + (t.running ? (Date.now() - drawnAt) / 1000 : 0);
    label.textContent = `${data.prefix}${clock(seconds)}${data.suffix}`;
  };
  let asked = false;
  let stopped = false;
  let redraw = null;
  const quit = new AbortController();
  const ask = (why, spread = 0) => {
    if (asked || stopped) return;
    asked = true;
    window.__verpFollowAsked = why;
    // Many phones told of the same change at once spread their redraws over the later part of
    // ``spread``, so the projector's redraw comes first and theirs do not all land together.
    redraw = setTimeout(() => setTriggerValue("changed", why), spread * (0.3 + 0.7 * Math.random()));
  };
  const pause = (ms) => new Promise((done) => setTimeout(done, ms));
  // A click or key on this page (Control's Next, the clicker on Present) starts the page's own run,
  // which draws what it changed: this follower, about to be replaced, must not ask for a second run.
  let quietUntil = 0;
  const touched = () => { quietUntil = Date.now() + data.quiet_ms; };
  document.addEventListener("pointerdown", touched, true);
  document.addEventListener("keydown", touched, true);
  const query = new URLSearchParams({
    v: drawn.v, wall: drawn.wall, waiting: drawn.waiting, sound: drawn.sound ? "1" : "0",
    watch: data.watch.join(","),
  });
  const news = (now) => {
    if (now.closed) return ["closed", 0];
    if (now.v > drawn.v) return [`v:${now.v}`, data.spread_ms];
    for (const part of data.watch) {  // asked once per answer: a slower server must not loop
      const why = `${part}:${JSON.stringify(now[part])}`;
      if (now[part] !== drawn[part] && why !== window.__verpFollowAsked) return [why, 0];
    }
    return null;
  };
  const follow = async () => {
    // The server holds each question until something this screen shows changes (or a while passes).
    while (!asked && !stopped) {
      const sent = Date.now();
      try {
        const answer = await fetch(`${data.url}?${query}`, {
          cache: "no-store", credentials: "same-origin", signal: quit.signal,
        });
        if (answer.status === 403) return ask("gone");
        if (answer.status === 200) {
          const found = news(await answer.json());
          if (found && Date.now() >= quietUntil) return ask(...found);
          if (found) await pause(quietUntil - Date.now());  // then ask again: still news if no run came
        }
      } catch (e) {
        // Stopped, or the server is restarting: Streamlit reconnects and draws the page again itself.
      }
      if (Date.now() - sent < data.every_ms) await pause(data.every_ms);  // never ask in a tight loop
    }
  };
  tick();
  const ticking = setInterval(tick, 500);
  const renew = setTimeout(() => ask("renew"), data.renew_ms);  // sign the players' links again
  const stop = () => {
    stopped = true;
    quit.abort();
    clearInterval(ticking);
    clearTimeout(renew);
    clearTimeout(redraw);
    document.removeEventListener("pointerdown", touched, true);
    document.removeEventListener("keydown", touched, true);
    if (window.__verpFollowStop === stop) window.__verpFollowStop = null;
  };
  window.__verpFollowStop = stop;
  // A presentation clicker on Control and Present (``keys``): Page Down / Page Up / the space bar step
  // Next / Previous and play or pause. Keys typed into a form control are left to that control.
  if (data.keys) {
    const ACTIONS = { PageDown: "next", PageUp: "previous", " ": "play" };
    const OWN_KEYS = "input, textarea, select, button, a, video, audio, summary, [contenteditable]," +
      " [role=button], [role=combobox], [role=listbox], [role=option], [role=slider], [role=switch]," +
      " [role=checkbox], [role=radio], [role=tab], [role=menuitem], [role=spinbutton]";
    const onKey = (event) => {
      const action = ACTIONS[event.key];
      if (!action || event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) return;
      const target = event.target;
      if (target instanceof Element && target.closest(OWN_KEYS)) return;
      event.preventDefault();
      setTriggerValue("press", action);
    };
    // One listener per window, whatever Streamlit does with the element between runs.
    if (window.__verpClicker) window.removeEventListener("keydown", window.__verpClicker);
    window.__verpClicker = onKey;
    window.addEventListener("keydown", onKey);
    const stopFollowing = stop;
    const stopAll = () => {
      stopFollowing();
      window.removeEventListener("keydown", onKey);
      if (window.__verpClicker === onKey) window.__verpClicker = null;
    };
    window.__verpFollowStop = stopAll;
    follow();
    return stopAll;
  }
  follow();
  return stop;
}
"""

_follower = st.components.v2.component(
    "verp.room_follow", html='<div class="verp-timer"></div>', js=_JS, isolate_styles=False
)


def follow(
    url: str,
    drawn: RoomSignal,
    watch: tuple[str, ...],
    timer_label: tuple[str, str] = ("", ""),
    timer_s: float | None = None,
    running: bool = False,
    renew_s: float = 24 * 3600,
    spread_s: float = 0.0,
    on_key: Callable[[str], None] | None = None,
) -> None:
    """Show the timer (if ``timer_s`` is given) as ``prefix + m:ss + suffix``; run the page again once
    the room's state version or one of the ``watch`` parts of its signal (``wall``, ``waiting``,
    ``sound``) differs from ``drawn``, once the workshop closes, or after ``renew_s`` (the players'
    links are signed again). ``spread_s``: wait up to this long (at random) before redrawing for a new
    step, for screens that come in numbers (phones). ``on_key(action)``: listen for a presentation
    clicker's keys too (``verp.ui.clicker``); it runs, before the page draws, when one is pressed."""
    prefix, suffix = timer_label
    _follower(
        key=KEY,
        data=as_bytes(
            {
                "url": url,
                "drawn": drawn.as_json(),
                "watch": list(watch),
                "prefix": prefix,
                "suffix": suffix,
                "timer": None if timer_s is None else {"seconds": timer_s, "running": running},
                "renew_ms": int(renew_s * 1000),
                "every_ms": EVERY_MS,
                "quiet_ms": QUIET_MS,
                "spread_ms": int(spread_s * 1000),
                "drawn_at": time.time(),  # new data each run, so the browser starts asking afresh
                "keys": on_key is not None,
            }
        ),
        on_changed_change=lambda: None,
        on_press_change=_pressed(on_key) if on_key else None,
    )


def _pressed(on_key: Callable[[str], None]) -> Callable[[], None]:
    """The callback of a clicker's key: ``on_key(action)`` for a room action, nothing for anything else."""

    def pressed() -> None:
        action = (st.session_state.get(KEY) or {}).get("press")
        if action in ACTIONS:
            on_key(action)

    return pressed
