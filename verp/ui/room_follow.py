"""A screen of the room that follows it: the phase timer, ticking in the browser, and a question to the
server twice a second (``verp.web_room``): has anything this screen shows changed since it drew? Only
then does the page run again.

Present follows Control and the wall; Control follows the projector's clicker, the reflections waiting
for approval and the projector's sound; a phone follows the step the room is on. Timed fragments would
run each page's script every half second; worse, a timed run that lands just after a whole-page run can
leave the browser showing nothing but the fragment. This component runs no script until there is
something new to draw.
"""

from __future__ import annotations

import time

import streamlit as st

from verp.workshop.room_signal import RoomSignal

EVERY_MS = 500  # how often a screen asks; the room benchmark measures the whole step latency

_JS = """
export default function ({ data, parentElement, setTriggerValue }) {
  const label = parentElement.querySelector(".verp-timer");
  if (!label || !data) return;
  const drawnAt = Date.now();
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
  const ask = (why, spread = 0) => {
    if (asked) return;
    asked = true;
    window.__verpFollowAsked = why;
    // Many phones told of the same change at once spread their redraws over the later part of
    // ``spread``, so the projector's redraw comes first and theirs do not all land together.
    setTimeout(() => setTriggerValue("changed", why), spread * (0.3 + 0.7 * Math.random()));
  };
  const poll = async () => {
    if (asked) return;
    if (Date.now() - drawnAt > data.renew_ms) return ask("renew");  // sign the players' links again
    try {
      const answer = await fetch(data.url, { cache: "no-store", credentials: "same-origin" });
      if (answer.status === 403) return ask("gone");
      if (!answer.ok) return;
      const now = await answer.json();
      if (now.closed) return ask("closed");
      if (now.v > data.drawn.v) return ask(`v:${now.v}`, data.spread_ms);
      for (const part of data.watch) {  // asked once per answer: a slower server must not loop
        const why = `${part}:${JSON.stringify(now[part])}`;
        if (now[part] !== data.drawn[part] && why !== window.__verpFollowAsked) return ask(why);
      }
    } catch (e) {
      // The server is restarting: Streamlit reconnects and draws the page again by itself.
    }
  };
  tick();
  if (window.__verpFollow) clearInterval(window.__verpFollow);
  const every = setInterval(() => { tick(); poll(); }, data.every_ms);
  window.__verpFollow = every;
  return () => {
    clearInterval(every);
    if (window.__verpFollow === every) window.__verpFollow = null;
  };
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
) -> None:
    """Show the timer (if ``timer_s`` is given) as ``prefix + m:ss + suffix``; run the page again once
    the room's state version or one of the ``watch`` parts of its signal (``wall``, ``waiting``,
    ``sound``) differs from ``drawn``, once the workshop closes, or after ``renew_s`` (the players'
    links are signed again). ``spread_s``: wait up to this long (at random) before redrawing for a new
    step, for screens that come in numbers (phones)."""
    prefix, suffix = timer_label
    _follower(
        key="room_follow",
        data={
            "url": url,
            "drawn": drawn.as_json(),
            "watch": list(watch),
            "prefix": prefix,
            "suffix": suffix,
            "timer": None if timer_s is None else {"seconds": timer_s, "running": running},
            "renew_ms": int(renew_s * 1000),
            "every_ms": EVERY_MS,
            "spread_ms": int(spread_s * 1000),
            "drawn_at": time.time(),  # new data each run, so the browser starts asking afresh
        },
        on_changed_change=lambda: None,
    )
