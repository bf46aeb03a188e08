"""Parameter sets: flattening for selectors and fasttemplate, and the merges matrix and merge generators do."""

from __future__ import annotations

import copy
from typing import Any

from wavecd.apps.appset.errors import AppSetError
from wavecd.gotemplate.gofmt import format_value
from wavecd.sprig.goval import is_empty


def flatten(params: dict[str, Any]) -> dict[str, str]:
    """jeremywohl/flatten in dot style, values printed with `%v`: what label selectors are matched against.

    Nested maps and lists become `a.b` / `a.0` keys; empty maps and lists vanish.
    """
    flat: dict[str, str] = {}

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), item)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                walk(f"{prefix}.{index}" if prefix else str(index), item)
        else:
            flat[prefix] = format_value(value)

    walk("", params)
    return flat


def combine_string_maps(first: dict[str, Any], second: dict[str, Any]) -> dict[str, Any]:
    """The fasttemplate matrix merge: both sides stringified; a key present in both must agree."""
    combined = {key: format_value(value) for key, value in first.items()}
    for key, value in second.items():
        text = format_value(value)
        if key in combined and combined[key] != text:
            raise AppSetError(f"found duplicate key {key} with different value, a: {combined[key]} ,b: {text}")
        combined[key] = text
    return combined


def merge_override(destination: dict[str, Any], source: dict[str, Any]) -> dict[str, Any]:
    """mergo.Merge(dst, src, WithOverride) on maps: non-empty source values win, nested maps merge."""
    result = copy.deepcopy(destination)
    for key, value in source.items():
        current = result.get(key)
        if isinstance(current, dict) and isinstance(value, dict):
            result[key] = merge_override(current, value)
        elif not is_empty(value) or key not in result:
            result[key] = copy.deepcopy(value)
    return result


def merge_missing(destination: dict[str, Any], source: dict[str, Any]) -> dict[str, Any]:
    """mergo.Merge(dst, src) without override: source fills only what destination leaves empty."""
    result = copy.deepcopy(destination)
    for key, value in source.items():
        current = result.get(key)
        if isinstance(current, dict) and isinstance(value, dict):
            result[key] = merge_missing(current, value)
        elif is_empty(current):
            result[key] = copy.deepcopy(value)
    return result
