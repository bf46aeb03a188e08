"""Sprig's JSON functions over wavecd.goyaml.gojson (Go's encoding/json).

The plain variants swallow errors (`toJson` gives "", `fromJson` gives nil) except `toRawJson`, which
panics in Sprig; the `must` variants fail with encoding/json's message.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from wavecd.gotemplate.funcs import GoFunc, GoFuncError
from wavecd.goyaml.errors import GoJsonError
from wavecd.goyaml.gojson import marshal, unmarshal


def must_from_json(text: str) -> Any:
    try:
        return unmarshal(text)
    except GoJsonError as err:
        raise GoFuncError(err.message) from None


def from_json(text: str) -> Any:
    try:
        return unmarshal(text)
    except GoJsonError:
        return None


def _must_marshal(escape_html: bool, indent: str | None) -> Callable[[Any], str]:
    def run(value: Any) -> str:
        try:
            return marshal(value, escape_html=escape_html, indent=indent)
        except GoJsonError as err:
            raise GoFuncError(err.message) from None

    return run


def _lenient(fn: Callable[[Any], str]) -> Callable[[Any], str]:
    def run(value: Any) -> str:
        try:
            return fn(value)
        except GoFuncError:
            return ""

    return run


_to_json = _must_marshal(True, None)
_to_pretty_json = _must_marshal(True, "  ")
_to_raw_json = _must_marshal(False, None)

FUNCS = [
    GoFunc("fromJson", from_json, ("string",)),
    GoFunc("mustFromJson", must_from_json, ("string",)),
    GoFunc("toJson", _lenient(_to_json), ("interface {}",)),
    GoFunc("mustToJson", _to_json, ("interface {}",)),
    GoFunc("toPrettyJson", _lenient(_to_pretty_json), ("interface {}",)),
    GoFunc("mustToPrettyJson", _to_pretty_json, ("interface {}",)),
    GoFunc("toRawJson", _to_raw_json, ("interface {}",)),
    GoFunc("mustToRawJson", _to_raw_json, ("interface {}",)),
]
