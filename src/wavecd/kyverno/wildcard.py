"""Kyverno's wildcards (`ext/wildcard`, IGLOU-EU/go-wildcard v1): `*` is any run of characters, `?` exactly one;
nothing else is special, and the whole text must match."""

from __future__ import annotations

import functools
import re

__all__ = ["contains_wildcard", "wildcard_match"]


@functools.lru_cache(maxsize=4096)
def _compiled(pattern: str) -> re.Pattern[str]:
    parts = ("." if ch == "?" else ".*" if ch == "*" else re.escape(ch) for ch in pattern)
    return re.compile("".join(parts), re.DOTALL)


def wildcard_match(pattern: str, text: str) -> bool:
    """Whether `text` matches `pattern`; `*` alone matches everything, an empty pattern only the empty text."""
    if pattern == "*":
        return True
    if "*" not in pattern and "?" not in pattern:
        return pattern == text
    return _compiled(pattern).fullmatch(text) is not None


def contains_wildcard(text: str) -> bool:
    """Whether `text` holds `*` or `?`, so that Kyverno treats it as a pattern rather than a literal."""
    return "*" in text or "?" in text
