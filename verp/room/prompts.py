"""Reflection prompts for a shared review, in phases from description to meaning to next steps.

Loaded from ``assets/prompts.toml`` and checked on load: every set starts with what is working
(strengths first), phases never go back a stage, and "one area to develop" or "more of this" is asked
only at the owner's own steps, never of the room about someone else's moment.

The participant leads their turn: their context and helping question first, their own words straight
after each moment (before the group), the room's take-away after the wall, and their own "more of this",
rating and next step last. ``child`` in a prompt becomes the workshop's own word (:func:`with_child_word`).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from verp.core.errors import VerpError

PROMPTS_FILE = Path(__file__).resolve().parents[2] / "assets" / "prompts.toml"
STAGES = ("description", "meaning", "next_steps")
DEFAULT_SET = "default"
# Words that belong to the owner's step only; the room looks for strengths.
OWNER_ONLY_WORDS = ("area to develop", "went wrong", "mistake", "should have", "better if", "more of")
# The words a school may prefer for "child", each with its plural.
CHILD_WORDS = {
    "child": "children",
    "pupil": "pupils",
    "young person": "young people",
    "student": "students",
    "colleague": "colleagues",
}
_CHILD = re.compile(r"\b(child|children)\b", re.IGNORECASE)


class PromptsError(VerpError, ValueError):
    """The prompts asset file is malformed."""


@dataclass(frozen=True)
class Phase:
    key: str
    stage: str
    title: str
    prompts: tuple[str, ...]
    minutes: float


@dataclass(frozen=True)
class PromptSet:
    key: str
    name: str
    phases: tuple[Phase, ...]


@dataclass(frozen=True)
class Turn:
    """One of the participant's own steps around their moments: a title and its prompts."""

    title: str
    prompts: tuple[str, ...]


@dataclass(frozen=True)
class PromptBook:
    sets: tuple[PromptSet, ...]
    owner_title: str
    owner_prompts: tuple[str, ...]
    context: Turn = Turn(
        "Context and helping question", ("What was happening, and what were you hoping for?",)
    )
    owner_voice: Turn = Turn("In your own words", ("What were you thinking, feeling, hoping here?",))
    room_take: Turn = Turn("Into our own practice", ("What will you take into your own practice?",))

    def get(self, key: str | None) -> PromptSet:
        """The set called ``key``; an unknown or empty key falls back to the default set."""
        for prompt_set in self.sets:
            if prompt_set.key == key:
                return prompt_set
        return self.sets[0]

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(s.key for s in self.sets)


def _phase(data: dict) -> Phase:
    return Phase(
        key=str(data["key"]),
        stage=str(data["stage"]),
        title=str(data["title"]),
        prompts=tuple(str(p) for p in data["prompts"]),
        minutes=float(data.get("minutes", 2)),
    )


def _check_set(prompt_set: PromptSet) -> None:
    name = prompt_set.key
    if not prompt_set.phases:
        raise PromptsError(f"prompt set {name!r} has no phases")
    stages = [STAGES.index(p.stage) if p.stage in STAGES else -1 for p in prompt_set.phases]
    if -1 in stages:
        raise PromptsError(f"prompt set {name!r}: each stage must be one of {', '.join(STAGES)}")
    if stages[0] != 0:
        raise PromptsError(f"prompt set {name!r} must start with what is working (stage 'description')")
    if stages != sorted(stages):
        raise PromptsError(f"prompt set {name!r} must go from description to meaning to next steps")
    if len({p.key for p in prompt_set.phases}) != len(prompt_set.phases):
        raise PromptsError(f"prompt set {name!r} has two phases with the same key")
    for phase in prompt_set.phases:
        if not phase.prompts or any(not p.strip() for p in phase.prompts):
            raise PromptsError(f"prompt set {name!r}, phase {phase.key!r} needs at least one prompt")
        for prompt in phase.prompts:
            if any(word in prompt.casefold() for word in OWNER_ONLY_WORDS):
                raise PromptsError(f"prompt set {name!r}: {prompt!r} belongs at the owner's step only")


def parse_prompts(data: dict) -> PromptBook:
    """Build and check the prompt book."""
    try:
        sets = tuple(
            PromptSet(str(s["key"]), str(s["name"]), tuple(_phase(p) for p in s["phases"]))
            for s in data["set"]
        )
        owner_title = str(data["owner"]["title"])
        owner_prompts = tuple(str(p) for p in data["owner"]["prompts"])
        turns = {name: _turn(data[name]) for name in ("context", "owner_voice", "room_take") if name in data}
    except (KeyError, TypeError, ValueError) as exc:
        raise PromptsError(f"prompts data is missing a field: {exc}") from exc
    if not sets or sets[0].key != DEFAULT_SET:
        raise PromptsError(f"the first prompt set must be {DEFAULT_SET!r}")
    if len({s.key for s in sets}) != len(sets):
        raise PromptsError("prompt set keys must be unique")
    for prompt_set in sets:
        _check_set(prompt_set)
    if not owner_prompts:
        raise PromptsError("the owner's step needs prompts")
    room = turns.get("room_take")
    if room is not None:
        for prompt in room.prompts:
            if any(word in prompt.casefold() for word in OWNER_ONLY_WORDS):
                raise PromptsError(f"room_take: {prompt!r} belongs at the owner's step only")
    return PromptBook(sets, owner_title, owner_prompts, **turns)


def _turn(data: dict) -> Turn:
    prompts = tuple(str(p) for p in data["prompts"])
    if not prompts or any(not p.strip() for p in prompts):
        raise PromptsError(f"{data.get('title', 'a turn')!r} needs at least one prompt")
    return Turn(str(data["title"]), prompts)


def with_child_word(text: str, word: str = "child") -> str:
    """``text`` with "child"/"children" in the school's own word (pupil, young person, …), case kept."""
    singular = word if word in CHILD_WORDS else "child"
    plural = CHILD_WORDS[singular]

    def swap(match: re.Match) -> str:
        found = match.group(0)
        new = plural if found.casefold() == "children" else singular
        return new[:1].upper() + new[1:] if found[:1].isupper() else new

    return _CHILD.sub(swap, text)


@cache
def prompt_book(path: Path = PROMPTS_FILE) -> PromptBook:
    """The app's prompt sets, read once per process."""
    with open(path, "rb") as f:
        return parse_prompts(tomllib.load(f))
