"""The running order of a workshop, derived every time from what is shared with it.

welcome → principles refresher → for each participant: their helping question (only if they shared it)
→ each of their moments, then its prompt phases → the wall → the owner's next step → … → close.

Nothing here is stored: withdraw a share and its moment leaves the running order (and the projector)
at once.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from verp.models import Clip, HelpingQuestion, Moment, MomentTag, Person, Share
from verp.prompts import Phase, prompt_book
from verp.store import Store

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
    video: Path | None  # the cut file, or the playable clip when there is no cut
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


def _shared_rows(store: Store, workshop_id: int) -> list[tuple[Share, Moment, Clip, Person, tuple[str, ...]]]:
    """The one seam onto sharing: current (not withdrawn) shares of this workshop, in running order.

    When ``verp.sharing.shared_moments`` is merged, this is the function to point at it.
    """
    with store.transaction() as s:
        rows = s.execute(
            select(Share, Moment, Clip, Person)
            .join(Moment, Share.moment_id == Moment.id)
            .join(Clip, Moment.clip_id == Clip.id)
            .join(Person, Clip.owner_id == Person.id)
            .where(Share.workshop_id == workshop_id, Share.withdrawn_at.is_(None))
            .order_by(Share.position, Share.id)
        ).all()
        ids = [m.id for _, m, _, _ in rows]
        tags: dict[int, list[str]] = {}
        if ids:
            for tag in s.scalars(select(MomentTag).where(MomentTag.moment_id.in_(ids))):
                tags.setdefault(tag.moment_id, []).append(tag.principle_key)
        return [(sh, m, c, p, tuple(tags.get(m.id, ()))) for sh, m, c, p in rows]


def _video(store: Store, moment: Moment, clip: Clip) -> tuple[Path | None, float, float]:
    if moment.cut_name:
        return store.clip_path(moment.cut_name), 0.0, max(moment.end_s - moment.start_s, 0.0)
    if clip.playable_name:
        return store.clip_path(clip.playable_name), moment.start_s, moment.end_s
    return None, 0.0, 0.0


def shown_moments(store: Store, workshop_id: int) -> list[ShownMoment]:
    """What is shared with the workshop, in running order; withdrawn shares are gone."""
    shown = []
    for share, moment, clip, owner, tags in _shared_rows(store, workshop_id):
        video, start, end = _video(store, moment, clip)
        shown.append(
            ShownMoment(
                share_id=share.id,
                moment_id=moment.id,
                clip_id=clip.id,
                title=moment.title,
                start_s=moment.start_s,
                end_s=moment.end_s,
                owner_id=owner.id,
                owner_name=owner.display_name,
                tags=tags,
                note=moment.note if moment.share_note and moment.note else None,
                video=video,
                video_start_s=start,
                video_end_s=end,
                position=share.position,
                prompt_set=share.prompt_set,
            )
        )
    return shown


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
