"""The principles of attuned interaction and guidance, loaded from ``assets/principles.toml``.

The data is checked on load so that a typo in the asset file fails loudly at start, not mid-workshop.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from verp.core.errors import VerpError

ASSETS = Path(__file__).resolve().parents[2] / "assets"
PRINCIPLES_FILE = ASSETS / "principles.toml"
CHAIN_KEYS = ("initiative", "reception", "response")


class PrinciplesError(VerpError, ValueError):
    """The principles asset file is malformed."""


@dataclass(frozen=True)
class Principle:
    key: str
    number: int
    name: str
    summary: str
    behaviours: tuple[str, ...]


@dataclass(frozen=True)
class ChainStep:
    key: str
    name: str
    description: str


@dataclass(frozen=True)
class Catalogue:
    principles: tuple[Principle, ...]
    chain_intro: str
    chain: tuple[ChainStep, ...]

    def get(self, key: str) -> Principle:
        for principle in self.principles:
            if principle.key == key:
                return principle
        raise KeyError(key)

    def name_of(self, key: str | None) -> str:
        """The principle's name, or a plain label for reflections with no principle."""
        if not key:
            return "No principle named"
        try:
            return self.get(key).name
        except KeyError:
            return key

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(p.key for p in self.principles)


def parse_catalogue(data: dict) -> Catalogue:
    """Build and check a catalogue: numbered 1..n in order, unique keys, behaviours present."""
    try:
        principles = tuple(
            Principle(
                key=str(p["key"]),
                number=int(p["number"]),
                name=str(p["name"]),
                summary=str(p["summary"]),
                behaviours=tuple(str(b) for b in p["behaviours"]),
            )
            for p in data["principle"]
        )
        chain = tuple(
            ChainStep(str(c["key"]), str(c["name"]), str(c["description"])) for c in data["chain"]["steps"]
        )
        intro = str(data["chain"]["intro"])
    except (KeyError, TypeError, ValueError) as exc:
        raise PrinciplesError(f"principles data is missing a field: {exc}") from exc
    if [p.number for p in principles] != list(range(1, len(principles) + 1)):
        raise PrinciplesError("principles must be numbered 1, 2, 3 … in order")
    if len({p.key for p in principles}) != len(principles):
        raise PrinciplesError("principle keys must be unique")
    if any(not p.behaviours or not p.name.strip() for p in principles):
        raise PrinciplesError("every principle needs a name and at least one behaviour")
    if tuple(c.key for c in chain) != CHAIN_KEYS:
        raise PrinciplesError("the chain must be initiative → reception → response")
    return Catalogue(principles, intro, chain)


@cache
def catalogue(path: Path = PRINCIPLES_FILE) -> Catalogue:
    """The app's principles, read once per process."""
    with open(path, "rb") as f:
        return parse_catalogue(tomllib.load(f))
