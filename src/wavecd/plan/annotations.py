"""Reading Argo CD's annotations the way gitops-engine does.

Kubernetes annotations are `map[string]string`; gitops-engine reads them through
`GetAnnotationCSVs` (split on commas, trim, drop empties, de-duplicate, keep order) and parses
numbers with Go's `strconv.Atoi` (`core/goatoi.py`; the sync-wave itself is read by `common.sync_wave`).
"""

from __future__ import annotations

from typing import Any

from wavecd.core import Location
from wavecd.plan.errors import PlanError

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


def describe(obj: dict[str, Any]) -> str:
    """`Kind namespace/name` for messages, robust to half-formed objects."""
    found = obj.get("metadata")
    metadata = found if isinstance(found, dict) else {}
    name = metadata.get("name") or metadata.get("generateName") or "?"
    namespace = metadata.get("namespace")
    return f"{obj.get('kind') or '?'} {namespace + '/' if namespace else ''}{name}"
