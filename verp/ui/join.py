"""Pieces of the Join page: what is on the screen now, and your own reflections (edit, withdraw)."""

from __future__ import annotations

import json
from typing import Literal

import streamlit as st

from verp.core.errors import VerpError
from verp.core.store import Store
from verp.ui import forms, room_follow
from verp.ui.sections import section
from verp.ui.text import escape_markdown
from verp.web import JOIN_COOKIE, JOIN_ROUTE
from verp.web_room import room_signal_path
from verp.workshop import reflections, workshops
from verp.workshop.reflections import Joined, ReflectionView
from verp.workshop.room_signal import RoomSignal
from verp.workshop.workshops import WorkshopView

JOINED_KEY = "joined"
SENTENCE_STARTERS = ("I noticed…", "It worked when…", "I wonder…")
STATUS = {"pending": "waiting for the facilitator", "approved": "on the wall", "hidden": "not shown"}


LEFT_KEY = "left_room"  # this tab has left a room: it never takes up its browser's kept place again
FORGET_KEY = "forget_room"  # ask the browser to drop its kept place, at the next run


def back_in_the_room(store: Store) -> Joined | None:
    """This tab's phone in its room: joined in this tab, or, after a server restart or a reload, by the
    place its browser kept (``keep_place``), while that room is live."""
    joined = st.session_state.get(JOINED_KEY)
    if joined is None and not st.session_state.get(LEFT_KEY):
        # The place as it was when this tab connected: once the tab has left a room (whichever), what
        # it connected with is someone else's, or a room it left.
        joined = reflections.rejoin(store, _kept_here())
        if joined is not None:
            st.session_state[JOINED_KEY] = joined
    return joined


def _kept_here() -> str | None:
    """The place this browser kept when this tab connected (its HttpOnly cookie)."""
    cookies = st.context.cookies
    value = cookies.get(JOIN_COOKIE) if cookies else None
    return value if isinstance(value, str) else None


def keep_place(joined: Joined) -> None:
    """Have the browser keep this phone's place in the room, in a cookie only the app's own route can
    set. Drawn on every run until a connection of this browser brings it: the same drawing again runs
    nothing, and a fetch repeated (a new tab) is harmless."""
    place = reflections.kept(joined)
    if _kept_here() != place:
        _fetch({"method": "POST", "body": place, "credentials": "same-origin"})


def forget_place() -> None:
    """After "Join another workshop": the browser drops the place it kept."""
    if st.session_state.pop(FORGET_KEY, False):
        _fetch({"method": "DELETE", "credentials": "same-origin"})


def _fetch(options: dict) -> None:
    script = f"fetch({json.dumps(JOIN_ROUTE)}, {json.dumps(options)});"
    st.html(f"<script>{script}</script>", unsafe_allow_javascript=True, width=1)


ButtonKind = Literal["secondary", "tertiary"]


def leave_button(
    label: str = "Join another workshop", key: str = "leave", kind: ButtonKind = "secondary"
) -> None:
    if st.button(label, key=key, type=kind):
        _leave()
        st.rerun()


def not_you_button(joined: Joined) -> None:
    """A browser keeps its place in the room: someone else on the same laptop joins as themselves."""
    name = escape_markdown(joined.display_name)  # a button's label is Markdown: the name was typed
    leave_button(f"Not {name}? Join with another name", key="not_you", kind="tertiary")


def _leave() -> None:
    if st.session_state.pop(JOINED_KEY, None) is not None:
        st.session_state[LEFT_KEY] = True
        st.session_state[FORGET_KEY] = True
        st.session_state.pop("sent_message", None)  # the next person's form is their own
        forms.forget(SEND_FORM)


def current_prompt(store: Store, joined: Joined) -> str | None:
    """Show what the room is looking at, and return its step's key; None (with a plain message) once
    the workshop has closed."""
    try:
        workshop = workshops.get_workshop(store, joined.workshop_id)
    except VerpError:
        workshop = None
    if workshop is None or workshop.is_closed:
        st.info("This workshop has closed. Thank you for your reflections.")
        leave_button()
        return None
    return prompt_panel(store, workshop)


def prompt_body(store: Store, workshop: WorkshopView) -> str:
    step, _ = workshops.room_step(store, workshop, recent=True)  # thirty phones ask every 3 s
    with st.container(border=True):
        st.caption("On the screen now")
        st.text(step.moment.title if step.moment else step.title)
        for prompt in step.prompts:
            st.text(prompt)
    return step.key


PHONE_SPREAD_S = 3.0  # thirty phones redraw for a new step over three seconds, after the projector


def prompt_panel(store: Store, workshop: WorkshopView) -> str:
    """What the room is on (its step's key is returned); the page is drawn again when the step changes
    (the phone asks the server by HTTP, which runs no page script: see ``verp.ui.room_follow``)."""
    key = prompt_body(store, workshop)
    drawn = RoomSignal(workshop.state_version, "", workshop.is_closed)
    room_follow.follow(room_signal_path(store.settings, workshop.id), drawn, (), spread_s=PHONE_SPREAD_S)
    return key


# The reflection form (see ``verp.ui.forms``): the same keys in every session.
SEND_FORM = "send"
REFLECTION_TEXT, REFLECTION_PRINCIPLE = "reflection_text", "reflection_principle"
REFLECTION_KIND = "reflection_kind"


