"""One-to-one shared review (VIG): a guider and one participant around one laptop.

The intervention's shape: a goal-setting session (cycle 0, the helping question), then film 1 → review 1
→ … → review 3, or a single cycle. A teacher or teaching assistant with an account chooses which of
their own moments each review looks at, as they would share with a workshop, and can take one back at
any time; the guider sees their video only for those moments (:func:`verp.room.shown.may_watch`). A
parent or carer without an account has their clips held by the guider, under a participant code, with
the same consent record and delete-by rules as any clip: the guider owns those clips.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import delete, func, select

from verp.core import audit
from verp.core.errors import NotYours, VerpError
from verp.core.models import (
    Clip,
    HeldClip,
    Moment,
    MomentTag,
    OneToOne,
    OneToOneMoment,
    OneToOneReview,
    Person,
    utcnow,
)
from verp.core.store import Store
from verp.core.text import clean_text
from verp.review import clips, moment_cuts, moments
from verp.review.consent import check_shareable
from verp.review.moments import owned_moment
from verp.room.principles import catalogue
from verp.room.shown import not_expired

ROLES = {"teacher": "Teacher", "assistant": "Teaching assistant", "parent": "Parent or carer"}
SHAPES = {3: "Goal-setting, then three cycles", 1: "A single cycle"}
MAX_CODE = 40
MAX_WORDS = 5000
NOT_YOURS = "There is no one-to-one review of yours with that number."


class OneToOneError(VerpError):
    """A one-to-one problem, worded for the guider or the participant."""


@dataclass(frozen=True)
class ReviewView:
    id: int
    cycle: int  # 0: the goal-setting session
    held_on: date
    started_at: datetime
    finished_at: datetime | None
    words: str
    rating: int | None
    next_step: str
    principles: tuple[str, ...]

    @property
    def finished(self) -> bool:
        return self.finished_at is not None

    @property
    def duration_min(self) -> int:
        if self.finished_at is None:
            return 0
        return max(round((self.finished_at - self.started_at).total_seconds() / 60), 1)


@dataclass(frozen=True)
class OneToOneView:
    id: int
    guider_id: int
    guider_name: str
    participant_code: str
    role: str
    participant_id: int | None
    planned_cycles: int
    helping_question: str
    next_review_on: date | None
    reviews: tuple[ReviewView, ...]
    chosen_cycles: tuple[int, ...]  # cycles with at least one moment chosen (filmed)

    @property
    def holds_clips(self) -> bool:
        """The guider holds the clips: the participant has no account."""
        return self.participant_id is None

    def review(self, cycle: int) -> ReviewView | None:
        return next((r for r in self.reviews if r.cycle == cycle), None)

    @property
    def current_cycle(self) -> int:
        """The first cycle whose review is not finished (the last one once all are)."""
        done = {r.cycle for r in self.reviews if r.finished}
        return next((c for c in range(1, self.planned_cycles + 1) if c not in done), self.planned_cycles)

    @property
    def latest_next_step(self) -> str:
        return next((r.next_step for r in sorted(self.reviews, key=lambda r: -r.cycle) if r.next_step), "")


@dataclass(frozen=True)
class ShapeStep:
    label: str
    state: str  # done|next|planned


def shape(view: OneToOneView) -> list[ShapeStep]:
    """Goal-setting → film 1 → review 1 → … as done / next / planned, for the guider to see at a glance."""
    done = {r.cycle for r in view.reviews if r.finished}
    items = [
        (
            "Goal-setting",
            (goal := view.review(0)) is not None and goal.finished or bool(view.helping_question),
        )
    ]
    for cycle in range(1, view.planned_cycles + 1):
        items.append((f"Film {cycle}", cycle in view.chosen_cycles or cycle in done))
        items.append((f"Review {cycle}", cycle in done))
    out, seen_next = [], False
    for label, finished in items:
        state = "done" if finished else ("planned" if seen_next else "next")
        seen_next = seen_next or not finished
        out.append(ShapeStep(label, state))
    return out


def _review_view(r: OneToOneReview) -> ReviewView:
    keys = tuple(k for k in (r.principles or "").split(",") if k)
    return ReviewView(
        r.id, r.cycle, r.held_on, r.started_at, r.finished_at, r.words, r.rating, r.next_step, keys
    )


def _view(s, o: OneToOne) -> OneToOneView:
    reviews = s.scalars(
        select(OneToOneReview).where(OneToOneReview.one_to_one_id == o.id).order_by(OneToOneReview.cycle)
    )
    cycles = s.scalars(
        select(OneToOneMoment.cycle)
        .where(OneToOneMoment.one_to_one_id == o.id, OneToOneMoment.withdrawn_at.is_(None))
        .distinct()
    )
    return OneToOneView(
        o.id,
        o.guider_id,
        s.get(Person, o.guider_id).display_name,
        o.participant_code,
        o.role,
        o.participant_id,
        o.planned_cycles,
        o.helping_question,
        o.next_review_on,
        tuple(_review_view(r) for r in reviews),
        tuple(sorted(cycles)),
    )


def _guided(s, guider_id: int, one_to_one_id: int) -> OneToOne:
    row = s.get(OneToOne, int(one_to_one_id))
    if row is None or row.guider_id != guider_id:
        raise NotYours(NOT_YOURS)
    return row


def _record(s, person_id: int, action: str, one_to_one_id: int, detail: str = "") -> None:
    audit.record(s, audit.actor_of(person_id), action, f"one_to_one:{one_to_one_id}", detail)


def _code(text: str) -> str:
    code = clean_text(text, MAX_CODE, what="the participant code", one_line=True)
    if not code:
        raise OneToOneError("Please give a participant code (not a name), such as P-A or Parent 3.")
    return code


def start_one_to_one(
    store: Store,
    guider_id: int,
    participant_code: str,
    role: str,
    planned_cycles: int = 3,
    participant_id: int | None = None,
    helping_question: str = "",
    next_review_on: date | None = None,
) -> OneToOneView:
    """Begin a one-to-one intervention, known by its participant code; the guider is a facilitator."""
    code = _code(participant_code)
    if role not in ROLES:
        raise OneToOneError("Please choose who the participant is.")
    if planned_cycles not in SHAPES:
        raise OneToOneError("Please choose three cycles after a goal-setting session, or a single cycle.")
    question = clean_text(helping_question, 500, what="the helping question", one_line=True)
    with store.transaction() as s:
        guider = s.get(Person, guider_id)
        if guider is None or not guider.is_facilitator:
            raise OneToOneError("Only a facilitator can guide a one-to-one review.")
        if participant_id is not None and (
            participant_id == guider_id or s.get(Person, participant_id) is None
        ):
            raise OneToOneError("Please choose the participant's own account, or none.")
        clash = select(OneToOne.id).where(OneToOne.guider_id == guider_id, OneToOne.participant_code == code)
        if s.scalar(clash):
            raise OneToOneError(
                f"You already guide a participant with the code {code}. Please choose another."
            )
        row = OneToOne(
            guider_id=guider_id,
            participant_code=code,
            role=role,
            participant_id=participant_id,
            planned_cycles=planned_cycles,
            helping_question=question,
            next_review_on=next_review_on,
        )
        s.add(row)
        s.flush()
        _record(s, guider_id, "one_to_one_started", row.id, code)
        return _view(s, row)


def my_one_to_ones(store: Store, guider_id: int) -> list[OneToOneView]:
    with store.transaction() as s:
        rows = s.scalars(select(OneToOne).where(OneToOne.guider_id == guider_id).order_by(OneToOne.id))
        return [_view(s, r) for r in rows]


def get_one_to_one(store: Store, person_id: int, one_to_one_id: int) -> OneToOneView:
    """The intervention, for its guider or its participant (with an account) only."""
    with store.transaction() as s:
        row = s.get(OneToOne, int(one_to_one_id))
        if row is None or person_id not in (row.guider_id, row.participant_id):
            raise NotYours(NOT_YOURS)
        return _view(s, row)


def as_participant(store: Store, person_id: int) -> list[OneToOneView]:
    """The one-to-one reviews a person with an account takes part in."""
    with store.transaction() as s:
        rows = s.scalars(select(OneToOne).where(OneToOne.participant_id == person_id).order_by(OneToOne.id))
        return [_view(s, r) for r in rows]


def set_goal(
    store: Store, guider_id: int, one_to_one_id: int, helping_question: str, next_review_on: date | None
) -> OneToOneView:
    """The goal-setting session: the helping question in the participant's words, and when to meet next."""
    question = clean_text(helping_question, 500, what="the helping question", one_line=True)
    if not question:
        raise OneToOneError("Please write the helping question in the participant's own words.")
    with store.transaction() as s:
        row = _guided(s, guider_id, one_to_one_id)
        row.helping_question, row.next_review_on = question, next_review_on
        goal = s.scalar(
            select(OneToOneReview).where(OneToOneReview.one_to_one_id == row.id, OneToOneReview.cycle == 0)
        )
        if goal is None:
            s.add(
                OneToOneReview(one_to_one_id=row.id, cycle=0, held_on=utcnow().date(), finished_at=utcnow())
            )
        _record(s, guider_id, "goal_set", row.id)
        s.flush()
        return _view(s, row)


