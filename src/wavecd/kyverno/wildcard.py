"""Kyverno's wildcards (`ext/wildcard`, IGLOU-EU/go-wildcard v1): `*` is any run of characters, `?` exactly one;
nothing else is special, and the whole text must match.

Matched by the greedy scan with one backtrack point (the last `*` seen), which takes at most
len(pattern) × len(text) steps: a policy and the objects it judges come from the repository, and the regex
`.*a.*a…b` a pattern like `*a*a*a*a*b` would translate to backtracks exponentially on a long name of `a`s.
"""

from __future__ import annotations

__all__ = ["contains_wildcard", "wildcard_match"]


def wildcard_match(pattern: str, text: str) -> bool:
    """Whether `text` matches `pattern`; `*` alone matches everything, an empty pattern only the empty text."""
    if pattern == "*":
        return True
    if "*" not in pattern and "?" not in pattern:
        return pattern == text
    p = t = 0
    star, resume = -1, 0  # the last `*` seen, and where in `text` its run ends for now
    while t < len(text):
        if p < len(pattern) and (pattern[p] == "?" or (pattern[p] != "*" and pattern[p] == text[t])):
            p += 1
            t += 1
        elif p < len(pattern) and pattern[p] == "*":
            star, resume = p, t
            p += 1
        elif star >= 0:  # let the last `*` take one more character and try again after it
            resume += 1
            p, t = star + 1, resume
        else:
            return False
    return all(ch == "*" for ch in pattern[p:])


def contains_wildcard(text: str) -> bool:
    """Whether `text` holds `*` or `?`, so that Kyverno treats it as a pattern rather than a literal."""
    return "*" in text or "?" in text
