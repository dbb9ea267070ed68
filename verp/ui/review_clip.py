"""Review page pieces around one clip: choosing it, its consent record, and deleting it."""

from __future__ import annotations

import streamlit as st

from verp.core.accounts import PersonView
from verp.core.errors import VerpError
from verp.core.models import today
from verp.core.store import Store
from verp.review import clips, consent
from verp.review.clip_review import ClipReview, my_clips_and_review, review_of
from verp.review.clips import ClipView
from verp.review.consent import ConsentView
from verp.ui.sections import section
from verp.ui.text import escape_markdown

CHOICE = "review_clip"


def _remember_choice() -> None:
    st.query_params["clip"] = st.session_state[CHOICE]


def choose_clip(store: Store, person: PersonView) -> tuple[ClipView, ClipReview] | None:
    """The clip named by ``?clip=`` (if it is mine) or chosen in the list, and what Review shows of it;
    None when I have none.

    The choice is known before the list is drawn (the link's, or the one the list kept in the session),
    so the list and the chosen clip's review are one read.
    """
    wanted = st.query_params.get("clip")
    mine_listed, review = my_clips_and_review(store, person.id, wanted or st.session_state.get(CHOICE))
    mine = {c.id: c for c in mine_listed}
    if wanted:
        if wanted not in mine:  # someone else's clip reads as a missing one
            st.error(clips.NOT_YOUR_CLIP)
            st.stop()
        st.session_state[CHOICE] = wanted
    if not mine:
        st.info("You have no clips yet. Add one on My clips, then come back to find your moments.")
        st.page_link("pages/my_clips.py", label="My clips", icon=":material/video_library:")
        return None
    if st.session_state.get(CHOICE) not in mine:
        st.session_state[CHOICE] = next(iter(mine))
    chosen = st.selectbox(
        "Clip", list(mine), format_func=lambda cid: mine[cid].title, key=CHOICE, on_change=_remember_choice
    )
    clip = mine[chosen]
    if review is None:  # the first visit, or the kept choice is gone: the review of the one chosen now
        review = review_of(store, clip)
    return clip, review


def show_delete_by_clashes(
    store: Store, person: PersonView, clip: ClipView, clashes: list[consent.DeleteByClash]
) -> None:
    """Warn when the clip would be deleted before (or just after) a workshop it is shared with."""
    for clash in clashes:
        st.warning(
            f"This clip is to be deleted by {clash.delete_by:%d %b %Y}, but a moment of it is shared with "
            f"“{escape_markdown(clash.workshop_title)}” on {clash.held_on:%d %b %Y}. "
            "Keep it until after that workshop?"
        )
        label = f"Set delete-by to {clash.suggested:%d %b %Y} (after that workshop)"
        if st.button(label, key=f"extend_{clip.id}_{clash.workshop_id}"):
            try:
                consent.set_delete_by(store, person.id, clip.id, clash.suggested)
            except VerpError as exc:
                st.error(escape_markdown(str(exc)))
            else:
                st.session_state["review_message"] = (
                    f"The clip is now to be deleted by {clash.suggested:%d %b %Y}."
                )
                st.rerun()


def show_consent(
    store: Store,
    person: PersonView,
    clip: ClipView,
    record: ConsentView | None,
    clashes: list[consent.DeleteByClash],
) -> None:
    """The clip's consent ``record``, editable: sharing needs a complete one. ``clashes``: the workshops
    its delete-by date would miss (``consent.delete_by_clashes``)."""
    st.info(clips.deletion_countdown(clip.delete_by), icon=":material/auto_delete:")
    show_delete_by_clashes(store, person, clip, clashes)
    if record and record.needs_review:
        st.warning(f"This consent record needs review: {record.review_reason}", icon=":material/warning:")
    complete = record is not None and not record.needs_review
    title = "Consent for this clip" + (" (recorded)" if complete else " (needed before sharing)")
    with section(title, key=f"consent_open_{clip.id}", expanded=not complete) as shown:
        if shown:
            _consent_form(store, person, clip, record)


def _consent_form(store: Store, person: PersonView, clip: ClipView, record) -> None:
    with st.form(f"consent_{clip.id}"):
        if record:
            st.caption(f"Recorded. The clip is to be deleted by {record.delete_by:%d %b %Y}.")
        answers = _consent_fields(store, person, clip, record)
        if st.form_submit_button("Save consent"):
            _save_consent(store, person, clip, answers)


