"""One saved moment on the Review page: replay, words, principle tags, freeze-frames, sharing, delete."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from verp.core.accounts import PersonView
from verp.core.errors import VerpError
from verp.core.store import Store
from verp.review import captions, moments, sharing
from verp.review.moments import MomentView, TagView
from verp.room.principles import CHAIN_KEYS, catalogue
from verp.ui.marker import clock, spoken_clock
from verp.ui.player import picture, play_moment, slow_replay
from verp.ui.sections import section
from verp.ui.session import client_address
from verp.ui.text import escape_markdown
from verp.web import Grant

NONE = "—"
CUTTING = "Cutting this moment to its own short video… It plays here as soon as it is ready."
MAKING_STILL = "making its picture… It appears here as soon as it is ready."
STILL_MISSING = "its picture is missing. Step it a frame on or back to make it again."


def _done(text: str) -> None:
    st.session_state["review_message"] = text
    st.rerun()


def show_moment(
    store: Store, person: PersonView, moment: MomentView, can_share: bool, shares: list[sharing.ShareView]
) -> None:
    """One moment in a section, drawn once opened; ``shares`` are the clip's shares (all moments), from
    one query."""
    shares = [s for s in shares if s.moment_id == moment.id]
    live = sum(s.active for s in shares)
    label = f"{escape_markdown(moment.title)} · {clock(moment.start_s)}–{clock(moment.end_s)}"
    if live:
        label += f" · shared with {live} workshop{'s' if live > 1 else ''}"
    with section(label, key=f"moment_open_{moment.id}") as shown:
        if shown:  # its tags and freeze-frames are read now, for the one moment open
            _moment_body(store, person, moments.with_details(store, moment), can_share, shares)


def _moment_body(
    store: Store, person: PersonView, moment: MomentView, can_share: bool, shares: list[sharing.ShareView]
) -> None:
    """The moment's replay, words, captions, tags, freeze-frames, sharing and deletion."""
    with st.container(key=f"moment_{moment.id}"):
        watch, words = st.columns(2, gap="large")
        with watch:
            _replay(store, person, moment)
        with words:
            _words(store, person, moment)
        _captions(store, person, moment)
        _tags(store, person, moment)
        _freeze_frames(store, person, moment)
        _sharing(store, person, moment, can_share, shares)
        _delete(store, person, moment)


def _replay(store: Store, person: PersonView, moment: MomentView) -> None:
    if moment.cutting:
        _watch_cutting(store, person, moment.id)
        return
    if moment.cut_failed:
        st.warning(escape_markdown(f"{moment.cut_detail} Save its start and end again to try once more."))
        return
    if moment.cut is None:
        st.warning("This moment's video is missing. Save its start and end again to cut it anew.")
        return
    grant = Grant.owner(person.id, moment.clip_id)
    timed = captions.parse_captions(moment.captions, moment.length_s + 1) if moment.captions else []
    shown = bool(timed) and st.toggle("Show captions", value=True, key=f"show_cc_{moment.id}")
    subtitles = {"Captions": captions.to_webvtt(timed).encode()} if shown else None
    play_moment(store, moment.cut, grant, alt=f"The moment {moment.title}", subtitles=subtitles)
    if st.toggle("Slow replay (half speed)", key=f"slow_{moment.id}"):
        slow_replay(store, moment.cut, grant, 0.5, label=f"The moment {moment.title} at half speed")


@st.fragment(run_every=2)
def _watch_cutting(store: Store, person: PersonView, moment_id: int) -> None:
    """Say how far the worker has got with the cut; redraw the page once it is ready (or failed)."""
    moment = _until_the_worker_is_done(store, person, moment_id, lambda m: m.cutting)
    st.info(escape_markdown(moment.cut_detail or CUTTING), icon=":material/content_cut:")


def _words(store: Store, person: PersonView, moment: MomentView) -> None:
    with st.form(f"words_{moment.id}"):
        title = st.text_input("Title", value=moment.title, max_chars=200)
        note = st.text_area(
            "What was I thinking / feeling / intending here? (private to you)", value=moment.note
        )
        share_note = st.checkbox("Share my note with the group", value=moment.share_note)
        left, right = st.columns(2)
        start = left.number_input("Starts at (s)", 0.0, value=float(moment.start_s), step=0.1, format="%.2f")
        end = right.number_input("Ends at (s)", 0.0, value=float(moment.end_s), step=0.1, format="%.2f")
        if st.form_submit_button("Save"):
            try:
                saved = moments.update_moment(
                    store,
                    person.id,
                    moment.id,
                    title=title,
                    note=note,
                    share_note=share_note,
                    start_s=start,
                    end_s=end,
                )
            except VerpError as exc:
                st.error(escape_markdown(str(exc)))
            else:
                being_cut = " Its new start and end are being cut." if saved.cutting else ""
                _done(f"Saved the moment.{being_cut}")


