"""Reading Argo CD's annotations the way gitops-engine does.

Kubernetes annotations are `map[string]string`; gitops-engine reads them through
`GetAnnotationCSVs` (split on commas, trim, drop empties, de-duplicate, keep order) and parses
numbers with Go's `strconv.Atoi`. Both are reproduced here once so every rule shares them.
"""

from __future__ import annotations

import re
from typing import Any

from wavecd.common import HELM_HOOK_WEIGHT, SYNC_WAVE
from wavecd.core import Location
from wavecd.plan.errors import PlanError

_ATOI = re.compile(r"[+-]?[0-9]+\Z")
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1
_EMPTY: dict[str, str] = {}


def annotations_of(obj: dict[str, Any], where: Location | None = None) -> dict[str, str]:
    """The object's annotations; a non-string value is refused, as the API server would refuse it."""
    metadata = obj.get("metadata")
    if not isinstance(metadata, dict):
        return _EMPTY
    found = metadata.get("annotations")
    if not found:
        return _EMPTY
    if not isinstance(found, dict):
        raise PlanError(f"metadata.annotations of {describe(obj)} must be a mapping", location=where)
    for key, value in found.items():
        if not isinstance(value, str):
            raise PlanError(
                f"metadata.annotations[{key!r}] of {describe(obj)} must be a string, not {type(value).__name__}",
                location=where,
            )
    return found


def csv_values(annotations: dict[str, str], key: str) -> tuple[str, ...]:
    """gitops-engine's `GetAnnotationCSVs`: trimmed, non-empty, first occurrence of each value."""
    text = annotations.get(key)
    if not text:
        return ()
    seen: dict[str, None] = {}
    for item in text.split(","):
        value = item.strip()
        if value:
            seen.setdefault(value, None)
    return tuple(seen)


def go_atoi(text: str | None) -> int | None:
    """Go's `strconv.Atoi` on a 64-bit platform: the int, or None where Go returns an error."""
    if text is None or not _ATOI.match(text):
        return None
    value = int(text)
    return value if _INT64_MIN <= value <= _INT64_MAX else None


def sync_wave(annotations: dict[str, str]) -> int:
    """gitops-engine's `syncwaves.Wave`: the sync-wave if Atoi accepts it, else the Helm hook weight, else 0.

    The hook weight counts even on objects that are not hooks: `Wave` never asks.
    """
    value = go_atoi(annotations.get(SYNC_WAVE))
    if value is None:
        value = go_atoi(annotations.get(HELM_HOOK_WEIGHT))
    return 0 if value is None else value


def describe(obj: dict[str, Any]) -> str:
    """`Kind namespace/name` for messages, robust to half-formed objects."""
    found = obj.get("metadata")
    metadata = found if isinstance(found, dict) else {}
    name = metadata.get("name") or metadata.get("generateName") or "?"
    namespace = metadata.get("namespace")
    return f"{obj.get('kind') or '?'} {namespace + '/' if namespace else ''}{name}"