def set_next_review(store: Store, guider_id: int, one_to_one_id: int, on: date | None) -> None:
    with store.transaction() as s:
        _guided(s, guider_id, one_to_one_id).next_review_on = on


# ---------------------------------------------------------------- moments chosen for a review


@dataclass(frozen=True)
class ChosenMoment:
    choice_id: int
    cycle: int
    moment_id: int
    clip_id: str
    title: str
    length_s: float
    cut: Path | None
    principle_keys: tuple[str, ...]
    note: str | None  # the owner's note, only when they chose to share it
    cut_failed: bool = False  # no cut, and a worker could not make one (its owner can save its times again)


def _check_cycle(row: OneToOne, cycle: int) -> int:
    if not isinstance(cycle, int) or not 1 <= cycle <= row.planned_cycles:
        raise OneToOneError(f"This one-to-one has cycles 1 to {row.planned_cycles}.")
    return cycle


def _choose(s, actor_id: int, row: OneToOne, moment: Moment, cycle: int) -> int:
    check_shareable(s, moment.clip_id)
    if reason := moment_cuts.not_cut_yet(moment, cutting_will_do=True):
        raise OneToOneError(reason)
    live = select(OneToOneMoment.id).where(
        OneToOneMoment.one_to_one_id == row.id,
        OneToOneMoment.moment_id == moment.id,
        OneToOneMoment.withdrawn_at.is_(None),
    )
    if s.scalar(live):
        raise OneToOneError("This moment is already chosen for this one-to-one review.")
    choice = OneToOneMoment(one_to_one_id=row.id, moment_id=moment.id, cycle=cycle)
    s.add(choice)
    s.flush()
    _record(s, actor_id, "share_one_to_one", row.id, f"moment:{moment.id} cycle {cycle}")
    return choice.id


