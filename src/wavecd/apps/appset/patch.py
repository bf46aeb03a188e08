"""Strategic merge patch as it applies to Application objects, whose types declare no list merge keys."""

from __future__ import annotations

import copy
from typing import Any


def strategic_merge(original: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """Maps merge recursively, `null` deletes a key, lists and scalars are replaced."""
    merged = copy.deepcopy(original)
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = strategic_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged
