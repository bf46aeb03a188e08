"""Reading a webhook's JSON body as Argo CD's Go structs read it, without trusting its shape.

Go's `json.Unmarshal` into the providers' payload structs fails when a field has the wrong type and
leaves a missing or `null` field at its zero value; these helpers do the same for the fields the
receiver reads, so a malformed payload is refused rather than raising deep inside extraction.
"""

from __future__ import annotations

import json
from typing import Any, NoReturn

__all__ = ["MalformedPayload", "array", "decode", "obj", "string", "strings"]


class MalformedPayload(ValueError):
    """The body is not JSON, or a field the receiver reads has the wrong type."""


def _reject_constant(name: str) -> NoReturn:
    raise MalformedPayload(f"invalid JSON value {name}")


def decode(body: bytes) -> dict[str, Any]:
    """The body as a JSON object; Go's decoder refuses NaN/Infinity and anything but an object here."""
    try:
        data = json.loads(body, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as err:  # UnicodeDecodeError is a ValueError
        raise MalformedPayload(f"invalid JSON: {err}") from None
    if not isinstance(data, dict):
        raise MalformedPayload("the payload is not a JSON object")
    return data


def _typed(data: dict[str, Any], key: str, kind: type, kind_name: str) -> Any:
    value = data.get(key)
    if value is not None and not isinstance(value, kind):
        raise MalformedPayload(f"{key} is not {kind_name}")
    return value


def obj(data: dict[str, Any], key: str) -> dict[str, Any]:
    """An object field; {} when missing or null."""
    value: dict[str, Any] | None = _typed(data, key, dict, "an object")
    return value or {}


def array(data: dict[str, Any], key: str) -> list[Any]:
    """An array field; [] when missing or null."""
    value: list[Any] | None = _typed(data, key, list, "an array")
    return value or []


def string(data: dict[str, Any], key: str) -> str:
    """A string field; "" when missing or null."""
    value: str | None = _typed(data, key, str, "a string")
    return value or ""


def strings(data: dict[str, Any], key: str) -> list[str]:
    """An array of strings (a commit's `added`, say); a null item is "" as in Go."""
    items = array(data, key)
    if not all(item is None or isinstance(item, str) for item in items):
        raise MalformedPayload(f"{key} is not an array of strings")
    return [item or "" for item in items]
