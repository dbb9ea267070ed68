"""Pieces of the One-to-one page: start an intervention, its shape, the goal, held clips, the review."""

from __future__ import annotations

from datetime import date

import streamlit as st

from verp.core import accounts
from verp.core.accounts import PersonView
from verp.core.errors import VerpError
from verp.core.store import Store
from verp.records import between_sessions, export
from verp.review import consent
from verp.room.principles import catalogue
from verp.ui.micro_player import micro_player
from verp.ui.review_clip import show_consent
from verp.ui.text import escape_markdown
from verp.ui.uploader import clip_uploader
from verp.web import Grant
from verp.workshop import one_to_one
from verp.workshop.one_to_one import ROLES, SHAPES, OneToOneView

CHOSEN_KEY = "one_to_one_id"
MESSAGE = "one_to_one_message"
MARKS = {"done": "✓", "next": "→", "planned": "·"}
NO_CUT = "This moment could not be cut to its own video: its owner can save its times again on Review."


def say(text: str, ok: bool = True) -> None:
    st.session_state[MESSAGE] = (ok, text)


def show_message() -> None:
    if found := st.session_state.pop(MESSAGE, None):
        ok, text = found
        (st.success if ok else st.error)(escape_markdown(text))


def new_one_to_one(store: Store, guider: PersonView, expanded: bool) -> None:
    people = {p.id: p.display_name for p in accounts.list_people(store) if p.id != guider.id}
    with st.expander("New one-to-one", expanded=expanded), st.form("new_one_to_one"):
        code = st.text_input("Participant code (not a name)", max_chars=40, placeholder="Parent A")
        role = st.selectbox("Who is the participant?", list(ROLES), format_func=ROLES.__getitem__)
        account = st.selectbox(
            "Their account",
            [None, *people],
            format_func=lambda i: "No account: I hold their clips" if i is None else people[i],
        )
        cycles = st.radio("Shape", list(SHAPES), format_func=SHAPES.get, horizontal=True)
        if st.form_submit_button("Start this one-to-one", type="primary"):
            try:
                made = one_to_one.start_one_to_one(store, guider.id, code, role, cycles, account)
            except VerpError as exc:
                say(str(exc), ok=False)
            else:
                st.session_state[CHOSEN_KEY] = made.id
                say(f"Started the one-to-one with {made.participant_code}.")
            st.rerun()


def choose(store: Store, guider: PersonView) -> OneToOneView | None:
    mine = one_to_one.my_one_to_ones(store, guider.id)
    if not mine:
        return None
    ids = [v.id for v in mine]
    chosen = st.session_state.get(CHOSEN_KEY)
    labels = {v.id: f"{v.participant_code} · {ROLES[v.role]}" for v in mine}
    picked = st.selectbox(
        "Participant", ids, ids.index(chosen) if chosen in ids else 0, format_func=labels.__getitem__
    )
    st.session_state[CHOSEN_KEY] = picked
    return next(v for v in mine if v.id == picked)


def show_shape(view: OneToOneView) -> None:
    """The intervention's shape, as a line anyone at the laptop can read."""
    steps = one_to_one.shape(view)
    st.text("  →  ".join(f"{MARKS[s.state]} {s.label}" for s in steps))


def goal_setting(store: Store, guider: PersonView, view: OneToOneView) -> None:
    with st.form(f"goal_{view.id}"):
        question = st.text_input(
            "Helping question, in the participant's own words", value=view.helping_question, max_chars=500
        )
        earliest = min(date.today(), view.next_review_on or date.today())  # a date kept may have passed
        on = st.date_input("Next time we meet", value=view.next_review_on, min_value=earliest)
        if st.form_submit_button("Save the goal"):
            try:
                one_to_one.set_goal(store, guider.id, view.id, question, on)
            except VerpError as exc:
                say(str(exc), ok=False)
            else:
                say("Saved the helping question.")
            st.rerun()


def held_clips(store: Store, guider: PersonView, view: OneToOneView) -> None:
    """The clips a participant without an account brought, kept by the guider with their consent."""
    st.caption(
        "You keep these clips for the participant; each needs its consent record and is deleted by its date."
    )
    # Streamed to the server in chunks, as on My clips: a long phone video never sits in memory.
    added = clip_uploader(store, guider.id, key=f"held_upload_{view.id}", label="Add a clip they filmed")
    if added is not None:
        try:
            one_to_one.hold_uploaded_clip(store, guider.id, view.id, added)
        except VerpError as exc:
            say(str(exc), ok=False)
        else:
            say("Kept the clip. Record its consent, then mark a moment.")
    held = one_to_one.held_clips(store, guider.id, view.id)
    for clip in held:
        with st.container(border=True):
            st.text(f"{clip.title} · {clip.duration_s:.1f} s")
            record = consent.get_consent(store, guider.id, clip.id)
            show_consent(store, guider, clip, record, consent.delete_by_clashes(store, guider.id, clip.id))
    if held:
        _mark_moment(store, guider, view, held)


