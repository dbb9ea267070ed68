"""The clip player, its thumbnail strip, and marking a moment by its start and end."""

from __future__ import annotations

import streamlit as st

from verp.core.accounts import PersonView
from verp.core.errors import VerpError
from verp.core.store import Store
from verp.review import moments
from verp.review.clips import ClipView
from verp.ui.player import picture, play, play_moment
from verp.ui.sections import section
from verp.ui.text import escape_markdown
from verp.web import Grant

NUDGE_S = 0.5


def clock(seconds: float) -> str:
    minutes, rest = divmod(max(0.0, seconds), 60)
    return f"{int(minutes)}:{rest:04.1f}"


def spoken_clock(seconds: float) -> str:
    """Minutes and seconds ("0:01", or "0:01.5" between whole seconds): short for a screen reader to
    say, and still telling two nearby times apart."""
    tenths = round(max(0.0, seconds) * 10)
    minutes, rest = divmod(tenths // 10, 60)
    return f"{minutes}:{rest:02d}" + (f".{tenths % 10}" if tenths % 10 else "")


def _keys(clip: ClipView) -> tuple[str, str, str]:
    return f"start_{clip.id}", f"mark_in_{clip.id}", f"mark_out_{clip.id}"


def _clamp(clip: ClipView, value: float) -> float:
    return round(min(max(0.0, value), clip.duration_s), 2)


def _set(key: str, clip: ClipView, value: float) -> None:
    st.session_state[key] = _clamp(clip, value)


def _mark_in_here(clip: ClipView) -> None:
    start_key, in_key, out_key = _keys(clip)
    here = st.session_state.get(start_key, 0.0)
    _set(in_key, clip, here)
    if st.session_state.get(out_key, 0.0) <= here:
        _set(out_key, clip, here + moments.ABOUT_S)


def show_player(store: Store, person: PersonView, clip: ClipView) -> None:
    """The whole clip, starting where a thumbnail (or a mark) put it."""
    start_key, in_key, _ = _keys(clip)
    st.session_state.setdefault(start_key, 0.0)
    video = clip.playable or clip.proxy
    if video is None:
        st.info(
            escape_markdown(
                clip.status_detail or "This clip is still being made ready to play in every browser."
            )
        )
        return
    play(
        store,
        video,
        Grant.owner(person.id, clip.id),
        start_time=float(st.session_state[start_key]),
        alt=f"The clip {clip.title}",
    )
    starts = f"The player starts at {clock(st.session_state[start_key])}."
    if clip.duration_s <= 0:  # the pictures are spread over the clip's length, known once a worker read it
        st.caption(starts)
        return
    try:
        strip = moments.thumbnails_of(store, clip)
    except VerpError as exc:
        st.caption(starts)
        st.warning(escape_markdown(str(exc)))
        return
    if strip:
        st.caption(f"{starts} The buttons under the pictures start it further on.")
    else:
        st.caption(f"{starts} Pictures along the clip, to start it from, come with its full-quality copy.")
    per_row = 4  # wide enough for each button to say where it starts the player
    for row in range(0, len(strip), per_row):
        _thumbnail_row(store, person, clip, start_key, strip[row : row + per_row], per_row)


def _thumbnail_row(
    store: Store, person: PersonView, clip: ClipView, start_key: str, strip: list, per_row: int
) -> None:
    """Pictures from the clip, each with a button named for the time it starts the player at."""
    grant = Grant.owner(person.id, clip.id)
    for column, (at_s, path) in zip(st.columns(per_row), strip, strict=False):
        with column:  # decorative: the button below names the time
            picture(store, path, grant, width="stretch", alt="")
        column.button(
            f"Start the player at {spoken_clock(at_s)}",
            key=f"jump_{clip.id}_{at_s}",
            icon=":material/play_arrow:",
            on_click=_set,
            args=(start_key, clip, at_s),
            width="stretch",
        )


def show_marker(store: Store, person: PersonView, clip: ClipView) -> None:
    """Mark in, mark out (each nudged by half a second with its own − and +), preview the moment
    looping, and save it."""
    if clip.duration_s <= 0:  # a phone's WebM says its length only once the worker has read it all
        st.subheader("Mark a moment that went better than usual", anchor=False)
        st.info("This clip is still being prepared. Marking opens as soon as its length is known.")
        return
    start_key, in_key, out_key = _keys(clip)
    st.session_state.setdefault(in_key, 0.0)
    st.session_state.setdefault(out_key, _clamp(clip, moments.ABOUT_S))
    st.subheader("Mark a moment that went better than usual", anchor=False)
    st.caption("About 10 seconds is plenty. Keep up to three moments to share with a review.")
    marks = st.container(
        horizontal=True
    )  # side by side (one block, not three), one above the other on a phone
    for key, label in ((in_key, "Starts at (s)"), (out_key, "Ends at (s)")):
        # Its own − and + (and the arrow keys) nudge by half a second; any time can be typed. Buttons of
        # their own for the nudges were four more widgets on every run of the page.
        marks.number_input(
            label, 0.0, float(clip.duration_s), step=NUDGE_S, format="%.2f", key=key, width="stretch"
        )
    st.button(
        "Mark in at the player's start",
        key=f"mark_here_{clip.id}",
        on_click=_mark_in_here,
        args=(clip,),
        width="stretch",
    )
    start_s, end_s = st.session_state[in_key], st.session_state[out_key]
    if advice := moments.length_advice(start_s, end_s):
        st.warning(advice)
    video = clip.playable or clip.proxy
    if video is not None and start_s < end_s:
        # Opened once, it stays open while this clip is on the page, and follows every change of the marks.
        with section("Preview just this moment (loops)", key=f"preview_open_{clip.id}") as shown:
            if shown:
                play_moment(
                    store,
                    video,
                    Grant.owner(person.id, clip.id),
                    start_s,
                    end_s,
                    alt="Preview of the moment you are marking",
                )
    title = st.text_input("A short title for this moment", key=f"moment_title_{clip.id}", max_chars=200)
    if st.button("Save this moment", key=f"save_moment_{clip.id}", type="primary"):
        try:
            made = moments.create_moment(store, person.id, clip.id, title, start_s, end_s)
        except VerpError as exc:
            st.error(escape_markdown(str(exc)))
            return
        st.session_state["review_message"] = (
            f"Saved the moment {clock(made.start_s)}–{clock(made.end_s)}. "
            "It is being cut to its own short video, which plays under the moment in a few seconds."
        )
        st.session_state.pop(f"moment_title_{clip.id}", None)
        st.rerun()
