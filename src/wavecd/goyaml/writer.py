"""`sigs.k8s.io/yaml.Marshal` byte for byte: Helm's `toYaml`.

Marshal is `json.Marshal` followed by go-yaml v2 reading that JSON back and writing it as YAML. The JSON
step is not run literally; its effects are applied while normalising: numbers become go-yaml's view of
their JSON text (integral values within uint64 print as integers, the rest as 'g' floats), bytes become
base64, structs give their JSON form, and keys take go-yaml's sort order.
"""

from __future__ import annotations

import re
from typing import Any

from wavecd.core.gonil import GoNil
from wavecd.goyaml.emitter import PLAIN, Emitter, Plain, select_block_style
from wavecd.goyaml.errors import GoJsonError, GoYamlError
from wavecd.goyaml.fastpath import FastWriter, Unusual
from wavecd.goyaml.gojson import marshal
from wavecd.goyaml.gonum import INT64_MIN, UINT64_MAX, format_g, format_json_float, parse_int, parse_uint
from wavecd.goyaml.jsonvalue import go_json_value, unsupported_float, valid_utf8
from wavecd.goyaml.keysort import sorted_keys
from wavecd.goyaml.pretty import to_yaml_pretty
from wavecd.goyaml.resolve import plain_reads_as_string
from wavecd.goyaml.scalar import analyze

_NULL = Plain("null")
_TRUE = Plain("true")
_FALSE = Plain("false")
# strings plain for sure in block context: no spaces, no indicators, printable ASCII, not ending in ':'
_SAFE_PLAIN = re.compile(r"[A-Za-z0-9_/(=$^;<][A-Za-z0-9_./()=+$^;<>~:@,-]*(?<!:)\Z")


# characters that do not survive go-yaml reading the JSON text: a few are refused, NEL is a line break
_REREAD_ISSUE = re.compile("[\x7f-\x9f\ufffe\uffff\ud800-\udfff]")
_REFUSED = re.compile("[\x7f-\x84\x86-\x9f\ufffe\uffff]")
_NEL_RUN = re.compile(" *\x85[ \x85]*")
# after a NEL, "---"/"..." at the start of the new line ends the document, even inside quotes
_DOC_INDICATOR = re.compile("\x85(?:---|\\.\\.\\.)[ \x85]")
# a JSON key spanning lines cannot be a flow mapping key
_MULTILINE_KEY = re.compile('"(?:[^"\\\\]|\\\\.)*\x85(?:[^"\\\\]|\\\\.)*":')


class _Unreadable(Exception):
    """go-yaml cannot read the JSON text back; `reread_error` says how."""


def _reread(s: str) -> str:
    """A string as go-yaml reads it back from the JSON text (a raw NEL folds like a line break)."""
    if _REREAD_ISSUE.search(s) is None:
        return s
    s = valid_utf8(s)
    if _REFUSED.search(s) or ("\x85" in s and _DOC_INDICATOR.search(s)):
        raise _Unreadable
    return _NEL_RUN.sub(_fold_nel, s)


def _fold_nel(m: re.Match) -> str:
    n = m.group().count("\x85")
    return " " if n == 1 else "\n" * (n - 1)


def reread_error(value: Any) -> GoYamlError:
    """The error go-yaml reports reading the JSON text of `value` back (first problem in text order)."""
    try:
        text = marshal(value)
    except GoJsonError as e:
        return GoYamlError(f"error marshaling into JSON: {e.message}")
    if _REFUSED.search(text):
        return GoYamlError("yaml: control characters are not allowed")
    key = _MULTILINE_KEY.search(text)
    doc = _DOC_INDICATOR.search(text)
    if doc is not None and (key is None or doc.start() < key.end()):
        line = text.count("\x85", 0, doc.start() + 1) + 1
        return GoYamlError(f"yaml: line {line}: found unexpected document indicator", line=line)
    line = text.count("\x85", 0, key.end() if key else len(text))
    return GoYamlError(f"yaml: line {line}: did not find expected ',' or '}}'", line=line)


def _int_text(v: int) -> Plain:
    if INT64_MIN <= v <= UINT64_MAX:
        return Plain(v)
    return Plain(format_g(float(v)))


def _float_text(f: float) -> Plain:
    if f != f or f in (float("inf"), float("-inf")):
        raise unsupported_float(f)
    if f.is_integer() and -1e21 < f < 1e21:
        # JSON writes the shortest digits padded with zeros; go-yaml takes that text as an int if it can
        text = format_json_float(f)
        v = parse_int(text)
        if v is None:
            v = parse_uint(text)
        if v is not None:
            return Plain(v)
    return Plain(format_g(f))