def choose_moment(store: Store, person_id: int, one_to_one_id: int, moment_id: int, cycle: int) -> int:
    """A participant with an account chooses one of their own moments for a review (like sharing)."""
    with store.transaction() as s:
        row = s.get(OneToOne, int(one_to_one_id))
        if row is None or row.participant_id != person_id:
            raise NotYours(NOT_YOURS)
        moment, _clip = owned_moment(s, person_id, moment_id)
        return _choose(s, person_id, row, moment, _check_cycle(row, cycle))


def withdraw_moment(store: Store, person_id: int, choice_id: int) -> None:
    """The moment's owner takes it back: the guider can no longer watch it. Harmless twice."""
    with store.transaction() as s:
        choice = s.get(OneToOneMoment, int(choice_id))
        if choice is None:
            raise NotYours("There is no chosen moment of yours here.")
        try:
            owned_moment(s, person_id, choice.moment_id)
        except NotYours:
            raise NotYours("There is no chosen moment of yours here.") from None
        if choice.withdrawn_at is None:
            choice.withdrawn_at = utcnow()
            _record(s, person_id, "withdraw_one_to_one", choice.one_to_one_id, f"moment:{choice.moment_id}")


def chosen_moments(
    store: Store, person_id: int, one_to_one_id: int, cycle: int | None = None
) -> list[ChosenMoment]:
    """The moments chosen (and not taken back) for the review, for its guider or its participant."""
    get_one_to_one(store, person_id, one_to_one_id)
    query = (
        select(OneToOneMoment, Moment)
        .join(Moment, Moment.id == OneToOneMoment.moment_id)
        .join(Clip, Clip.id == Moment.clip_id)
        .where(OneToOneMoment.one_to_one_id == int(one_to_one_id), OneToOneMoment.withdrawn_at.is_(None))
        .where(not_expired())
        .order_by(OneToOneMoment.cycle, OneToOneMoment.chosen_at, OneToOneMoment.id)
    )
    if cycle is not None:
        query = query.where(OneToOneMoment.cycle == int(cycle))
    with store.transaction() as s:
        out = []
        for choice, m in s.execute(query).all():
            keys = s.scalars(select(MomentTag.principle_key).where(MomentTag.moment_id == m.id))
            out.append(
                ChosenMoment(
                    choice.id,
                    choice.cycle,
                    m.id,
                    m.clip_id,
                    m.title,
                    max(m.end_s - m.start_s, 0.0),
                    store.clip_path(m.cut_name) if m.cut_name else None,
                    tuple(dict.fromkeys(keys)),
                    m.note if m.share_note and m.note else None,
                    m.cut_name is None and m.cut_status == moment_cuts.FAILED,
                )
            )
        return out


