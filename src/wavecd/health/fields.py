"""Typed reads from an unstructured object, failing the way Go's unstructured→typed conversion fails.

gitops-engine converts an object to its typed struct before judging it; a field of the wrong type makes that
conversion fail and the object's health `Unknown` with the conversion error. `ConversionError` carries that.
"""

from __future__ import annotations

from typing import Any, overload


class ConversionError(Exception):
    """A field's value cannot be read as the type the typed API struct declares."""


def mapping(value: Any) -> dict[str, Any]:
    """`value` when it is an object, else an empty one: a missing or malformed field reads as Go's zero."""
    return value if isinstance(value, dict) else {}


def get(obj: Any, *path: str) -> Any:
    """The value at `path`, or None when any step is missing or not a mapping."""
    for key in path:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(key)
    return obj


@overload
def integer(obj: Any, *path: str, default: int = 0) -> int: ...


@overload
def integer(obj: Any, *path: str, default: None) -> int | None: ...


def integer(obj: Any, *path: str, default: int | None = 0) -> int | None:
    """An integer field; floats with integral values are accepted (JSON numbers), anything else fails."""
    value = get(obj, *path)
    if value is None:
        return default
    if isinstance(value, bool):
        raise ConversionError(f"{'.'.join(path)}: expected integer, got bool")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    raise ConversionError(f"{'.'.join(path)}: expected integer, got {type(value).__name__}")


def string(obj: Any, *path: str) -> str:
    """A string field; missing is ''."""
    value = get(obj, *path)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ConversionError(f"{'.'.join(path)}: expected string, got {type(value).__name__}")
    return value


def items(obj: Any, *path: str) -> list[dict[str, Any]]:
    """A list of objects (conditions, container statuses); missing is []."""
    value = get(obj, *path)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise ConversionError(f"{'.'.join(path)}: expected a list of objects")
    return value


def condition(obj: Any, kind: str, *path: str) -> dict[str, Any] | None:
    """The first condition of type `kind` under `path` (default `status.conditions`)."""
    for cond in items(obj, *(path or ("status", "conditions"))):
        if cond.get("type") == kind:
            return cond
    return None
