"""What encoding/json makes of a Python-held Go value: the one place that knows the Go-to-JSON mapping.

Objects that are not plain data (Go structs such as `.Release`) take part by offering `to_go_json()`,
which returns the JSON-able value `json.Marshal` would see (their exported fields under their json names).
"""

from __future__ import annotations

import base64
import codecs
from typing import Any, Protocol, runtime_checkable

from wavecd.goyaml.errors import GoJsonError


@runtime_checkable
class GoJsonMarshaler(Protocol):
    """A Go value with its own JSON form (a struct, or a type with MarshalJSON).

    A struct returns `GoStructFields` so its fields keep their declaration order in JSON.
    """

    def to_go_json(self) -> Any: ...


class GoStructFields(dict):
    """A struct's exported fields under their JSON names, in declaration order (json.Marshal keeps it).

    After the JSON round trip of toYaml they are an ordinary map again (go-yaml sorts them).
    """

    __slots__ = ()


def go_json_value(value: Any) -> Any:
    """Unwrap one value: structs through `to_go_json`, bytes to base64; everything else as is."""
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, GoJsonMarshaler):
        return value.to_go_json()
    raise GoJsonError(f"json: unsupported type: {type(value).__name__}")


def unsupported_float(f: float) -> GoJsonError:
    """json.Marshal's refusal of NaN and infinities."""
    text = "NaN" if f != f else ("+Inf" if f > 0 else "-Inf")
    return GoJsonError(f"json: unsupported value: {text}")


def go_string(b: bytes) -> str:
    """Bytes read as a Go string reaches JSON: each byte of an invalid sequence becomes U+FFFD."""
    try:
        return b.decode("utf-8")
    except UnicodeDecodeError:
        return b.decode("utf-8", "wavecd-go-replace")


def _replace_each_byte(err: UnicodeError) -> tuple[str, int]:
    assert isinstance(err, UnicodeDecodeError)  # registered for decoding only
    return "\ufffd" * (err.end - err.start), err.end


codecs.register_error("wavecd-go-replace", _replace_each_byte)


def valid_utf8(s: str) -> str:
    """Strings reach JSON as UTF-8; what cannot be encoded (lone surrogates) becomes U+FFFD as in Go."""
    if s.isascii():
        return s
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:
        return "".join("\ufffd" if 0xD800 <= ord(c) <= 0xDFFF else c for c in s)
    return s


def json_kind(value: Any) -> str:
    """The JSON kind encoding/json names in `cannot unmarshal <kind> into Go …` errors."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"
