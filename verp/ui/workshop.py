"""Shared Streamlit pieces for running a workshop: access, the projector look, the QR, the wall.

Everything a user wrote is drawn as text: through ``st.text`` or, where HTML is built for size and
layout, through ``html.escape`` first.
"""

from __future__ import annotations

import functools
import html

import segno
import streamlit as st

from verp.core.accounts import PersonView
from verp.core.errors import VerpError
from verp.room.principles import catalogue
from verp.room.wording import deficit_words
from verp.ui.sections import section
from verp.ui.session import get_store, require_person
from verp.ui.style import Markup
from verp.ui.text import escape_markdown
from verp.workshop import reflections, workshops
from verp.workshop.reflections import KINDS, Waiting, WallGroup
from verp.workshop.workshops import Listed, WorkshopView

WORKSHOP_KEY = "workshop_id"
CHOICE_KEY = "workshop_choice"  # the choice's box, on Plan and Control


def require_facilitator() -> PersonView:
    """Stop the page with a plain refusal unless a facilitator is signed in."""
    person = require_person()
    if not person.is_facilitator:
        st.warning("This page is for workshop facilitators. Ask a facilitator to give you the role.")
        st.stop()
    return person


RUNNING_KEY = "workshop_running"  # the workshop this tab's Control last drew
CLOSED_SAID_KEY, CLOSED_HERE_KEY = "closed_since_said", "closed_here"
CLOSED_HERE = "is closed. Its summary is on the Summary page."
CLOSED_SINCE = (
    "has closed (from another tab or window). Its record is kept as it was at the close; nothing more was "
    "saved into it. Its summary is on the Summary page."
)


def choose_workshop(
    person: PersonView, include_closed: bool = False, theirs: list[Listed] | None = None
) -> WorkshopView | None:
    """A select box of the facilitator's workshops (``theirs``, when the page has just listed them; else
    listed here, without the closed ones unless ``include_closed``); the choice is kept for Plan and
    Control."""
    if theirs is None:
        store, running = get_store(), st.session_state.get(RUNNING_KEY)
        theirs = workshops.listed_workshops(store, person.id, open_only=not include_closed, also=running)
    mine = [w for w in theirs if include_closed or not w.is_closed]
    chosen = st.session_state.get(WORKSHOP_KEY)
    if not include_closed:
        _say_if_it_closed(theirs)
    if not mine:
        return None
    ids = [w.id for w in mine]
    index = ids.index(chosen) if chosen in ids else 0
    labels = {w.id: f"{w.title} · {w.held_on:%d %b %Y}" for w in mine}
    picked = st.selectbox("Workshop", ids, index=index, format_func=lambda key: labels[key], key=CHOICE_KEY)
    st.session_state[WORKSHOP_KEY] = picked
    if not include_closed:
        st.session_state[RUNNING_KEY] = picked
    return next(w for w in mine if w.id == picked).view()


ANOTHER_KEY = "another_workshop_open"  # Control's folded choice, while its workshop is live


def running_workshop(person: PersonView) -> tuple[WorkshopView | None, bool]:
    """Control's workshop, and whether its choice is folded away: while the one chosen is live, its name
    heads the page and the choice of another waits, folded, at the page's end (:func:`another_workshop`);
    otherwise (planned, just closed, none yet) the choice itself comes first.

    Mid-session the remote's first control was a choice box, one slip away from another workshop's room,
    and the facilitator's whole list was read on every run to draw it; now the live one is read by itself.
    A choice made in the folded box is in the session when the page runs again, and read here first.
    """
    chosen = st.session_state.get(CHOICE_KEY, st.session_state.get(WORKSHOP_KEY)) or _first_open(person)
    live = _live_one(person, chosen) if chosen is not None else None
    if live is None:
        return choose_workshop(person), False
    st.header(f"{escape_markdown(live.title)} · {live.held_on:%d %b %Y}", anchor=False)  # words, as text
    st.session_state[WORKSHOP_KEY] = st.session_state[RUNNING_KEY] = live.id
    return live, True


def another_workshop(person: PersonView) -> None:
    """The folded choice of another workshop (see :func:`running_workshop`)."""
    with section("Another workshop…", key=ANOTHER_KEY, icon=":material/swap_horiz:") as shown:
        if shown:
            choose_workshop(person)


def _first_open(person: PersonView) -> int | None:
    """The workshop the choice would start on, when none is chosen yet (this tab's first Control)."""
    theirs = workshops.listed_workshops(get_store(), person.id, open_only=True)
    return theirs[0].id if theirs else None


def _live_one(person: PersonView, workshop_id: int) -> WorkshopView | None:
    """The facilitator's workshop of that id if it is live (one row); None for anything else."""
    try:
        with get_store().reading_connection() as c:
            row = workshops.facilitated_row(c, person.id, workshop_id)
    except VerpError:  # gone, or not theirs: the choice says what there is
        return None
    return workshops.view_of(row) if row.status == "live" else None


