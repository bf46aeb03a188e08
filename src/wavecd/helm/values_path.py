"""Dotted-path lookups on values (`Values.Table`, `Values.PathValue`), used by conditions and imports."""

from __future__ import annotations

from typing import Any


class NoValue(LookupError):
    """The path does not lead to a table (Table) or to a non-table value (PathValue)."""


def table(values: dict[str, Any], name: str) -> dict[str, Any]:
    """The map at dotted path `name`; raises NoValue if a step is missing or not a map."""
    current: Any = values
    for part in name.split("."):
        nxt = current.get(part, _MISSING)
        if not isinstance(nxt, dict):
            raise NoValue(part)
        current = nxt
    return current


_MISSING = object()


def path_value(values: dict[str, Any], path: str) -> Any:
    """The non-table value at dotted path `path`; raises NoValue otherwise."""
    if path == "":
        raise NoValue("YAML path cannot be empty")
    parts = path.split(".")
    key = parts[-1]
    parent = values if len(parts) == 1 else table(values, ".".join(parts[:-1]))
    if key in parent and not isinstance(parent[key], dict):
        return parent[key]
    raise NoValue(key)
