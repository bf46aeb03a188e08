"""Anchors in a pattern's keys (Kyverno `pkg/engine/anchor`): `(k)` conditional, `<(k)` global, `=(k)` equality,
`X(k)` negation, `^(k)` existence and `+(k)` add-if-not-present (mutate only)."""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "CONDITION",
    "EQUALITY",
    "EXISTENCE",
    "GLOBAL",
    "NEGATION",
    "Anchor",
    "parse_anchor",
]

CONDITION = ""
GLOBAL = "<"
NEGATION = "X"
EQUALITY = "="
EXISTENCE = "^"

_ANCHOR = re.compile(r"^([+<=X^])?\((.+)\)$", re.DOTALL)


@dataclass(frozen=True)
class Anchor:
    """An anchored key: its modifier (`""` for the conditional anchor) and the resource key it names."""

    modifier: str
    key: str

    def text(self) -> str:
        """The key as written in a pattern, e.g. `=(name)`."""
        return f"{self.modifier}({self.key})"


def parse_anchor(key: str) -> Anchor | None:
    """The anchor a pattern key holds, or None for a plain key."""
    match = _ANCHOR.match(key.strip())
    if match is None:
        return None
    return Anchor(match[1] or "", match[2])


def is_anchor(key: str, *modifiers: str) -> bool:
    """Whether `key` is an anchor with one of `modifiers`."""
    anchor = parse_anchor(key)
    return anchor is not None and anchor.modifier in modifiers