def _say_if_it_closed(theirs: list[Listed]) -> None:
    """The workshop this tab last ran (not one chosen on Plan) has closed since: say so once, and that
    whatever was pressed here was not saved into its kept record."""
    running = st.session_state.get(RUNNING_KEY)
    closed = next((w for w in theirs if w.id == running and w.is_closed), None)
    if closed and st.session_state.get(CLOSED_SAID_KEY) != closed.id:
        st.session_state[CLOSED_SAID_KEY] = closed.id
        if st.session_state.pop(CLOSED_HERE_KEY, None) == closed.id:
            st.success(f"{escape_markdown(closed.title)} {CLOSED_HERE}")
        else:
            st.info(f"{escape_markdown(closed.title)} {CLOSED_SINCE}")


def join_url(code: str) -> str:
    """The address a phone opens from the QR: this app's own origin, the Join page, the code."""
    base = (st.context.url or "").split("?")[0].rsplit("/", 1)[0]
    return f"{base}/join?code={code}"


@functools.lru_cache(maxsize=64)
def qr_svg(url: str) -> str:
    """The join address as a QR code (SVG), dark on white for any projector. A drawing in the page itself:
    sharp at any size, and not a file the server keeps for the browser to fetch after each redraw. Kept:
    the projector draws the same code on every redraw of the welcome step."""
    return segno.make(url, error="m").svg_inline(scale=10, border=2, dark="#111a22", light="#ffffff")


def show_wall(
    groups: list[WallGroup], empty: str = "Reflections sent from phones appear here.", compact: bool = False
) -> None:
    if not groups:
        st.caption(empty)
        return
    parts = []
    for group in groups:
        notes = "".join(f'<p class="verp-note">{html.escape(r.text)}</p>' for r in group.reflections)
        parts.append(f'<div class="verp-group"><h3>{html.escape(group.principle_name)}</h3>{notes}</div>')
    css = "verp-wall compact" if compact else "verp-wall"
    st.html(Markup(f'<div class="{css}">{"".join(parts)}</div>'))  # as written: the words as they were sent


def principle_options() -> dict[str, str]:
    """Choices for a principle select box: '' means none."""
    return {"": "No particular principle", **{p.key: p.name for p in catalogue().principles}}


def kind_options() -> dict[str, str]:
    return dict(KINDS)


QUEUE_ERROR = "queue_error"


def _moderate(store, person_id: int, workshop_id: int, reflection_id: int, approve: bool) -> None:
    """A button's callback (it runs before the queue is drawn again): approve or hide; if the reflection
    changed meanwhile, keep a plain message for the queue to show."""
    try:
        reflections.moderate(store, person_id, workshop_id, reflection_id, approve=approve)
    except VerpError as exc:
        st.session_state[QUEUE_ERROR] = str(exc)


# Each waiting reflection's two buttons: label, key (before the reflection's id), icon, approve or not.
MODERATION = (
    ("Approve", "approve", ":material/check:", True),
    ("Hide", "hide", ":material/visibility_off:", False),
)
QUEUE_SHOWN = 3  # the oldest this many waiting are shown; the next come up as these are done


def queue_heading(waiting: Waiting) -> str:
    """The queue's heading, with how many wait: ``Reflections · 6 waiting (3 here, 3 more after
    these)``."""
    if not waiting.count:
        return "Reflections · nothing waiting for approval"
    if waiting.count == len(waiting.oldest):
        return f"Reflections · {waiting.count} waiting"
    more = waiting.count - len(waiting.oldest)
    return f"Reflections · {waiting.count} waiting ({len(waiting.oldest)} here, {more} more after these)"


def queue_body(store, person_id: int, workshop_id: int, waiting: Waiting) -> None:
    """Reflections waiting for the facilitator (``waiting``: the oldest :data:`QUEUE_SHOWN`, as the page
    has read them): approve onto the wall, or hide.

    A room of thirty phones can have thirty waiting; a handful at a time is what one person can read
    between two steps, and keeps Control quick to redraw.
    """
    if error := st.session_state.pop(QUEUE_ERROR, None):
        st.warning(error)
    for item in waiting.oldest:
        _waiting_item(store, person_id, workshop_id, item)


def _waiting_item(store, person_id: int, workshop_id: int, item) -> None:
    """One waiting reflection: its words and who sent them (one text), then Approve and Hide beside
    them, in one block (under them on a phone); a warning under the words if the wording may be
    deficit-based, and the buttons under that."""
    words = f"{item.text}\n— {item.author_name} · {KINDS.get(item.kind, item.kind)}"
    flagged = deficit_words(item.text)
    with st.container(
        border=True, horizontal=not flagged, vertical_alignment="center", key=f"pending_{item.id}"
    ):
        st.text(words, width="stretch")
        if flagged:
            listed = ", ".join(f"“{w}”" for w in flagged)
            st.warning(f"Possibly deficit wording ({listed}): read it before it goes up.", icon="⚠️")
            with st.container(horizontal=True):  # one row of two buttons (columns would be three blocks)
                _moderation_buttons(store, person_id, workshop_id, item.id)
        else:
            _moderation_buttons(store, person_id, workshop_id, item.id)


def _moderation_buttons(store, person_id: int, workshop_id: int, reflection_id: int) -> None:
    ids = (store, person_id, workshop_id, reflection_id)
    for label, key, icon, approve in MODERATION:
        st.button(label, key=f"{key}_{reflection_id}", icon=icon, on_click=_moderate, args=(*ids, approve))