def _mark_moment(store: Store, guider: PersonView, view: OneToOneView, held) -> None:
    names = {c.id: c.title for c in held}
    with st.form(f"mark_{view.id}"):
        clip_id = st.selectbox("Clip", list(names), format_func=names.__getitem__)
        title = st.text_input("What happens in the moment", max_chars=200)
        start, end = st.columns(2)
        start_s = start.number_input("Starts at (s)", min_value=0.0, step=0.5)
        end_s = end.number_input("Ends at (s)", min_value=0.0, value=10.0, step=0.5)
        cycle = st.selectbox("For review", list(range(1, view.planned_cycles + 1)), view.current_cycle - 1)
        if st.form_submit_button("Choose this moment for the review"):
            try:
                one_to_one.mark_held_moment(store, guider.id, view.id, clip_id, title, start_s, end_s, cycle)
            except VerpError as exc:
                say(str(exc), ok=False)
            else:
                say(f"Chosen for review {cycle}.")
            st.rerun()


def _principles_beside(keys: tuple[str, ...]) -> None:
    book = catalogue()
    if keys:
        st.text("Tagged: " + ", ".join(book.name_of(k) for k in keys))
    for principle in book.principles:
        st.text(f"{principle.number}. {principle.name}: {principle.summary}")


@st.fragment(run_every=2)
def _watch_cut(store: Store, guider: PersonView, one_to_one_id: int, cycle: int, choice_id: int) -> None:
    """A chosen moment a worker is still cutting: say so, and redraw the page once it can play."""
    chosen = one_to_one.chosen_moments(store, guider.id, one_to_one_id, cycle)
    if not any(m.choice_id == choice_id and m.cut is None and not m.cut_failed for m in chosen):
        st.rerun(scope="app")  # cut (or could not be, or no longer chosen): the page says which
    st.caption("This moment's own short video is not ready yet: it plays here as soon as it is cut.")


def review(store: Store, guider: PersonView, view: OneToOneView) -> None:
    """One cycle's shared review: the chosen moments closely, then the participant's words."""
    cycles = list(range(1, view.planned_cycles + 1))
    cycle = st.selectbox("Review", cycles, view.current_cycle - 1, format_func=lambda c: f"Review {c}")
    done = view.review(cycle)
    if done is None or not done.finished:
        one_to_one.start_review(store, guider.id, view.id, cycle)
    if view.helping_question:
        st.text(f"Helping question: {view.helping_question}")
    chosen = one_to_one.chosen_moments(store, guider.id, view.id, cycle)
    if not chosen:
        st.info("No moments are chosen for this review yet.")
    for m in chosen:
        with st.container(border=True):
            st.text(m.title)
            video, beside = st.columns([3, 2])
            with video:
                if m.cut is not None:
                    micro_player(
                        store, m.cut, Grant.guider(guider.id, view.id, m.moment_id), f"m{m.choice_id}"
                    )
                elif m.cut_failed:
                    st.caption(NO_CUT)
                else:
                    _watch_cut(store, guider, view.id, cycle, m.choice_id)
                if m.note:
                    st.text(f"Their note: {m.note}")
            with beside:
                _principles_beside(m.principle_keys)
    _record(store, guider, view, cycle, done)


def _record(store: Store, guider: PersonView, view: OneToOneView, cycle: int, done) -> None:
    names = {p.key: p.name for p in catalogue().principles}
    with st.form(f"record_{view.id}_{cycle}"):
        words = st.text_area("In their own words", value=done.words if done else "", max_chars=5000)
        rating = st.radio(
            "Their rating of the helping question (0–10)",
            list(range(11)),
            index=done.rating if done and done.rating is not None else None,
            horizontal=True,
        )
        step = st.text_input("Their next step", value=done.next_step if done else "", max_chars=1000)
        worked = st.multiselect(
            "Principles worked on",
            list(names),
            default=list(done.principles) if done else [],
            format_func=names.__getitem__,
        )
        if st.form_submit_button("Save this review", type="primary"):
            try:
                one_to_one.finish_review(
                    store,
                    guider.id,
                    view.id,
                    cycle,
                    words=words,
                    rating=rating,
                    next_step=step,
                    principles=worked,
                )
            except VerpError as exc:
                say(str(exc), ok=False)
            else:
                say(f"Saved review {cycle}. It is in your guider's log.")
            st.rerun()


def take_away(store: Store, person: PersonView, one_to_one_id: int) -> None:
    """The until-we-meet-again sheet and the calendar file, for the participant."""
    sheet = between_sessions.one_to_one_sheet(store, person.id, one_to_one_id)
    pdf, ics = st.columns(2)
    pdf.download_button(
        "Until we meet again (PDF)",
        lambda: between_sessions.sheet_pdf(sheet),
        f"verp-until-we-meet-again-{export.slugify(sheet.who, 'participant')}.pdf",
        "application/pdf",
        key=f"sheet_{one_to_one_id}",
        icon=":material/download:",
        on_click="ignore",  # no rerun: one could drop the file before the browser fetched it
    )
    ics.download_button(
        "Calendar: next review and filming reminder",
        lambda: between_sessions.calendar_ics(sheet, f"o{one_to_one_id}"),
        f"verp-next-review-{export.slugify(sheet.who, 'participant')}.ics",
        "text/calendar",
        key=f"ics_{one_to_one_id}",
        icon=":material/event:",
        on_click="ignore",  # no rerun: one could drop the file before the browser fetched it
    )