# ---------------------------------------------------------------- clips the guider holds


def hold_clip(
    store: Store, guider_id: int, one_to_one_id: int, filename: str, source: BinaryIO
) -> clips.ClipView:
    """Keep a clip for a participant without an account: stored like any clip, owned by the guider."""
    with store.transaction() as s:
        _holder(s, guider_id, one_to_one_id)
    clip = clips.add_clip(store, guider_id, filename, source)
    return hold_uploaded_clip(store, guider_id, one_to_one_id, clip.id)


def hold_uploaded_clip(store: Store, guider_id: int, one_to_one_id: int, clip_id: str) -> clips.ClipView:
    """Keep a clip the guider has just uploaded (streamed to the server: ``verp.web_uploads``) for a
    participant without an account. It then lives under the one-to-one, not on the guider's My clips."""
    with store.transaction() as s:
        code = _holder(s, guider_id, one_to_one_id).participant_code
        clip = clips.owned_clip(s, guider_id, str(clip_id))
        if s.get(HeldClip, clip.id) is not None:
            raise OneToOneError("This clip is already kept for a participant.")
        s.add(HeldClip(clip_id=clip.id, one_to_one_id=int(one_to_one_id)))
        clip.title = f"{code}: {clip.title}"[:200]
        _record(s, guider_id, "clip_held", int(one_to_one_id), f"clip:{clip.id}")
    return clips.get_clip(store, guider_id, str(clip_id))


def _holder(s, guider_id: int, one_to_one_id: int) -> OneToOne:
    """The guider's one-to-one with a participant who has no account (others bring their own clips)."""
    row = _guided(s, guider_id, one_to_one_id)
    if row.participant_id is not None:
        raise OneToOneError("This participant has an account: they choose their own moments to share.")
    return row


def held_clips(store: Store, guider_id: int, one_to_one_id: int) -> list[clips.ClipView]:
    with store.transaction() as s:
        _guided(s, guider_id, one_to_one_id)
        ids = list(s.scalars(select(HeldClip.clip_id).where(HeldClip.one_to_one_id == int(one_to_one_id))))
    return [c for c in clips.list_clips(store, guider_id, held=True) if c.id in ids]


def mark_held_moment(
    store: Store,
    guider_id: int,
    one_to_one_id: int,
    clip_id: str,
    title: str,
    start_s: float,
    end_s: float,
    cycle: int,
) -> int:
    """Mark a moment of a held clip and choose it for a review; the clip needs its consent record."""
    with store.transaction() as s:
        row = _guided(s, guider_id, one_to_one_id)
        _check_cycle(row, cycle)
        held = s.get(HeldClip, str(clip_id))
        if held is None or held.one_to_one_id != row.id:
            raise NotYours("There is no clip held for this participant with that name.")
        check_shareable(s, str(clip_id))
    made = moments.create_moment(store, guider_id, str(clip_id), title, start_s, end_s)
    with store.transaction() as s:
        return _choose(s, guider_id, _guided(s, guider_id, one_to_one_id), s.get_one(Moment, made.id), cycle)


def remove_choice(store: Store, guider_id: int, one_to_one_id: int, choice_id: int) -> None:
    """The guider takes a moment out of a review (the moment itself stays with its owner)."""
    with store.transaction() as s:
        row = _guided(s, guider_id, one_to_one_id)
        choice = s.get(OneToOneMoment, int(choice_id))
        if choice is None or choice.one_to_one_id != row.id:
            raise NotYours("That moment is not chosen for this review.")
        if choice.withdrawn_at is None:
            choice.withdrawn_at = utcnow()
            _record(s, guider_id, "remove_one_to_one", row.id, f"moment:{choice.moment_id}")


