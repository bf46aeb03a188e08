"""JSON-shaped documents (dicts, lists, scalars): a fast deep copy, and RFC 7386 merge patch.

One home for both because the simulated API server (merge patches, stored objects) and the repo-server's
`.argocd-source.yaml` overrides apply the same patch to the same kind of data.
"""

from __future__ import annotations

from typing import Any

__all__ = ["clone", "merge_patch"]


def clone(value: Any) -> Any:
    """A deep copy of JSON-shaped data: several times faster than `copy.deepcopy`, which handles any object."""
    if type(value) is dict:
        return {k: clone(v) for k, v in value.items()}
    if type(value) is list:
        return [clone(v) for v in value]
    return value


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386: a mapping merges key by key (null deletes); anything else replaces the target."""
    if not isinstance(patch, dict):
        return clone(patch)
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result
