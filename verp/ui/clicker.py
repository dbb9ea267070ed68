"""A presentation clicker and the keyboard for the room: Page Down / Page Up step Next / Previous, the
space bar plays or pauses the moment, on Control and on Present alike.

The listener is a Streamlit custom component (``st.components.v2``) mounted in the page itself, not in an
iframe, so keys reach it as soon as the window has focus: nobody needs to click into the page first.
Keys typed into a form control (a reflection, a select box, a button, the video's own controls) are left
to that control.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable

import streamlit as st

from verp.core.store import Store
from verp.workshop import workshops

KEY = "room_clicker"
ACTIONS = ("next", "previous", "play")

_LISTENER_JS = """
export default function (component) {
  const { setTriggerValue } = component;
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
  return () => {
    window.removeEventListener("keydown", onKey);
    if (window.__verpClicker === onKey) window.__verpClicker = null;
  };
}
"""

_listener = st.components.v2.component("verp_room_clicker", js=_LISTENER_JS)


def act_on_room(store: Store, person_id: int, workshop_id: int, action: str) -> None:
    """What a key does to the room: the same domain calls as Control's Previous, Next and Play buttons.

    Raises ``workshops.WorkshopError`` as those do (a closed workshop, someone else's room).
    """
    if action == "play":
        # Read afresh: the other window may have changed it since this one was drawn.
        playing = workshops.get_workshop(store, workshop_id).playing
        workshops.set_playing(store, person_id, workshop_id, not playing)
        return
    delta = 1 if action == "next" else -1
    shown, order = workshops.room_step(store, workshops.get_workshop(store, workshop_id))
    if 0 <= shown.index + delta < len(order):  # the buttons stop at the ends too
        workshops.step_by(store, person_id, workshop_id, delta)


def act_quietly(store: Store, person_id: int, workshop_id: int, action: str) -> None:
    """A key on Present: a refusal (the workshop has just closed) shows on the redraw, not as an error."""
    with contextlib.suppress(workshops.WorkshopError):
        act_on_room(store, person_id, workshop_id, action)


def listen(on_press: Callable[[str], None]) -> None:
    """Mount the listener; ``on_press(action)`` runs (before the page draws) when a room key is pressed."""

    def pressed() -> None:
        action = (st.session_state.get(KEY) or {}).get("press")
        if action in ACTIONS:
            on_press(action)

    with st.container(key="room_clicker_box"):  # hidden by the app's CSS: it draws nothing
        _listener(key=KEY, on_press_change=pressed)