def _consent_fields(store: Store, person: PersonView, clip: ClipView, record) -> dict:
    """The form's questions, filled in from the record when there is one."""
    group = st.text_input(
        "Who was filmed? (class or group; no children's names needed)",
        value=record.filmed_group if record else "",
        max_chars=200,
    )
    bases = list(consent.BASES)
    basis = st.selectbox(
        "Basis for filming",
        bases,
        index=bases.index(record.basis) if record and record.basis in bases else 0,
        format_func=consent.BASES.__getitem__,
    )
    agreements = list(consent.CHILDREN_AGREEMENT)
    children = st.radio(
        "The children's own agreement",
        agreements,
        index=agreements.index(record.children_agreement)
        if record and record.children_agreement in agreements
        else None,
        format_func=consent.CHILDREN_AGREEMENT.get,
    )
    by = st.text_input("Who gave or recorded it?", value=record.recorded_by if record else "", max_chars=120)
    when = st.date_input("Date", value=record.consent_date if record else today(), max_value=today())
    adults = st.text_input(
        "Other adults in the frame (roles, e.g. “teaching assistant”; leave empty if none)",
        value=record.other_adults if record else "",
        max_chars=200,
    )
    adults_agreed = st.checkbox(
        "They agreed to be shown", value=record.other_adults_agreed if record else False
    )
    no_child_without = st.checkbox(
        "No child without consent is in shot, seen or heard (anyone else was framed out, or cut)",
        value=record.no_child_without_consent if record else False,
    )
    dpia = st.text_input(
        "The school's data-protection impact assessment (reference, optional)",
        value=record.dpia_reference if record else "",
        max_chars=200,
    )
    st.caption(f"Who may view: {consent.SCOPES['workshop_only']}.")
    stills = st.checkbox(
        "Freeze-frames may appear in the workshop's exported summary",
        value=record.stills_in_exports if record else False,
    )
    latest = consent.latest_delete_by(store, person.id, clip.id)
    default = min(
        record.delete_by if record else consent.default_delete_by(store, person.id, clip.id), latest
    )
    delete_by = st.date_input(
        "Delete by",
        value=default,
        max_value=latest,
        help=f"Two months after the workshop closes; at the latest {latest:%d %b %Y}, the service's limit.",
    )
    return dict(
        filmed_group=group,
        basis=basis,
        children_agreement=children,
        recorded_by=by,
        consent_date=when,
        other_adults=adults,
        other_adults_agreed=adults_agreed,
        no_child_without_consent=no_child_without,
        dpia_reference=dpia,
        stills_in_exports=stills,
        delete_by=delete_by,
    )


def _save_consent(store: Store, person: PersonView, clip: ClipView, answers: dict) -> None:
    try:
        consent.record_consent(store, person.id, clip.id, **answers)
    except VerpError as exc:
        st.error(escape_markdown(str(exc)))
    else:
        st.session_state["review_message"] = "Saved the consent record."
        st.rerun()


def show_delete_clip(store: Store, person: PersonView, clip: ClipView) -> None:
    key = f"confirm_delete_clip_{clip.id}"
    if not st.session_state.get(key):
        if st.button("Delete this clip…", key=f"delete_clip_{clip.id}", icon=":material/delete:"):
            st.session_state[key] = True
            st.rerun()
        return
    st.warning(
        "Delete this clip, all its moments, stills and copies, for good? Shared moments leave every workshop."
    )
    yes, no = st.columns(2)
    if yes.button("Yes, delete the clip for good", key=f"yes_delete_clip_{clip.id}", type="primary"):
        st.session_state.pop(key, None)
        st.session_state.pop(CHOICE, None)
        st.query_params.pop("clip", None)
        try:
            clips.delete_clip(store, person.id, clip.id)
        except VerpError:  # already deleted, e.g. in another tab
            st.session_state["review_message"] = "That clip was already deleted."
        else:
            st.session_state["review_message"] = f"Deleted the clip “{escape_markdown(clip.title)}”."
        st.rerun()
    if no.button("Keep it", key=f"keep_clip_{clip.id}"):
        st.session_state.pop(key, None)
        st.rerun()
