"""What the projector shows for each step. No editing controls and nothing private: the owner's note and
helping question appear only when they chose to share them; reflections only once approved.

The live parts are fragments that ask the database every half second (one small query each, for one
screen in the room), so a step chosen on Control or an approved reflection is on the wall within a
second; their bodies are plain functions (``follow_body``, ``wall_body``) so tests can call them, since
AppTest does not run timed fragments.
"""

from __future__ import annotations

import html

import streamlit as st

from verp.core.store import Store
from verp.room.principles import catalogue
from verp.ui.player import play
from verp.ui.workshop import format_timer, join_url, qr_png, show_wall
from verp.workshop import reflections, workshops
from verp.workshop.workshops import Step, WorkshopView

FOLLOW_S = 0.5  # how often the projector asks whether Control changed something, and for the wall

CLOSING_REMINDER = (
    "Thank you. The clips stay private to the people who brought them. Shares end with this workshop; "
    "each clip is deleted on its owner's request, or when its consent period runs out."
)


def follow_body(store: Store, workshop_id: int, seen_version: int, step: Step) -> bool:
    """Draw the phase timer; return True when Control has changed something and the screen must redraw."""
    workshop = workshops.get_workshop(store, workshop_id)
    if workshop.state_version != seen_version or workshop.is_closed:
        return True
    clock = format_timer(workshop.timer_seconds())
    label = html.escape(f"{step.title} · {clock} of about {step.minutes:g} min")
    st.html(f'<div class="verp-timer">{label}</div>')
    return False


@st.fragment(run_every=FOLLOW_S)
def follow(store: Store, workshop_id: int, seen_version: int, step: Step) -> None:
    if follow_body(store, workshop_id, seen_version, step):
        st.rerun(scope="app")


def wall_body(store: Store, workshop_id: int, moment_ids: tuple[int, ...] | None, compact: bool) -> None:
    show_wall(reflections.wall(store, workshop_id, moment_ids), compact=compact)


@st.fragment(run_every=FOLLOW_S)
def live_wall(
    store: Store, workshop_id: int, moment_ids: tuple[int, ...] | None, compact: bool = False
) -> None:
    wall_body(store, workshop_id, moment_ids, compact)


def heading(text: str, level: int = 1) -> None:
    """A heading made of user text (a title, a name): escaped, never Markdown."""
    st.html(f"<h{level}>{html.escape(text)}</h{level}>")


def big_text(text: str) -> None:
    st.html(f'<p class="verp-big" style="white-space: pre-wrap">{html.escape(text)}</p>')


def _welcome(workshop: WorkshopView) -> None:
    heading(workshop.title)
    text, code = st.columns([3, 2])
    with text:
        if workshop.focus:
            names = ", ".join(catalogue().name_of(k) for k in workshop.focus)
            big_text(f"Today we look for: {names}")
        if workshop.ground_rules:
            st.subheader("Ground rules", anchor=False)
            big_text(workshop.ground_rules)
    with code:
        url = join_url(workshop.join_code)
        st.image(qr_png(url), width=360)
        big_text("Join on your phone with the code")
        st.html(f'<div class="verp-code">{html.escape(workshop.join_code)}</div>')


def _principles(workshop: WorkshopView) -> None:
    st.title("Principles of attuned interaction", anchor=False)
    chosen = [catalogue().get(k) for k in workshop.focus] or list(catalogue().principles)
    for row in range(0, len(chosen), 3):
        for column, principle in zip(st.columns(3), chosen[row : row + 3], strict=False):
            with column.container(border=True):
                st.subheader(f"{principle.number}. {principle.name}", anchor=False)
                big_text(principle.summary)
                big_text("\n".join(f"• {b}" for b in principle.behaviours))


def _moment_player(store: Store, workshop: WorkshopView, step: Step) -> None:
    """Loop the moment's own cut, streamed by signed URL so any instance of the app can serve it."""
    moment = step.moment
    if moment is None or moment.video is None or not moment.video.exists():
        big_text("(The video for this moment is not available.)")
        return
    play(
        store,
        moment.video,
        start_time=moment.video_start_s,
        end_time=moment.video_end_s or None,
        loop=True,
        autoplay=workshop.playing,
        muted=True,  # browsers only start a video nobody clicked when it is muted
    )
    st.caption("Sound off: the room watches what happens between adult and child; the controls turn it on.")


def _moment(store: Store, workshop: WorkshopView, step: Step) -> None:
    moment = step.moment
    heading(moment.title)
    video, words = st.columns(2)
    with video:
        _moment_player(store, workshop, step)
    with words:
        big_text(f"Brought by {moment.owner_name}")
        if moment.tags:
            big_text("Principles: " + ", ".join(catalogue().name_of(k) for k in moment.tags))
        if moment.note:
            big_text(f"What I was thinking: {moment.note}")
        for prompt in step.prompts:
            st.subheader(prompt, anchor=False)
        if step.kind == "prompt":
            live_wall(store, workshop.id, (moment.moment_id,), compact=True)


def draw_step(store: Store, workshop: WorkshopView, step: Step) -> None:
    """The still part of the screen for ``step``; the live parts follow in fragments."""
    if step.kind == "welcome":
        _welcome(workshop)
    elif step.kind == "principles":
        _principles(workshop)
    elif step.kind == "helping_question":
        heading(step.title)
        big_text(step.helping_question)
    elif step.kind in ("moment", "prompt"):
        _moment(store, workshop, step)
    elif step.kind == "wall":
        heading(step.title)
        live_wall(store, workshop.id, step.moment_ids)
    elif step.kind == "owner":
        heading(f"{step.owner_name}: {step.title}")
        if step.helping_question:
            big_text(f"Helping question: {step.helping_question}")
        for prompt in step.prompts:
            st.subheader(prompt, anchor=False)
    else:
        _close(store, workshop)


def _close(store: Store, workshop: WorkshopView) -> None:
    st.title("Next steps", anchor=False)
    for item in reflections.next_steps(store, workshop.id):
        big_text(f"{item.participant_name}: {item.text}")
    st.subheader("Consent and deletion", anchor=False)
    big_text(CLOSING_REMINDER)