def normalise(value: Any) -> Any:
    """The value as go-yaml sees it after the JSON round trip, with map keys in go-yaml's order."""
    t = type(value)
    if t is str:
        return _reread(value)
    if t is dict:
        if not value:
            return {}
        src = value if all(type(k) is str for k in value) else {str(k): v for k, v in value.items()}
        out = {}
        for k in sorted_keys(list(src)):
            rk = _reread(k)
            if "\x85" in k:
                raise _Unreadable
            out[rk] = normalise(src[k])
        return out
    if t is list or t is tuple:
        return [normalise(v) for v in value]
    if value is None:
        return _NULL
    if t is bool:
        return _TRUE if value else _FALSE
    if t is float:
        return _float_text(value)
    if isinstance(value, bool):
        return _TRUE if value else _FALSE
    if isinstance(value, int):
        return _int_text(int(value))
    if isinstance(value, float):
        return _float_text(float(value))
    if isinstance(value, str):
        return _reread(str(value))
    if isinstance(value, GoNil):
        return _NULL
    if isinstance(value, dict):
        return normalise(dict(value))
    if isinstance(value, list | tuple):
        return [normalise(v) for v in value]
    return normalise(go_json_value(value))


def style_v2(value: str, simple_key: bool) -> int:
    """go-yaml v2's choice (`stringv` then `yaml_emitter_select_scalar_style`) for a string in block context."""
    if _SAFE_PLAIN.match(value) and plain_reads_as_string(value):
        return PLAIN
    info = analyze(value)
    return select_block_style(value, info, plain_reads_as_string(value), simple_key)


TOO_DEEP = "wavecd: value nested too deeply to write"
__all__ = ["reread_error", "to_yaml", "to_yaml_pretty"]
_STYLE_CACHE: dict[str, int] = {}
_KEY_CACHE: dict[str, str] = {}
_SORT_CACHE: dict[tuple, list[tuple[str, Any]]] = {}


def _fast_str(s: str) -> str:
    if s.isascii() and "\x7f" not in s:
        return s
    try:
        return _reread(s)
    except _Unreadable:
        raise Unusual from None


def _fast_key(k: str) -> str:
    if k.isascii() and "\x7f" not in k:
        return k
    if "\x85" in k:
        raise Unusual
    return _fast_str(k)


def _fast_scalar(v: Any) -> str:
    t = type(v)
    if t is float:
        if v.is_integer() and -1e15 < v < 1e15:
            return str(int(v))
        return _float_text(v)
    if t is bool:
        return "true" if v else "false"
    if v is None:
        return "null"
    if isinstance(v, int) and not isinstance(v, bool):
        return _int_text(int(v))
    raise Unusual


def _fast_sort(d: dict, render_key) -> list[tuple[str, Any]]:
    """(rendered key, dict key) pairs in go-yaml's order, cached per key tuple."""
    t = tuple(d)
    pairs = _SORT_CACHE.get(t)
    if pairs is None:
        keys = [k if type(k) is str else _non_str_key(k) for k in t]
        by_text = dict(zip(keys, t, strict=True))
        if len(by_text) != len(keys):
            raise Unusual
        pairs = [(render_key(k), by_text[k]) for k in sorted_keys(keys)]
        if len(t) <= 64:
            if len(_SORT_CACHE) > 20000:
                _SORT_CACHE.clear()
            _SORT_CACHE[t] = pairs
    return pairs


def _non_str_key(k: Any) -> str:
    if isinstance(k, str):
        return str(k)
    raise Unusual


def to_yaml(value: Any) -> str:
    """The exact text of `sigs.k8s.io/yaml.Marshal(value)`, trailing newline included.

    Raises GoYamlError with sigs.k8s.io/yaml's message when json.Marshal refuses the value (NaN, ±Inf,
    unsupported types) or go-yaml cannot read the JSON back; Helm's `toYaml` turns that into "".
    """
    if isinstance(value, dict | list) and value:
        try:
            return FastWriter(
                style_v2, _STYLE_CACHE, _KEY_CACHE, _fast_str, _fast_key, _fast_scalar, _fast_sort
            ).document(value)
        except (Unusual, GoJsonError, RecursionError):
            pass
    try:
        node = normalise(value)
    except GoJsonError as e:
        raise GoYamlError(f"error marshaling into JSON: {e.message}") from None
    except _Unreadable:
        raise reread_error(value) from None
    except RecursionError:
        raise GoYamlError(TOO_DEEP) from None
    return Emitter(style_v2).emit_document(node)
