"""The running order of a workshop, derived every time from what is shared with it.

welcome → principles refresher → for each participant: their helping question (only if they shared it)
→ each of their moments, then its prompt phases → the wall → the owner's next step → … → close.

Nothing here is stored: withdraw a share and its moment leaves the running order (and the projector)
at once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from verp.core.models import HelpingQuestion, Share, Workshop
from verp.core.store import Store
from verp.review.sharing import SharedMoment, shared_moments
from verp.room.prompts import Phase, prompt_book

STEPS_CACHE_S = 2.0  # a phone's reflection may be filed under a step list up to this old
_cache_lock = threading.Lock()
_build_lock = threading.Lock()  # one thread builds a missing step list; the others wait for it


@dataclass(frozen=True)
class ShownMoment:
    """A moment shared with a workshop, with only what the room may see."""

    share_id: int
    moment_id: int
    clip_id: str
    title: str
    start_s: float
    end_s: float
    owner_id: int
    owner_name: str
    tags: tuple[str, ...]
    note: str | None  # only when the owner chose to share it
    video: Path | None  # the moment's own cut
    video_start_s: float
    video_end_s: float
    position: int
    prompt_set: str


@dataclass(frozen=True)
class Step:
    index: int
    kind: str  # welcome|principles|helping_question|moment|prompt|wall|owner|close
    title: str
    minutes: float
    owner_id: int | None = None
    owner_name: str = ""
    helping_question: str = ""
    moment: ShownMoment | None = None
    phase: Phase | None = None
    prompts: tuple[str, ...] = ()
    moment_ids: tuple[int, ...] = ()


def _shared(store: Store, workshop_id: int) -> list[SharedMoment]:
    """The one seam onto sharing: what the owners let this workshop show (never a withdrawn share)."""
    return shared_moments(store, workshop_id)


def _prompt_sets(store: Store, share_ids: list[int]) -> dict[int, str]:
    if not share_ids:
        return {}
    with store.transaction() as s:
        return dict(s.execute(select(Share.id, Share.prompt_set).where(Share.id.in_(share_ids))).all())


def shown_moments(store: Store, workshop_id: int) -> list[ShownMoment]:
    """What is shared with the workshop, in running order; withdrawn shares are gone."""
    shared = _shared(store, workshop_id)
    sets = _prompt_sets(store, [m.share_id for m in shared])
    return [
        ShownMoment(
            share_id=m.share_id,
            moment_id=m.moment_id,
            clip_id=m.clip_id,
            title=m.title,
            start_s=m.start_s,
            end_s=m.end_s,
            owner_id=m.owner_id,
            owner_name=m.owner_name,
            tags=tuple(dict.fromkeys(tag.principle_key for tag in m.tags)),
            note=m.note,
            video=m.cut,  # cut exactly at the moment's start (media.cut with exact=True)
            video_start_s=0.0,
            video_end_s=max(m.end_s - m.start_s, 0.0),
            position=m.position,
            prompt_set=sets.get(m.share_id, "default"),
        )
        for m in shared
    ]


def shared_helping_question(store: Store, person_id: int) -> str:
    """The owner's current helping question, only if they chose to share it."""
    with store.transaction() as s:
        question = s.scalar(
            select(HelpingQuestion)
            .where(
                HelpingQuestion.person_id == person_id,
                HelpingQuestion.active.is_(True),
                HelpingQuestion.shared.is_(True),
            )
            .order_by(HelpingQuestion.created_at.desc(), HelpingQuestion.id.desc())
        )
        return question.text if question else ""


def _by_owner(moments: list[ShownMoment]) -> list[list[ShownMoment]]:
    groups: dict[int, list[ShownMoment]] = {}
    for moment in moments:
        groups.setdefault(moment.owner_id, []).append(moment)
    return list(groups.values())