def empty_reflection(principles: dict, kinds: dict) -> dict:
    """The reflection form's fields as a fresh form has them."""
    return {
        REFLECTION_TEXT: "",
        REFLECTION_PRINCIPLE: next(iter(principles)),
        REFLECTION_KIND: next(iter(kinds)),
    }


def steps_seen_while_writing(client_key: str, drawn: str) -> list[str]:
    """The steps this page showed while its reflection form (``client_key``) has been open, up to the
    run before this one (what the person saw when they pressed Send); this run's step is added for the
    next. The reflection is filed under the last of them (see ``reflections.submit_reflection``)."""
    seen = st.session_state.setdefault(f"seen_{client_key}", [])
    before = list(seen) or [drawn]
    if not seen or seen[-1] != drawn:
        seen.append(drawn)
        del seen[:-20]
    return before


def look_again(client_key: str, drawn: str) -> None:
    """After "the moment has left the room": a second Send is about what is on screen now."""
    st.session_state[f"seen_{client_key}"] = [drawn]


def own_reflections(store: Store, joined: Joined) -> None:
    """What you sent, newest first, and one place to change one (the old wording is kept, hidden) or
    take it back.

    One "Change or take back…" with a choice of which, not one beside each: a screen reader heard the
    same words for every reflection (WCAG 2.4.6), a phone's short screen showed a fold for each, and
    each was drawn on every run of the page while the room moved on. The choice is by reflection, so a
    change being typed stays put when something newer is sent meanwhile.
    """
    try:
        mine = reflections.my_reflections(store, joined.workshop_id, joined.token)
    except VerpError as exc:
        st.info(str(exc))
        return
    if not mine:
        return
    st.subheader("What you sent", anchor=False)
    recent, earlier = mine[:RECENT_SENT], mine[RECENT_SENT:]
    _sent(recent)
    if earlier and st.toggle(f"Show the {len(earlier)} I sent earlier", key="show_earlier_sent"):
        _sent(earlier)
    with section("Change or take back one you sent…", key=CHANGE_KEY, icon=":material/edit:") as shown:
        if shown:
            _change_form(store, joined, mine)


RECENT_SENT = 3  # the newest are shown; the earlier ones on request (a phone's screen is short)
CHANGE_KEY, WHICH_KEY = "change_sent_open", "change_which"


def _status(item: ReflectionView) -> str:
    return STATUS.get(item.status, item.status)


def _sent(items: list[ReflectionView]) -> None:
    with st.container(border=True):
        for item in items:
            st.text(f"{item.text}\n— {_status(item)}")  # the words and where they are


def _change_form(store: Store, joined: Joined, mine: list[ReflectionView]) -> None:
    """Which one, a new wording for it, or take it back."""
    by_id = {item.id: item for item in mine}
    which = st.selectbox("Which one", list(by_id), format_func=lambda n: _short(by_id[n]), key=WHICH_KEY)
    item = by_id[which]
    text = st.text_area("New wording", value=item.text, key=f"edit_{item.id}", max_chars=reflections.MAX_TEXT)
    save, withdraw = st.columns(2)
    try:
        if save.button("Save change", key=f"save_{item.id}"):
            reflections.edit_reflection(
                store, joined.workshop_id, joined.token, item.id, text, item.principle_key
            )
            st.rerun()
        if withdraw.button("Take back", key=f"withdraw_{item.id}"):
            reflections.withdraw_reflection(store, joined.workshop_id, joined.token, item.id)
            st.rerun()
    except VerpError as exc:
        st.error(str(exc))


def _short(item: ReflectionView, most: int = 60) -> str:
    """A reflection as the choice lists it: its first words (on one line) and where it is."""
    words = " ".join(item.text.split())
    return f"{words[: most - 1]}… ({_status(item)})" if len(words) > most else f"{words} ({_status(item)})"


STARTER_SAID = "starter_said"  # what a screen reader hears after a starter was put in the box


def _start_with(text_key: str, starter: str) -> None:
    """Put the chosen starter at the head of the reflection (words already typed follow it). Words just
    sent, still in a browser that has not yet drawn the emptied form, are not typed words."""
    typed = str(st.session_state.get(text_key) or "").strip()
    last = forms.last_saved(SEND_FORM)  # (text, principle, kind), as Send saved them
    if isinstance(last, tuple) and typed == str(last[0]).strip():
        typed = ""
    begun = starter.rstrip("…")
    st.session_state[text_key] = begun + " " + typed
    st.session_state[STARTER_SAID] = f"Your reflection now starts with “{begun}”."


def sentence_starters(text_key: str) -> None:
    """Strengths-based ways to begin, one tap away on a phone.

    Buttons of the reflection form itself: a form sends what is typed in it only with one of its own
    buttons, so a starter outside it would replace the words typed so far. The form is not sent by
    Enter (that would press its first button, a starter); Send is pressed as a button.
    """
    st.caption("Start with…")
    with st.container(horizontal=True):
        for n, starter in enumerate(SENTENCE_STARTERS):
            st.form_submit_button(starter, key=f"starter_{n}", on_click=_start_with, args=(text_key, starter))