def _captions(store: Store, person: PersonView, moment: MomentView) -> None:
    """Timed captions for colleagues who cannot hear the clip; the owner chooses every word."""
    with st.expander("Captions (timed text under the video)", expanded=False), st.form(f"cc_{moment.id}"):
        st.caption(
            "One caption a line: start and end (seconds from the moment's start, or 0:01.5) and the words, "
            "e.g. “0:01 0:03 Can I have a turn?”. Write only what you are happy for the group to read: "
            "a child's words are personal data."
        )
        text = st.text_area("Captions", value=moment.captions, height=120, key=f"cc_text_{moment.id}")
        if st.form_submit_button("Save captions"):
            try:
                captions.set_captions(store, person.id, moment.id, text)
            except (captions.CaptionError, moments.MomentError) as exc:
                st.error(escape_markdown(str(exc)))
            else:
                _done("Saved the captions.")


def _tags(store: Store, person: PersonView, moment: MomentView) -> None:
    principles = catalogue()
    current = {t.principle_key: t for t in moment.tags}
    chosen = st.multiselect(
        "Principles I can see here",
        principles.keys,
        default=list(current),
        format_func=lambda key: f"{principles.get(key).number}. {principles.get(key).name}",
        key=f"tags_{moment.id}",
    )
    tags = []
    for key in chosen:
        principle, old = principles.get(key), current.get(key, TagView(key))
        left, right = st.columns(2)
        behaviours = [NONE, *principle.behaviours]
        behaviour = left.selectbox(
            f"What shows {principle.name.lower()}? (optional)",
            behaviours,
            index=behaviours.index(old.behaviour) if old.behaviour in behaviours else 0,
            key=f"behaviour_{moment.id}_{key}",
        )
        parts = [NONE, *CHAIN_KEYS]
        part = right.selectbox(
            "Initiative, reception or response? (optional)",
            parts,
            index=parts.index(old.chain_part) if old.chain_part in parts else 0,
            format_func=str.capitalize,
            key=f"chain_{moment.id}_{key}",
        )
        tags.append(TagView(key, None if behaviour == NONE else behaviour, None if part == NONE else part))
    if st.button("Save principles", key=f"save_tags_{moment.id}"):
        _try(lambda: moments.set_tags(store, person.id, moment.id, tags), "Saved the principles.")


def _freeze_frames(store: Store, person: PersonView, moment: MomentView) -> None:
    st.markdown("**Freeze-frames**")
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    at_s = left.number_input(
        "Freeze the frame at (s)",
        float(moment.start_s),
        float(moment.end_s),
        value=round((moment.start_s + moment.end_s) / 2, 2),
        step=0.1,
        format="%.2f",
        key=f"freeze_at_{moment.id}",
    )
    if right.button("Freeze this frame", key=f"freeze_{moment.id}"):
        _try(
            lambda: moments.add_freeze_frame(store, person.id, moment.id, at_s),
            "Added a freeze-frame. Its picture appears below as soon as it is made.",
        )
    if any(frame.making for frame in moment.freeze_frames):
        _watch_stills(store, person, moment.id)
    grant = Grant.owner(person.id, moment.clip_id)
    for frame in moment.freeze_frames:
        still, controls = st.columns([4, 1])
        caption = f"At {clock(frame.at_s)} ({frame.at_s:.2f} s)"
        if frame.still:
            alt = f"Still of the moment {moment.title} at {spoken_clock(frame.at_s)}"
            with still:
                picture(store, frame.still, grant, caption=caption, width="stretch", alt=alt)
        elif frame.failed:
            still.warning(escape_markdown(f"{caption}: {frame.still_detail}"))
        elif frame.making:
            still.info(f"{caption}: {MAKING_STILL}", icon=":material/photo_camera:")
        else:
            still.warning(f"{caption}: {STILL_MISSING}")
        back = forward = remove = controls
        if back.button("◀ One frame back", key=f"back_{frame.id}"):
            _try(
                lambda f=frame: moments.step_freeze_frame(store, person.id, f.id, -1),
                "Stepped back one frame.",
            )
        if forward.button("One frame on ▶", key=f"fwd_{frame.id}"):
            _try(
                lambda f=frame: moments.step_freeze_frame(store, person.id, f.id, 1), "Stepped on one frame."
            )
        if remove.button("Remove", key=f"unfreeze_{frame.id}"):
            _try(
                lambda f=frame: moments.remove_freeze_frame(store, person.id, f.id),
                "Removed the freeze-frame.",
            )
        _caption(store, person, frame)


@st.fragment(run_every=2)
def _watch_stills(store: Store, person: PersonView, moment_id: int) -> None:
    """Redraw the page once the worker has made every picture this moment waits for (or given up)."""
    _until_the_worker_is_done(store, person, moment_id, lambda m: any(f.making for f in m.freeze_frames))


def _until_the_worker_is_done(
    store: Store, person: PersonView, moment_id: int, waiting: Callable[[MomentView], bool]
) -> MomentView:
    """The moment as it is now, from a watch that reruns every 2 s; the whole page is drawn again once
    the moment is gone (another tab deleted it: the page says so) or no longer ``waiting``."""
    try:
        moment = moments.get_moment(store, person.id, moment_id)
    except VerpError:
        st.rerun(scope="app")
    if not waiting(moment):
        st.rerun(scope="app")
    return moment


def _caption(store: Store, person: PersonView, frame) -> None:
    """What the frame shows, and its place in the initiative → reception → response chain."""
    with st.form(f"caption_{frame.id}", border=False):
        words, part = st.columns([3, 2], vertical_alignment="bottom")
        caption = words.text_input(
            "Caption (what the room should see here)",
            value=frame.caption,
            max_chars=moments.MAX_CAPTION,
            placeholder="looks up — an initiative",
        )
        parts = [NONE, *CHAIN_KEYS]
        chain = part.selectbox(
            "Part of the chain",
            parts,
            index=parts.index(frame.chain_part) if frame.chain_part in parts else 0,
            format_func=str.capitalize,
        )
        if st.form_submit_button("Save caption"):
            chain_part = None if chain == NONE else chain
            _try(
                lambda: moments.caption_freeze_frame(store, person.id, frame.id, caption, chain_part),
                "Saved the caption.",
            )


def _try(action, message: str) -> None:
    try:
        action()
    except VerpError as exc:
        st.error(escape_markdown(str(exc)))
    else:
        _done(message)


def _sharing(store: Store, person: PersonView, moment: MomentView, can_share: bool, shares) -> None:
    st.markdown("**Sharing**")
    for share in shares:
        if share.active:
            text, button = st.columns([3, 1])
            text.text(f"Shared with the workshop “{share.workshop_title}”")
            if button.button("Withdraw", key=f"withdraw_{share.id}"):
                _try(
                    lambda s=share: sharing.withdraw_share(store, person.id, s.id),
                    "Withdrawn: the moment has left that workshop.",
                )
    if not can_share:
        st.info("Record (or complete) the consent for this clip, below, before sharing any moment of it.")
        return
    if moment.cut is None:  # nothing a room could play yet
        st.caption("You can share this moment once it is cut to its own short video (above).")
        return
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    code = left.text_input("Workshop join code", key=f"code_{moment.id}", max_chars=16)
    if right.button("Share this moment", key=f"share_{moment.id}"):
        try:
            sharing.share_moment(store, person.id, moment.id, code, client=client_address())
        except VerpError as exc:
            st.error(escape_markdown(str(exc)))
        else:
            _done(
                "Shared. Only this moment is shared, never the whole clip; you can withdraw it at any time."
            )


def _delete(store: Store, person: PersonView, moment: MomentView) -> None:
    key = f"confirm_delete_moment_{moment.id}"
    if not st.session_state.get(key):
        if st.button("Delete this moment…", key=f"delete_moment_{moment.id}", icon=":material/delete:"):
            st.session_state[key] = True
            st.rerun()
        return
    st.warning("Delete this moment, its video and its stills for good? It leaves every workshop.")
    yes, no = st.columns(2)
    if yes.button("Yes, delete the moment", key=f"yes_delete_moment_{moment.id}", type="primary"):
        st.session_state.pop(key, None)
        try:
            moments.delete_moment(store, person.id, moment.id)
        except VerpError:  # already deleted, e.g. in another tab
            _done("That moment was already deleted.")
        _done("Deleted the moment.")
    if no.button("Keep it", key=f"keep_moment_{moment.id}"):
        st.session_state.pop(key, None)
        st.rerun()