def _participant_steps(store: Store, moments: list[ShownMoment]) -> list[dict]:
    book = prompt_book()
    owner_id, name = moments[0].owner_id, moments[0].owner_name
    who = {"owner_id": owner_id, "owner_name": name}
    out: list[dict] = []
    question = shared_helping_question(store, owner_id)
    if question:
        out.append(
            dict(
                kind="helping_question",
                title=f"{name}'s helping question",
                minutes=1,
                helping_question=question,
                **who,
            )
        )
    for moment in moments:
        out.append(dict(kind="moment", title=moment.title, minutes=2, moment=moment, **who))
        for phase in book.get(moment.prompt_set).phases:
            out.append(
                dict(
                    kind="prompt",
                    title=phase.title,
                    minutes=phase.minutes,
                    moment=moment,
                    phase=phase,
                    prompts=phase.prompts,
                    **who,
                )
            )
    ids = tuple(m.moment_id for m in moments)
    out.append(
        dict(kind="wall", title=f"What we noticed in {name}'s moments", minutes=2, moment_ids=ids, **who)
    )
    out.append(
        dict(
            kind="owner",
            title=book.owner_title,
            minutes=3,
            prompts=book.owner_prompts,
            helping_question=question,
            moment_ids=ids,
            **who,
        )
    )
    return out


def steps(store: Store, workshop_id: int) -> list[Step]:
    """The running order of the workshop, as the projector and the controls step through it."""
    plan: list[dict] = [
        dict(kind="welcome", title="Welcome", minutes=5),
        dict(kind="principles", title="Principles of attuned interaction", minutes=10),
    ]
    for moments in _by_owner(shown_moments(store, workshop_id)):
        plan += _participant_steps(store, moments)
    plan.append(dict(kind="close", title="Next steps and close", minutes=5))
    return [Step(index=i, **fields) for i, fields in enumerate(plan)]


def current_step(store: Store, workshop_id: int, index: int) -> tuple[Step, int]:
    """The step at ``index`` (clamped, as shares can be withdrawn mid-session) and how many there are."""
    all_steps = steps(store, workshop_id)
    return all_steps[min(max(index, 0), len(all_steps) - 1)], len(all_steps)


def _identity(step: Step) -> tuple:
    """What a step is, independent of its place in the list (which shifts when a share goes)."""
    share_id = step.moment.share_id if step.moment else None
    phase = step.phase.key if step.phase else None
    return (step.kind, step.owner_id, share_id, phase)


def realigned_index(old_steps: list[Step], index: int, new_steps: list[Step]) -> int:
    """Where the room on ``old_steps[index]`` should be in ``new_steps``: the same step if it is still
    there, otherwise the next step of the old order that still is (the close at worst)."""
    if not old_steps or not new_steps:
        return 0
    where = {_identity(step): step.index for step in new_steps}
    for step in old_steps[min(max(index, 0), len(old_steps) - 1) :]:
        if _identity(step) in where:
            return where[_identity(step)]
    return len(new_steps) - 1


@contextmanager
def rooms_kept_on_step(store: Store, workshop_ids: Iterable[int]) -> Iterator[None]:
    """Around a change of what is shared: afterwards each open room stays on the same step (or moves on
    to the next one still there), and its screens are told to redraw."""
    before: dict[int, list[Step]] = {}
    with store.transaction() as s:
        open_ids = list(
            s.scalars(
                select(Workshop.id).where(Workshop.id.in_(set(workshop_ids)), Workshop.status != "closed")
            )
        )
    for workshop_id in open_ids:
        before[workshop_id] = steps(store, workshop_id)
    yield
    for workshop_id, old_steps in before.items():
        new_steps = steps(store, workshop_id)
        with store.transaction() as s:
            workshop = s.scalar(select(Workshop).where(Workshop.id == workshop_id).with_for_update())
            if workshop is None:
                continue
            index = realigned_index(old_steps, workshop.current_step, new_steps)
            if index != workshop.current_step:
                workshop.current_step = index
                workshop.state_version += 1


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