# ---------------------------------------------------------------- the review itself


def start_review(store: Store, guider_id: int, one_to_one_id: int, cycle: int) -> ReviewView:
    """Open the review of ``cycle`` (its clock starts now), or return the one already open."""
    with store.transaction() as s:
        row = _guided(s, guider_id, one_to_one_id)
        _check_cycle(row, cycle)
        review = s.scalar(
            select(OneToOneReview).where(
                OneToOneReview.one_to_one_id == row.id, OneToOneReview.cycle == cycle
            )
        )
        if review is None:
            review = OneToOneReview(one_to_one_id=row.id, cycle=cycle, held_on=utcnow().date())
            s.add(review)
            s.flush()
            _record(s, guider_id, "review_started", row.id, f"cycle {cycle}")
        return _review_view(review)


def finish_review(
    store: Store,
    guider_id: int,
    one_to_one_id: int,
    cycle: int,
    *,
    words: str,
    rating: int | None,
    next_step: str,
    principles: tuple[str, ...] | list[str] = (),
) -> ReviewView:
    """Keep what the participant said, their 0–10 rating (never a default) and their next step."""
    words = clean_text(words, MAX_WORDS, what="their words")
    next_step = clean_text(next_step, 1000, what="the next step")
    if rating is None or not isinstance(rating, int) or not 0 <= rating <= 10:
        raise OneToOneError("Please ask the participant to rate their helping question from 0 to 10.")
    if not next_step:
        raise OneToOneError("Please write the participant's next step in their own words.")
    unknown = [k for k in principles if k not in catalogue().keys]
    if unknown:
        raise OneToOneError(f"Unknown principle: {', '.join(unknown)}.")
    start_review(store, guider_id, one_to_one_id, cycle)
    with store.transaction() as s:
        review = s.scalars(  # start_review above made it if it was not there
            select(OneToOneReview).where(
                OneToOneReview.one_to_one_id == int(one_to_one_id), OneToOneReview.cycle == cycle
            )
        ).one()
        review.words, review.rating, review.next_step = words, rating, next_step
        review.principles = ",".join(k for k in catalogue().keys if k in principles)
        review.finished_at = review.finished_at or utcnow()
        _record(s, guider_id, "review_recorded", int(one_to_one_id), f"cycle {cycle}")
        s.flush()
        return _review_view(review)


# ---------------------------------------------------------------- retention and erasure


def purge_one_to_ones(store: Store, today: date) -> int:
    """Delete interventions untouched for the records period, with the clips the guider held for them."""
    oldest = today - timedelta(days=store.settings.records_days)
    with store.transaction() as s:
        last = (
            select(OneToOne.id, OneToOne.guider_id, OneToOne.created_at, func.max(OneToOneReview.started_at))
            .outerjoin(OneToOneReview, OneToOneReview.one_to_one_id == OneToOne.id)
            .group_by(OneToOne.id, OneToOne.guider_id, OneToOne.created_at)
        )
        due = [(i, g) for i, g, made, seen in s.execute(last) if (seen or made).date() <= oldest]
    for one_to_one_id, guider_id in due:
        forget_one_to_one(store, guider_id, one_to_one_id, actor="retention")
    return len(due)


def forget_one_to_one(store: Store, guider_id: int, one_to_one_id: int, actor: str | None = None) -> None:
    """Delete an intervention, its reviews, and every clip held for it (files too)."""
    with store.transaction() as s:
        if s.get(OneToOne, int(one_to_one_id)) is None:
            return
        held = list(s.scalars(select(HeldClip.clip_id).where(HeldClip.one_to_one_id == int(one_to_one_id))))
    for clip_id in held:
        try:
            clips.delete_clip(store, guider_id, clip_id)
        except VerpError:
            continue  # deleted meanwhile
    with store.transaction() as s:
        s.execute(delete(OneToOne).where(OneToOne.id == int(one_to_one_id)))
        audit.record(
            s, actor or audit.actor_of(guider_id), "one_to_one_deleted", f"one_to_one:{one_to_one_id}"
        )
