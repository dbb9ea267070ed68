"""A presentation clicker and the keyboard for the room: Page Down / Page Up step Next / Previous, the
space bar plays or pauses the moment, on Control and on Present alike.

The keys are heard by the room's follower (``verp.ui.room_follow``, given ``on_key``), a Streamlit custom
component (``st.components.v2``) mounted in the page itself, not in an iframe, so keys reach it as soon
as the window has focus: nobody needs to click into the page first. Keys typed into a form control (a
reflection, a select box, a button, the video's own controls) are left to that control. One component
for both, not two: each is a share of every run of Control and Present.
"""

from __future__ import annotations

import contextlib

from verp.core.store import Store
from verp.workshop import workshops

ACTIONS = ("next", "previous", "play")


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
