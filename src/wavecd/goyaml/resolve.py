"""go-yaml v2's scalar typing (`resolve.go`): what a plain scalar means in YAML 1.1 as Go reads it.

Values come back in go-yaml's own types, before any JSON conversion: `int` (Go int; above int64 it is a
uint64), `float`, `bool`, `None`, `str`. `Timestamp` marks a string that go-yaml recognised as a
timestamp (it decodes as the string itself but must be quoted when written).
"""

from __future__ import annotations

import re
from typing import Any

from wavecd.goyaml.gonum import parse_binary, parse_float, parse_int, parse_uint

TAG_PREFIX = "tag:yaml.org,2002:"
STR_TAG = TAG_PREFIX + "str"
INT_TAG = TAG_PREFIX + "int"
FLOAT_TAG = TAG_PREFIX + "float"
BOOL_TAG = TAG_PREFIX + "bool"
NULL_TAG = TAG_PREFIX + "null"
TIMESTAMP_TAG = TAG_PREFIX + "timestamp"
BINARY_TAG = TAG_PREFIX + "binary"
MERGE_TAG = TAG_PREFIX + "merge"

_RESOLVABLE = frozenset(("", STR_TAG, BOOL_TAG, INT_TAG, FLOAT_TAG, NULL_TAG, TIMESTAMP_TAG))

_NAN = float("nan")
_INF = float("inf")

# the exact words go-yaml v2 looks up before trying numbers
_WORDS: dict[str, tuple[str, Any]] = {}
for _v, _tag, _words in (
    (True, BOOL_TAG, ("y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON")),
    (False, BOOL_TAG, ("n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF")),
    (None, NULL_TAG, ("", "~", "null", "Null", "NULL")),
    (_NAN, FLOAT_TAG, (".nan", ".NaN", ".NAN")),
    (_INF, FLOAT_TAG, (".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF")),
    (-_INF, FLOAT_TAG, ("-.inf", "-.Inf", "-.INF")),
    ("<<", MERGE_TAG, ("<<",)),
):
    for _w in _words:
        _WORDS[_w] = (_tag, _v)

# first characters that may start a non-string plain scalar ('<' is absent: go-yaml's table has no hint
# for it, so "<<" resolves as a string when checked on the way out)
_HINT_NUMBER = frozenset("+-0123456789")
_HINT_WORD = frozenset("yYnNtTfFoO~")

_YAML_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?\Z", re.ASCII)
_DOT_FLOAT = re.compile(r"\.[0-9]+(?:[eE][-+]?[0-9]+)?\Z", re.ASCII)
_BASE60 = re.compile(r"[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?\Z", re.ASCII)

_TS_DATE = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})", re.ASCII)
_TS_TIME = re.compile(
    r"([Tt ])([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2})(?:[.,][0-9]+)?(Z|[-+][0-9]{2}:[0-9]{2})?\Z", re.ASCII
)
_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


class Timestamp(str):
    """A scalar go-yaml resolves as !!timestamp; into interface{} it still decodes as its text."""

    __slots__ = ()


def _is_timestamp(s: str) -> bool:
    """`parseTimestamp`: the four layouts go-yaml v2 tries with time.Parse."""
    m = _TS_DATE.match(s)
    if not m:
        return False
    year, month, day = int(m[1]), int(m[2]), int(m[3])
    if not 1 <= month <= 12:
        return False
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    if day < 1 or day > (_DAYS[month - 1] if month != 2 or leap else 28):
        return False
    rest = s[m.end() :]
    if not rest:
        return True
    t = _TS_TIME.match(rest)
    if not t:
        return False
    sep, zone = t[1], t[5]
    if sep == " " and zone is not None:
        return False
    if sep != " " and zone is None:
        return False
    if int(t[2]) > 23 or int(t[3]) > 59 or int(t[4]) > 59:
        return False
    return not (zone and zone != "Z" and (int(zone[1:3]) > 24 or int(zone[4:6]) > 60))


def is_base60_float(s: str) -> bool:
    """go-yaml quotes YAML 1.1 sexagesimal numbers (`12:30`) on the way out, though it reads them as strings."""
    return bool(s) and (s[0] in _HINT_NUMBER) and ":" in s and _BASE60.match(s) is not None


def _resolve_number(s: str, timestamps: bool) -> tuple[str, Any]:
    if timestamps and len(s) >= 8 and s[4:5] == "-" and _is_timestamp(s):
        return TIMESTAMP_TAG, Timestamp(s)
    plain = s.replace("_", "")
    v = parse_int(plain)
    if v is not None:
        return INT_TAG, v
    v = parse_uint(plain)
    if v is not None:
        return INT_TAG, v
    if _YAML_FLOAT.match(plain):
        f = parse_float(plain)
        if f is not None:
            return FLOAT_TAG, f
    if plain.startswith("0b"):
        v = parse_binary(plain[2:], signed=True)
        if v is None:
            v = parse_binary(plain[2:], signed=False)
        if v is not None:
            return INT_TAG, v
    elif plain.startswith("-0b"):
        v = parse_binary("-" + plain[3:], signed=True)
        if v is not None:
            return INT_TAG, v
    return STR_TAG, s


def resolve(tag: str, s: str) -> tuple[str, Any]:
    """`resolve(tag, in)` for a resolvable tag ("" = untagged plain): the resolved tag and value."""
    if s:
        c = s[0]
        if c in _HINT_NUMBER:
            hint = "D"
        elif c in _HINT_WORD:
            hint = "M"
        elif c == ".":
            hint = "."
        else:
            return STR_TAG, s
    else:
        hint = "M"
    if tag == STR_TAG:
        return STR_TAG, s
    item = _WORDS.get(s)
    if item is not None:
        return item
    if hint == ".":
        if _DOT_FLOAT.match(s):
            f = parse_float(s)
            if f is not None:
                return FLOAT_TAG, f
    elif hint == "D":
        return _resolve_number(s, tag in ("", TIMESTAMP_TAG))
    return STR_TAG, s


_PLAIN_CACHE: dict[str, Any] = {}


def resolve_plain(s: str) -> Any:
    """The value of an untagged plain scalar (cached: the same words recur across documents)."""
    try:
        return _PLAIN_CACHE[s]
    except KeyError:
        pass
    v = resolve("", s)[1]
    if len(_PLAIN_CACHE) > 50000:
        _PLAIN_CACHE.clear()
    if len(s) < 64:
        _PLAIN_CACHE[s] = v
    return v


def short_tag(tag: str) -> str:
    return "!!" + tag[len(TAG_PREFIX) :] if tag.startswith(TAG_PREFIX) else tag


def resolve_tagged(tag: str, s: str) -> tuple[str, Any]:
    """An explicitly tagged scalar: `resolve` plus go-yaml's check that the text fits the tag.

    Raises ValueError with go-yaml's message (`cannot decode !!str `abc` as a !!int`).
    """
    if tag not in _RESOLVABLE:
        return tag, s
    rtag, out = resolve(tag, s)
    if tag in (rtag, STR_TAG):
        return rtag if tag != STR_TAG else STR_TAG, out
    if tag == FLOAT_TAG and rtag == INT_TAG:
        return FLOAT_TAG, float(out)
    raise ValueError(f"cannot decode {short_tag(rtag)} `{s}` as a {short_tag(tag)}")


def plain_reads_as_string(s: str) -> bool:
    """Whether go-yaml's encoder may write `s` unquoted: it reads back as the same string."""
    if s:
        c = s[0]
        if c not in _HINT_NUMBER and c not in _HINT_WORD and c != ".":
            return True
    return resolve("", s)[0] == STR_TAG and not is_base60_float(s)
