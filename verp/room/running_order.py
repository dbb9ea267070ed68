"""The running order of a workshop, derived every time from what is shown in it.

welcome → (series opening, in session N > 1 of a group) → principles refresher → for each participant,
who leads their own turn: their context (and helping question, if they shared it) → each of their
moments, then their own words about it ("what were you thinking, feeling, hoping here?"), then the
group's strengths prompts → the wall → the room's take-away ("what will you take into your own
practice?") → the owner's own "more of this", rating and next step → … → close. Each step's minutes come
from the prompt book unless the facilitator set their own on Plan; "child" in a prompt becomes the
workshop's own word.

Nothing here is stored but the room's place, and that by what the step *is*: its key, such as
``welcome``, ``helping_question:p7`` (person 7's context and question), ``moment:p7:s12`` (share 12 of
person 7), ``voice:p7:s12`` (the owner's own words on it), ``prompt:p7:s12:notice`` (a prompt phase of
that moment), ``wall:p7``, ``take:p7``, ``owner:p7`` or ``close``:
``kind``, then ``p<person>``, ``s<share>`` and a phase where the kind has them. A new kind of step only
needs a kind name and the parts that tell its steps apart. As keys do not move when the list does, a
share added, withdrawn or reordered needs no change to the room's place.

When the step the room is on has gone (its share withdrawn or removed, its moment deleted or expired),
:func:`place` shows the first step after it that is still there, in the order the workshop had with
every share it was ever given (withdrawn ones too); a step that cannot be placed in that order (its
moment deleted, its phase dropped by a new prompt set) gives way to its moment, else its participant's
wall, else the close.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import NamedTuple

from sqlalchemy import Connection, bindparam, select
from sqlalchemy.orm import Session

from verp.core.models import Clip, HelpingQuestion, Moment, SeriesSession, Share, Workshop
from verp.core.store import Store
from verp.core.text import whole_number
from verp.room.prompts import Phase, prompt_book, with_child_word
from verp.room.shown import ShownMoment, shown_in

STEPS_CACHE_S = 2.0  # a phone's reflection may be filed under a step list up to this old
_cache_lock = threading.Lock()
_build_lock = threading.Lock()  # one thread builds a missing step list; the others wait for it


@dataclass(frozen=True)
class Step:
    """One step of the running order. ``key`` says what it is, whatever its place in the list."""

    index: int
    kind: str  # welcome|series_opening|principles|helping_question|moment|voice|prompt|wall|take|owner|close
    title: str
    minutes: float
    owner_id: int | None = None
    owner_name: str = ""
    helping_question: str = ""
    moment: ShownMoment | None = None
    phase: Phase | None = None
    prompts: tuple[str, ...] = ()
    moment_ids: tuple[int, ...] = ()

    @property
    def key(self) -> str:
        share_id = self.moment.share_id if self.moment else None
        return step_key(self.kind, self.owner_id, share_id, self.phase.key if self.phase else None)


def step_key(
    kind: str, owner_id: int | None = None, share_id: int | None = None, phase: str | None = None
) -> str:
    """What a step is, as a short string stored in the workshop row (see the module's docstring)."""
    parts = [kind]
    if owner_id is not None:
        parts.append(f"p{owner_id}")
    if share_id is not None:
        parts.append(f"s{share_id}")
    if phase:
        parts.append(phase)
    return ":".join(parts)


@dataclass(frozen=True)
class StepKey:
    kind: str
    owner_id: int | None = None
    share_id: int | None = None
    phase: str | None = None


def parse_step_key(key: str) -> StepKey:
    """The parts of a key made by :func:`step_key`; anything unreadable is a key of no known step."""
    kind, *rest = str(key or "").split(":")
    owner_id = share_id = None
    phase = None
    for part in rest:
        number = whole_number(part[1:])
        if part[:1] == "p" and number is not None and owner_id is None and share_id is None:
            owner_id = number
        elif part[:1] == "s" and number is not None and share_id is None:
            share_id = number
        else:
            phase = part
    return StepKey(kind, owner_id, share_id, phase)


# What the running order reads besides the moments, as statements built once: every screen of a live
# room asks for the order on each redraw.
_SHARED_QUESTIONS = (
    select(HelpingQuestion.person_id, HelpingQuestion.text)
    .where(
        HelpingQuestion.person_id.in_(bindparam("owner_ids", expanding=True)),
        HelpingQuestion.active.is_(True),
        HelpingQuestion.shared.is_(True),
    )
    .order_by(HelpingQuestion.created_at, HelpingQuestion.id)
)
_STEP_SETTINGS = (
    select(Workshop.step_minutes, Workshop.child_word, SeriesSession.number)
    .outerjoin(SeriesSession, SeriesSession.workshop_id == Workshop.id)
    .where(Workshop.id == bindparam("workshop_id"))
)


class StepSettings(NamedTuple):
    """What the facilitator set that shapes the running order, as stored: their own minutes per step
    (JSON), the word the prompts use for children, and the workshop's number in its group's series."""

    minutes: str | None
    child_word: str | None
    series_number: int | None


def shared_helping_questions(reader: Session | Connection, owner_ids: set[int]) -> dict[int, str]:
    """Each owner's current helping question, only where they chose to share it (one query)."""
    if not owner_ids:
        return {}
    rows = reader.execute(_SHARED_QUESTIONS, {"owner_ids": sorted(owner_ids)})
    return {person_id: text for person_id, text in rows}  # the newest of each person's comes last


def _by_owner(moments: list[ShownMoment]) -> list[list[ShownMoment]]:
    groups: dict[int, list[ShownMoment]] = {}
    for moment in moments:
        groups.setdefault(moment.owner_id, []).append(moment)
    return list(groups.values())


def _participant_steps(moments: list[ShownMoment], question: str) -> list[dict]:
    book = prompt_book()
    owner_id, name = moments[0].owner_id, moments[0].owner_name
    who = {"owner_id": owner_id, "owner_name": name}
    context = dict(title=book.context.title, prompts=book.context.prompts)
    out: list[dict] = [dict(kind="helping_question", minutes=2, helping_question=question, **context, **who)]
    for moment in moments:
        out.append(dict(kind="moment", title=moment.title, minutes=2, moment=moment, **who))
        voice = dict(title=book.owner_voice.title, prompts=book.owner_voice.prompts)
        out.append(dict(kind="voice", minutes=2, moment=moment, **voice, **who))
        for phase in book.get(moment.prompt_set).phases:
            fields = dict(title=phase.title, minutes=phase.minutes, phase=phase, prompts=phase.prompts)
            out.append(dict(kind="prompt", moment=moment, **fields, **who))
    ids = tuple(m.moment_id for m in moments)
    wall_title = f"What we noticed in {name}'s moments"
    out.append(dict(kind="wall", title=wall_title, minutes=2, moment_ids=ids, **who))
    take = dict(title=book.room_take.title, prompts=book.room_take.prompts)
    out.append(dict(kind="take", minutes=2, moment_ids=ids, **take, **who))
    owner = dict(title=book.owner_title, prompts=book.owner_prompts, helping_question=question)
    out.append(dict(kind="owner", minutes=4, moment_ids=ids, **owner, **who))
    return out


def _order(
    moments: list[ShownMoment], question_of: Callable[[int], str], opening: Sequence[dict] = ()
) -> list[Step]:
    plan: list[dict] = [
        dict(kind="welcome", title="Welcome", minutes=5),
        *opening,
        dict(kind="principles", title="Principles of attuned interaction", minutes=10),
    ]
    for mine in _by_owner(moments):
        plan += _participant_steps(mine, question_of(mine[0].owner_id))
    plan.append(dict(kind="close", title="Next steps and close", minutes=5))
    return [Step(index=i, **fields) for i, fields in enumerate(plan)]


def read_minutes(stored: str | None) -> dict[str, float]:
    """The facilitator's own minutes per step key, from the workshop row (anything unreadable: none)."""
    try:
        data = json.loads(stored or "{}")
    except ValueError:
        return {}
    if not isinstance(data, dict):
        return {}
    return {str(k): float(v) for k, v in data.items() if isinstance(v, int | float) and 0 <= v <= 180}


def tailored(order: list[Step], minutes: dict[str, float], child_word: str = "child") -> list[Step]:
    """The order with the facilitator's minutes and the workshop's word for "child" in every prompt.

    A step that neither changes is kept as it is: every screen of the room asks for the order on each
    redraw, and most steps keep the book's minutes."""
    out = []
    for step in order:
        prompts = tuple(_in_words(p, child_word) for p in step.prompts)
        step_minutes = minutes.get(step.key, step.minutes)
        same = prompts == step.prompts and step_minutes == step.minutes
        out.append(step if same else replace(step, minutes=step_minutes, prompts=prompts))
    return out


@lru_cache(maxsize=4096)
def _in_words(prompt: str, child_word: str) -> str:
    """A prompt of the book in the school's word: the book's prompts are few, the words fewer."""
    return with_child_word(prompt, child_word)


def steps(
    store: Store,
    workshop_id: int,
    shown: list[ShownMoment] | None = None,
    questions: bool = True,
    settings: StepSettings | None = None,
) -> list[Step]:
    """The running order of the workshop, as the projector and the controls step through it.

    ``shown``: the workshop's :func:`shown_moments`, and ``settings`` its :class:`StepSettings`, when the
    caller has just read them. One transaction: every screen of the room asks for it on each redraw.
    Without ``questions`` the participants' shared helping questions are not read (their steps are
    there, without the words): for the agenda, which shows each step's title and minutes only.
    """
    moments, questions_of = shown, {}
    if moments is None or settings is None or (questions and moments):  # else nothing to read
        with store.reading_connection() as c:
            moments = shown_in(c, store.clip_path, workshop_id) if moments is None else moments
            questions_of = shared_helping_questions(c, {m.owner_id for m in moments} if questions else set())
            if settings is None:
                row = c.execute(_STEP_SETTINGS, {"workshop_id": workshop_id}).first()
                settings = None if row is None else StepSettings(*row)
    if settings is None:
        return _order(moments, lambda owner_id: questions_of.get(owner_id, ""))
    minutes, child_word, number = settings
    order = _order(moments, lambda owner_id: questions_of.get(owner_id, ""), _opening(number))
    return tailored(order, read_minutes(minutes), child_word or "child")


def series_opening_steps(store: Store, workshop_id: int) -> list[dict]:
    """The series opening, right after the welcome, when the workshop is session N > 1 of a group:
    each member's next step from session N−1 ("What did you try? What happened?") and their own
    ratings so far. Its content comes from ``verp.workshop.groups.series_opening``."""
    with store.transaction() as s:
        return _series_opening(s, workshop_id)


def _series_opening(s: Session, workshop_id: int) -> list[dict]:
    return _opening(s.scalar(select(SeriesSession.number).where(SeriesSession.workshop_id == workshop_id)))


def _opening(number: int | None) -> list[dict]:
    """The series opening for session ``number`` of a group (none for a first or a lone workshop)."""
    if number is None or number < 2:
        return []
    title = f"Since session {number - 1}: what did you try? What happened?"
    return [dict(kind="series_opening", title=title, minutes=10)]


def _every_share(store: Store, workshop_id: int) -> list[ShownMoment]:
    """Every share the workshop still has a row of, shown or not, as bare moments: enough for keys."""
    with store.transaction() as s:
        rows = s.execute(
            select(Share, Moment.clip_id, Clip.owner_id)
            .join(Moment, Moment.id == Share.moment_id)
            .join(Clip, Clip.id == Moment.clip_id)
            .where(Share.workshop_id == workshop_id)
            .order_by(Share.position, Share.shared_at, Share.id)
        ).all()
    return [
        ShownMoment(
            share.id,
            share.moment_id,
            clip_id,
            "",
            0.0,
            0.0,
            owner_id,
            "",
            (),
            None,
            None,
            (),
            (),
            False,
            share.position,
            share.prompt_set or "default",
            share.shared_at,
        )
        for share, clip_id, owner_id in rows
    ]


def _past_keys(store: Store, workshop_id: int) -> list[str]:
    """The keys of the order the workshop would have with every share it was given (withdrawn ones too)."""
    opening = series_opening_steps(store, workshop_id)
    return [step.key for step in _order(_every_share(store, workshop_id), lambda _: "?", opening)]


def place(order: list[Step], key: str, past_keys: Callable[[], list[str]] = list) -> Step:
    """The step the room on ``key`` shows: that step, or if it has gone, the next one still there.

    The one place that turns the stored key into a step (see the module's docstring for the rule);
    ``past_keys`` is only asked when the step has gone.
    """
    here = {step.key: step for step in order}
    if key in here:
        return here[key]
    past = past_keys()
    if key in past:
        later = past[past.index(key) + 1 :]
        return next((here[k] for k in later if k in here), order[-1])
    parts = parse_step_key(key)
    for fallback in (step_key("moment", parts.owner_id, parts.share_id), step_key("wall", parts.owner_id)):
        if parts.owner_id is not None and fallback in here:
            return here[fallback]
    return order[0] if parts.kind in ("", "welcome") else order[-1]


def current_step(
    store: Store, workshop_id: int, key: str, state_version: int | None = None
) -> tuple[Step, list[Step]]:
    """The step the room is on and the whole running order.

    With ``state_version`` the order may come from :func:`recent_steps` (for the many phones).
    """
    if state_version is None:
        order = steps(store, workshop_id)
    else:
        order = recent_steps(store, workshop_id, state_version)
    return place(order, key, lambda: _past_keys(store, workshop_id)), order


def recent_steps(store: Store, workshop_id: int, state_version: int) -> list[Step]:
    """``steps`` remembered for a couple of seconds per state version.

    Thirty phones sending at once all ask which moment is on screen; building the step list for each
    would make the room wait. The database stays the truth: the copy is dropped after
    ``STEPS_CACHE_S`` and whenever Control changes the state version.
    """
    key = (workshop_id, state_version)
    with _cache_lock:
        cache = store.__dict__.setdefault("_recent_steps", {})
    hit = cache.get(key)
    if hit and time.monotonic() - hit[0] < STEPS_CACHE_S:
        return hit[1]
    with _build_lock:
        hit = cache.get(key)
        now = time.monotonic()
        if hit and now - hit[0] < STEPS_CACHE_S:
            return hit[1]
        fresh = steps(store, workshop_id)
    with _cache_lock:
        cache[key] = (now, fresh)
        for stale in [k for k, (at, _) in cache.items() if now - at >= STEPS_CACHE_S]:
            cache.pop(stale, None)
    return fresh
