"""Go's `strconv.ParseBool`: how Argo CD reads a yes/no written as text (`argocd.argoproj.io/skip-reconcile`).
Exactly twelve spellings mean something; anything else is Go's error, which each caller answers its own way
(Argo CD ignores such an annotation)."""

from __future__ import annotations

__all__ = ["go_parse_bool"]

_TRUE = frozenset({"1", "t", "T", "TRUE", "true", "True"})
_FALSE = frozenset({"0", "f", "F", "FALSE", "false", "False"})


def go_parse_bool(text: object) -> bool | None:
    """The bool, or None where Go returns an error (and for a value that is not text at all)."""
    if not isinstance(text, str):
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return None
