"""What the projector shows for each step. No editing controls and nothing private: the owner's note and
helping question appear only when they chose to share them; reflections only once approved.

The screen is drawn once per change: a small follower in the browser asks the server whether Control or
the wall changed, and the server answers when one has (``verp.ui.room_follow``), so a step chosen on
Control or an approved reflection is on the wall within a second, and nothing runs on the server in
between.
"""

from __future__ import annotations

import html
from collections.abc import Callable

import streamlit as st

from verp.core.store import Store
from verp.review import captions
from verp.room.principles import catalogue
from verp.ui import room_follow
from verp.ui.player import play, playback_url
from verp.ui.room_player import room_player
from verp.ui.series_view import series_opening
from verp.ui.workshop import join_url, qr_svg, show_wall
from verp.web import RENEW_AFTER_S, Grant
from verp.web_room import room_signal_path
from verp.workshop import reflections, workshops
from verp.workshop.room_signal import RoomSignal, wall_digest
from verp.workshop.workshops import Step, WorkshopView

CLOSING_REMINDER = (
    "Thank you. The clips stay private to the people who brought them. Shares end with this workshop; "
    "each clip is deleted on its owner's request, or when its consent period runs out."
)


def follow(store: Store, workshop: WorkshopView, step: Step, on_key: Callable[[str], None]) -> None:
    """The phase timer, and the page drawn again once Control or the wall changes (asked by HTTP, not
    by a timed page run: see ``verp.ui.room_follow``); ``on_key``: what a clicker's key does."""
    drawn = RoomSignal(workshop.state_version, wall_digest(store, workshop.id), workshop.is_closed)
    room_follow.follow(
        room_signal_path(store.settings, workshop.id),
        drawn,
        ("wall",),
        (f"{step.title} · ", f" of about {step.minutes:g} min"),
        workshop.timer_seconds(),
        workshop.timer_running,
        RENEW_AFTER_S,
        on_key=on_key,
    )


def live_wall(
    store: Store, workshop_id: int, moment_ids: tuple[int, ...] | None, compact: bool = False
) -> None:
    """The wall as it is now; the follower draws the page again when it changes."""
    show_wall(reflections.wall(store, workshop_id, moment_ids), compact=compact)


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
        st.image(qr_svg(url), width=360, alt=f"Join code QR image for workshop {workshop.title}")
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
    """The moment's own cut, streamed by signed URL (any instance can serve it), following Control's
    playback: play, freeze, frame steps, half speed, sound, loop; with a slim timeline of its marks."""
    moment = step.moment
    if moment is None or moment.cut is None or not moment.cut.exists():
        big_text("(The video for this moment is not available.)")
        return
    grant = Grant.projector(workshop.id, moment.moment_id)
    state = workshops.playback(workshop)
    src = playback_url(store, moment.cut, grant)
    timed = captions.shown_captions(store, moment.moment_id) if state.captions else []
    vtt = captions.to_webvtt(timed) if timed else ""  # the cut starts at the moment's start, as they do
    if src is None:  # no browser (a test run): a plain player
        play(
            store,
            moment.cut,
            grant,
            start_time=0.0,
            end_time=moment.length_s or None,
            loop=state.loop,
            autoplay=state.playing,
            muted=True,
            subtitles={"Captions": vtt.encode()} if vtt else None,
        )
        return
    room_player(
        src,
        moment,
        state,
        renew_ms=RENEW_AFTER_S * 1000,
        key=f"room_player_{workshop.id}",
        on_sound=lambda unlocked: workshops.report_sound(store, workshop.id, unlocked),
        captions_vtt=vtt,
    )


def _moment(store: Store, workshop: WorkshopView, step: Step) -> None:
    """The moment at least 60% of the screen's width, its words and prompts beside it: the room reads
    everything at once from the back, without scrolling."""
    moment = step.moment
    assert moment is not None  # a moment's step carries it
    video, words = st.columns([7, 3], gap="medium")
    with video:
        heading(moment.title, 2)
        _moment_player(store, workshop, step)
    with words:
        big_text(f"Brought by {moment.owner_name}")
        if moment.principle_keys:
            big_text("Principles: " + ", ".join(catalogue().name_of(k) for k in moment.principle_keys))
        if moment.note:
            big_text(f"What I was thinking: {moment.note}")
        for prompt in step.prompts:
            st.subheader(prompt, anchor=False)
        if step.kind == "prompt":
            live_wall(store, workshop.id, (moment.moment_id,), compact=True)


def _prompts(step: Step) -> None:
    for prompt in step.prompts:
        st.subheader(prompt, anchor=False)


def _context(step: Step) -> None:
    heading(f"{step.owner_name}: {step.title}")
    if step.helping_question:
        big_text(f"Helping question: {step.helping_question}")
    _prompts(step)


def draw_step(store: Store, workshop: WorkshopView, step: Step) -> None:
    """The still part of the screen for ``step``; the live parts follow in fragments."""
    if step.kind == "welcome":
        _welcome(workshop)
    elif step.kind == "series_opening":
        series_opening(store, workshop, big_text)
    elif step.kind == "principles":
        _principles(workshop)
    elif step.kind == "helping_question":
        _context(step)
    elif step.kind in ("moment", "voice", "prompt"):
        _moment(store, workshop, step)
    elif step.kind == "wall":
        heading(step.title)
        live_wall(store, workshop.id, step.moment_ids)
    elif step.kind == "take":
        heading(step.title)
        _prompts(step)
        live_wall(store, workshop.id, step.moment_ids, compact=True)
    elif step.kind == "owner":
        heading(f"{step.owner_name}: {step.title}")
        if step.helping_question:
            big_text(f"Helping question: {step.helping_question}")
        _prompts(step)
    else:
        _close(store, workshop)


def _close(store: Store, workshop: WorkshopView) -> None:
    st.title("Next steps", anchor=False)
    for item in reflections.next_steps(store, workshop.id):
        big_text(f"{item.participant_name}: {item.text}")
    st.subheader("Consent and deletion", anchor=False)
    big_text(CLOSING_REMINDER)
