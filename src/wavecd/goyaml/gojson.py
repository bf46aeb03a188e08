"""encoding/json as Helm and Sprig use it: `toJson`, `toPrettyJson`, `toRawJson`, `fromJson`.

`marshal` reproduces json.Marshal / MarshalIndent byte for byte (sorted keys, HTML-safe escapes, Go's float
texts); `unmarshal` decodes like json.Unmarshal into interface{} (every number a float64) and fails with
Go's messages.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from wavecd.core.gonil import GoNil
from wavecd.goyaml.errors import GoJsonError
from wavecd.goyaml.gonum import format_json_float
from wavecd.goyaml.jsonsyntax import syntax_error
from wavecd.goyaml.jsonvalue import GoStructFields, go_json_value, unsupported_float, valid_utf8

# Lone surrogates stand for the bytes of invalid UTF-8 (surrogateescape): Go writes each as `\ufffd`.
_HTML_ESCAPE = re.compile('[\\x00-\\x1f"\\\\<>&\u2028\u2029\ud800-\udfff]')
_PLAIN_ESCAPE = re.compile('[\\x00-\\x1f"\\\\\u2028\u2029\ud800-\udfff]')
_SHORT = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}


def _escape(m: re.Match) -> str:
    c = m.group()
    s = _SHORT.get(c)
    if s is not None:
        return s
    if "\ud800" <= c <= "\udfff":
        return "\\ufffd"
    return f"\\u{ord(c):04x}"


def quote(s: str, escape_html: bool = True) -> str:
    """A JSON string literal exactly as encoding/json writes it."""
    pattern = _HTML_ESCAPE if escape_html else _PLAIN_ESCAPE
    if pattern.search(s) is None:
        return '"' + s + '"'
    return '"' + pattern.sub(_escape, s) + '"'


_QUOTED: dict[str, str] = {}
_QUOTED_KEY: dict[str, str] = {}


def _quoted(s: str) -> str:
    """quote() with HTML escaping, cached for the short strings that repeat across documents."""
    q = _QUOTED.get(s)
    if q is None:
        q = quote(s)
        if len(s) <= 64:
            if len(_QUOTED) > 50000:
                _QUOTED.clear()
            _QUOTED[s] = q
    return q


def _quoted_key(k: str) -> str:
    q = _QUOTED_KEY.get(k)
    if q is None:
        q = quote(k) + ":"
        if len(_QUOTED_KEY) > 50000:
            _QUOTED_KEY.clear()
        _QUOTED_KEY[k] = q
    return q


def _encode_fast(value: Any, out: list[str]) -> None:
    """json.Marshal with HTML escaping for plain data; anything unusual goes through `_encode`."""
    t = type(value)
    if t is str:
        out.append(_quoted(value))
    elif t is dict:
        if not value:
            out.append("{}")
            return
        try:
            keys = sorted(value)
        except TypeError:
            _encode(value, out, True)
            return
        if type(keys[0]) is not str:
            _encode(value, out, True)
            return
        sep = "{"
        for k in keys:
            out.append(sep)
            out.append(_quoted_key(k))
            _encode_fast(value[k], out)
            sep = ","
        out.append("}")
    elif t is list:
        if not value:
            out.append("[]")
            return
        sep = "["
        for v in value:
            out.append(sep)
            _encode_fast(v, out)
            sep = ","
        out.append("]")
    elif t is float:
        if value.is_integer() and -1e15 < value < 1e15 and (value or math.copysign(1.0, value) > 0):
            out.append(str(int(value)))
        else:
            _encode(value, out, True)
    elif t is bool:
        out.append("true" if value else "false")
    elif value is None or isinstance(value, GoNil):
        out.append("null")
    elif isinstance(value, dict) and not isinstance(value, GoStructFields):
        _encode_fast(dict(value), out)  # a named map type (.Values) marshals as its plain map
    else:
        _encode(value, out, True)


def _encode(value: Any, out: list[str], html: bool) -> None:
    """The general encoder: any escaping mode, subclasses, structs, bytes, NaN refusal."""
    t = type(value)
    if isinstance(value, str):
        out.append(quote(str(value), html))
    elif value is None:
        out.append("null")
    elif isinstance(value, bool):
        out.append("true" if value else "false")
    elif t is float or isinstance(value, float):
        value = float(value)
        if value != value or value in (float("inf"), float("-inf")):
            raise unsupported_float(value)
        out.append(format_json_float(value))
    elif isinstance(value, int):
        out.append(str(int(value)))
    elif isinstance(value, dict):
        if not value:
            out.append("null" if isinstance(value, GoNil) else "{}")
            return
        if isinstance(value, GoStructFields):
            items = list(value.items())
        else:
            items = sorted((k if isinstance(k, str) else str(k), v) for k, v in value.items())
        sep = "{"
        for k, v in items:
            out.append(sep)
            out.append(quote(str(k), html))
            out.append(":")
            _encode(v, out, html)
            sep = ","
        out.append("}")
    elif isinstance(value, list | tuple):
        if not value:
            out.append("null" if isinstance(value, GoNil) else "[]")
            return
        sep = "["
        for v in value:
            out.append(sep)
            _encode(v, out, html)
            sep = ","
        out.append("]")
    else:
        _encode(go_json_value(value), out, html)


def marshal(value: Any, *, escape_html: bool = True, indent: str | None = None, prefix: str = "") -> str:
    """json.Marshal (indent None) or json.MarshalIndent(value, prefix, indent); raises GoJsonError."""
    out: list[str] = []
    try:
        if escape_html:
            _encode_fast(value, out)
        else:
            _encode(value, out, escape_html)
    except RecursionError:
        raise GoJsonError("wavecd: value nested too deeply to write") from None
    text = "".join(out)
    if indent is None:
        return text
    return _indent(text, prefix, indent)


def _indent(compact: str, prefix: str, indent: str) -> str:
    """json.Indent over a compact text: `{}`/`[]` stay closed, `"k": v`, one element per line."""
    out: list[str] = []
    depth = 0
    need_indent = False
    in_string = False
    escaped = False
    for c in compact:
        if in_string:
            out.append(c)
            if escaped:
                escaped = False
            elif c == "\\":
                escaped = True
            elif c == '"':
                in_string = False
            continue
        if need_indent and c not in "]}":
            need_indent = False
            depth += 1
            out.append("\n" + prefix + indent * depth)
        if c == '"':
            in_string = True
            out.append(c)
        elif c in "{[":
            need_indent = True
            out.append(c)
        elif c == ",":
            out.append(",\n" + prefix + indent * depth)
        elif c == ":":
            out.append(": ")
        elif c in "}]":
            if need_indent:
                need_indent = False
            else:
                depth -= 1
                out.append("\n" + prefix + indent * depth)
            out.append(c)
        else:
            out.append(c)
    return "".join(out)


# --- decoding --------------------------------------------------------------------------------------


def _no_constant(name: str) -> Any:
    raise ValueError(name)


_KIND_NAMES = {dict: "object", list: "array", str: "string", float: "number", bool: "bool"}
_TARGETS = {"map": (dict, "map[string]interface {}"), "list": (list, "[]interface {}")}


def unmarshal(text: str | bytes, *, expect: str | None = None) -> Any:
    """json.Unmarshal: objects → dict, arrays → list, numbers → float; raises GoJsonError with Go's text.

    expect: None (into interface{}: "null" gives None), "map" or "list" (into map[string]interface{} or
    []interface{}: a document of another kind fails as in Go). When a number overflows float64, Go keeps
    decoding and returns the error with the rest of the value: that value is on the error as `partial`.
    """
    if isinstance(text, bytes | bytearray):
        text = text.decode("utf-8", "replace")
    try:
        value = json.loads(text, parse_int=float, parse_constant=_no_constant)
    except (ValueError, RecursionError):
        raise GoJsonError(syntax_error(text)) from None
    if expect is not None:
        want, go_type = _TARGETS[expect]
        if value is not None and type(value) is not want:
            raise GoJsonError(f"json: cannot unmarshal {_KIND_NAMES[type(value)]} into Go value of type {go_type}")
    if "\\ud" in text or "\\uD" in text:
        value = _without_surrogates(value)
    if ("e" in text or "E" in text or len(text) > 300) and _has_overflow(value):
        err = GoJsonError(f"json: cannot unmarshal number {_first_huge(text)} into Go value of type float64")
        err.partial = _without_overflow(value)
        raise err
    return value


def _without_surrogates(v: Any) -> Any:
    """Go decodes an unpaired \\uD800-\\uDFFF escape as U+FFFD; Python keeps the lone surrogate."""
    t = type(v)
    if t is str:
        return valid_utf8(v)
    if t is dict:
        return {valid_utf8(k): _without_surrogates(x) for k, x in v.items()}
    if t is list:
        return [_without_surrogates(x) for x in v]
    return v


def _is_inf(v: Any) -> bool:
    return type(v) is float and v in (float("inf"), float("-inf"))


def _has_overflow(value: Any) -> bool:
    stack = [value]
    while stack:
        v = stack.pop()
        if _is_inf(v):
            return True
        if type(v) is dict:
            stack.extend(v.values())
        elif type(v) is list:
            stack.extend(v)
    return False


def _without_overflow(v: Any) -> Any:
    if _is_inf(v):
        return None
    if type(v) is dict:
        return {k: _without_overflow(x) for k, x in v.items()}
    if type(v) is list:
        return [_without_overflow(x) for x in v]
    return v


_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")


def _first_huge(text: str) -> str:
    for m in _NUMBER.finditer(text):
        if _is_inf(float(m.group())):
            return m.group()
    return ""
