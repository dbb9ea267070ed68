"""The helping question: what a person wants to get better at, rated 0–10 at each review.

One cycle is one film and its review; three cycles is usual and one is fine. A person has one active
question at a time (it heads their Review page); changing it keeps the old wording in the history.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from verp.core.errors import VerpError
from verp.core.models import HelpingQuestion, Rating
from verp.core.store import Store
from verp.core.text import clean_text

MAX_CYCLE = 12
MAX_TEXT = 500


class HelpingError(VerpError):
    """A helping-question problem, worded for a teacher."""


@dataclass(frozen=True)
class RatingView:
    cycle: int
    score: int
    at: datetime


@dataclass(frozen=True)
class HelpingQuestionView:
    id: int
    cycle: int
    text: str
    active: bool
    created_at: datetime
    ratings: tuple[RatingView, ...]
    shared: bool = False

    @property
    def latest_score(self) -> int | None:
        return self.ratings[-1].score if self.ratings else None


def _view(s, q: HelpingQuestion) -> HelpingQuestionView:
    rows = s.scalars(
        select(Rating).where(Rating.helping_question_id == q.id).order_by(Rating.created_at, Rating.id)
    )
    ratings = tuple(RatingView(r.cycle, r.score, r.created_at) for r in rows)
    return HelpingQuestionView(q.id, q.cycle, q.text, q.active, q.created_at, ratings, q.shared)


def _active(s, owner_id: int) -> HelpingQuestion | None:
    return s.scalar(
        select(HelpingQuestion)
        .where(HelpingQuestion.person_id == owner_id, HelpingQuestion.active.is_(True))
        .order_by(HelpingQuestion.created_at.desc(), HelpingQuestion.id.desc())
    )


def set_helping_question(
    store: Store, owner_id: int, text: str, cycle: int | None = None
) -> HelpingQuestionView:
    """Record the question for ``cycle`` (default: the current one) and make it the active question."""
    text = clean_text(text, None, one_line=True)
    if not text:
        raise HelpingError("Please write what you would like to get better at.")
    if len(text) > MAX_TEXT:
        raise HelpingError(f"Please keep your helping question under {MAX_TEXT} characters.")
    with store.transaction() as s:
        current = _active(s, owner_id)
        cycle = cycle if cycle is not None else (current.cycle if current else 1)
        if not 1 <= int(cycle) <= MAX_CYCLE:
            raise HelpingError(f"Cycles are numbered 1 to {MAX_CYCLE}.")
        s.execute(
            update(HelpingQuestion)
            .where(HelpingQuestion.person_id == owner_id, HelpingQuestion.active.is_(True))
            .values(active=False)
        )
        question = HelpingQuestion(person_id=owner_id, cycle=int(cycle), text=text, active=True)
        s.add(question)
        s.flush()
        return _view(s, question)


def rate(
    store: Store,
    owner_id: int,
    score: int,
    workshop_id: int | None = None,
    room_allows: Callable[[Session, int], None] | None = None,
) -> HelpingQuestionView:
    """Rate the active question 0–10 for its cycle. A later rating in the same cycle is the one shown.
    ``room_allows(session, workshop_id)``: the room's own check, made in the same transaction after the
    write (it raises to refuse: a closed room takes no rating)."""
    if not isinstance(score, int) or not 0 <= score <= 10:
        raise HelpingError("A rating is a whole number from 0 to 10.")
    with store.transaction() as s:
        question = _active(s, owner_id)
        if question is None:
            raise HelpingError("Write your helping question first, then rate it.")
        s.add(
            Rating(
                helping_question_id=question.id, cycle=question.cycle, score=score, workshop_id=workshop_id
            )
        )
        s.flush()
        if room_allows is not None and workshop_id is not None:
            room_allows(s, workshop_id)
        return _view(s, question)


def share_with_group(store: Store, owner_id: int, shared: bool) -> HelpingQuestionView:
    """Let the group see (or stop seeing) my active helping question when my moments are on screen.

    Private by default, like everything a person brings: only the owner decides.
    """
    with store.transaction() as s:
        question = _active(s, owner_id)
        if question is None:
            raise HelpingError("Write your helping question first.")
        question.shared = bool(shared)
        s.flush()
        return _view(s, question)


# A person's active question with its ratings, oldest first, in one statement built once (Review reads
# it on every run): a row for each rating, or one row without a rating.
_ACTIVE_ID = (
    select(HelpingQuestion.id)
    .where(HelpingQuestion.person_id == bindparam("owner_id"), HelpingQuestion.active.is_(True))
    .order_by(HelpingQuestion.created_at.desc(), HelpingQuestion.id.desc())
    .limit(1)
    .scalar_subquery()
)
_ACTIVE_WITH_RATINGS = (
    select(
        HelpingQuestion.id,
        HelpingQuestion.cycle,
        HelpingQuestion.text,
        HelpingQuestion.active,
        HelpingQuestion.created_at,
        HelpingQuestion.shared,
        Rating.cycle.label("rated_cycle"),
        Rating.score,
        Rating.created_at.label("rated_at"),
    )
    .outerjoin(Rating, Rating.helping_question_id == HelpingQuestion.id)
    .where(HelpingQuestion.id == _ACTIVE_ID)
    .order_by(Rating.created_at, Rating.id)
)


def active_question(store: Store, owner_id: int) -> HelpingQuestionView | None:
    with store.reading_connection() as c:
        rows = c.execute(_ACTIVE_WITH_RATINGS, {"owner_id": owner_id}).all()
    if not rows:
        return None
    q = rows[0]
    ratings = tuple(RatingView(r.rated_cycle, r.score, r.rated_at) for r in rows if r.score is not None)
    return HelpingQuestionView(q.id, q.cycle, q.text, q.active, q.created_at, ratings, q.shared)


def history(store: Store, owner_id: int) -> list[HelpingQuestionView]:
    """Every question the person has had, oldest first, each with its ratings."""
    with store.transaction() as s:
        rows = s.scalars(
            select(HelpingQuestion)
            .where(HelpingQuestion.person_id == owner_id)
            .order_by(HelpingQuestion.cycle, HelpingQuestion.created_at, HelpingQuestion.id)
        )
        return [_view(s, q) for q in rows]
