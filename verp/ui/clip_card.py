"""One clip in the owner's list: thumbnail, facts, player, rename and delete."""

from __future__ import annotations

import streamlit as st

from verp.core.accounts import PersonView
from verp.core.errors import VerpError
from verp.core.store import Store
from verp.review import clips
from verp.review.clips import ClipView
from verp.ui.player import picture, play
from verp.ui.sections import section
from verp.ui.text import escape_markdown
from verp.web import Grant

DELETE_BY_HELP = (
    "Every clip is deleted for good by its delete-by date, shared or not. "
    "Its consent record, on Review, can move the date within the service's limit."
)


def describe(clip: ClipView) -> str:
    minutes, seconds = divmod(round(clip.duration_s), 60)
    size_mb = clip.size_bytes / (1024 * 1024)
    added = clip.created_at.strftime("%d %b %Y, %H:%M")
    return f"{minutes}:{seconds:02d} · {clip.width}×{clip.height} · {size_mb:.1f} MB · added {added}"


def facts(clip: ClipView) -> str:
    """What the card says under the clip's name, one line each, as one element: a list of twenty clips
    draws sixty fewer (each is a share of every run of the page)."""
    return "  \n".join(
        (
            describe(clip),
            clips.deletion_countdown(clip.delete_by),
            f"From: {escape_markdown(clip.original_filename)}",  # the file's name, as words
        )
    )


RECENT_CLIPS = 3  # the newest are shown; the earlier ones on request (a whole term's clips would be slow)


def show_clips(store: Store, person: PersonView, mine: list[ClipView]) -> None:
    """The newest few of ``mine`` (newest first), then the earlier ones behind a switch. An earlier clip
    with its player, its rename or its delete open stays in sight: a new upload never hides what is in
    hand."""
    in_hand = [clip for clip in mine[RECENT_CLIPS:] if _in_hand(clip)]
    for clip in mine[:RECENT_CLIPS] + in_hand:
        show_clip(store, person, clip)
    earlier = [clip for clip in mine[RECENT_CLIPS:] if clip not in in_hand]
    if not earlier:
        return
    label = "Show my earlier clip" if len(earlier) == 1 else f"Show my {len(earlier)} earlier clips"
    if st.toggle(label, key="show_earlier_clips"):
        for clip in earlier:
            show_clip(store, person, clip)


def _in_hand(clip: ClipView) -> bool:
    opened = (f"play_open_{clip.id}", f"rename_open_{clip.id}")
    return (
        any(st.session_state.get(key) for key in opened) or st.session_state.get("confirm_delete") == clip.id
    )


def show_clip(store: Store, person: PersonView, clip: ClipView) -> None:
    with st.container(border=True, key=f"clip_{clip.id}"):
        if clip.thumbnail:
            thumb, body = st.columns([1, 3])
            with thumb:  # the title beside it names the clip
                picture(store, clip.thumbnail, Grant.owner(person.id, clip.id), width="stretch", alt="")
        else:
            body = st.container()
        body.subheader(escape_markdown(clip.title), anchor=False)
        body.caption(facts(clip), help=DELETE_BY_HELP)
        if clip.status == "processing":
            with body:
                _watch_processing(store, person, clip.id)
        elif clip.status == "failed":
            body.error(escape_markdown(clip.status_detail or "This clip could not be prepared."))
        if source := clip.playable or clip.proxy:
            with body, section("Play", key=f"play_open_{clip.id}") as shown:
                if shown and not clip.playable:
                    st.caption("The review copy: the full-quality copy is on its way.")
                if shown:
                    play(store, source, Grant.owner(person.id, clip.id), alt=f"The clip {clip.title}")
        body.page_link(
            "pages/review.py",
            label="Review: find my moments",
            icon=":material/movie_edit:",
            query_params={"clip": clip.id},
        )
        # Renaming and deleting, one section: each card drew a button more on every run, and deleting
        # for good is better a click away from the player.
        with body, section("Rename or delete", key=f"rename_open_{clip.id}") as shown:
            if shown:
                title = st.text_input("New name", value=clip.title, key=f"title_{clip.id}")
                if st.button("Save name", key=f"rename_{clip.id}"):
                    _rename(store, person, clip, title)
                _delete_controls(store, person, clip)


@st.fragment(run_every=2)
def _watch_processing(store: Store, person: PersonView, clip_id: str) -> None:
    """Show how far preparing has got; redraw the page once the clip is ready (or deleted in another
    tab: the page is drawn again without it)."""
    try:
        clip = clips.get_clip(store, person.id, clip_id)
    except VerpError:
        st.rerun(scope="app")
    if clip.status != "processing":
        st.rerun(scope="app")
    st.info(escape_markdown(clip.status_detail or "Getting this clip ready to play in every browser…"))


def _rename(store: Store, person: PersonView, clip: ClipView, title: str) -> None:
    try:
        clips.rename_clip(store, person.id, clip.id, title)
    except VerpError as exc:
        st.error(escape_markdown(str(exc)))
    else:
        st.rerun()


def _delete_controls(store: Store, person: PersonView, clip: ClipView) -> None:
    confirming = st.session_state.get("confirm_delete") == clip.id
    if not confirming:
        if st.button("Delete…", key=f"delete_{clip.id}", icon=":material/delete:"):
            st.session_state["confirm_delete"] = clip.id
            st.rerun()
        return
    st.warning("Delete this clip, its moments and every copy of it, for good?")
    yes, no = st.columns(2)
    if yes.button("Yes, delete for good", key=f"confirm_{clip.id}", type="primary"):
        st.session_state.pop("confirm_delete", None)
        try:
            clips.delete_clip(store, person.id, clip.id)
        except VerpError:  # already deleted, e.g. in another tab
            st.session_state["upload_message"] = ("success", "That clip was already deleted.")
        else:
            st.session_state["upload_message"] = ("success", f"Deleted “{clip.title}”.")
        st.rerun()
    if no.button("Keep it", key=f"keep_{clip.id}"):
        st.session_state.pop("confirm_delete", None)
        st.rerun()
