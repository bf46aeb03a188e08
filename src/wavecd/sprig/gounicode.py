"""Go's `unicode` predicates and simple case mappings, which differ from Python's string methods.

Python's `str.upper()` applies full case mappings (`"ß".upper() == "SS"`) and `str.isspace()` accepts
the ASCII file separators; Go maps one rune to one rune and has a fixed white-space set. Sprig's
string functions must follow Go, so they use these helpers (ASCII takes the fast path everywhere).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

GO_SPACES = (
    "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000"
)
_SPACE_SET = frozenset(GO_SPACES)


def is_space(ch: str) -> bool:
    """unicode.IsSpace."""
    return ch in _SPACE_SET


def is_upper(ch: str) -> bool:
    """unicode.IsUpper: category Lu."""
    if ch < "\x80":
        return "A" <= ch <= "Z"
    return unicodedata.category(ch) == "Lu"


def is_lower(ch: str) -> bool:
    """unicode.IsLower: category Ll."""
    if ch < "\x80":
        return "a" <= ch <= "z"
    return unicodedata.category(ch) == "Ll"


def is_title(ch: str) -> bool:
    """unicode.IsTitle: category Lt."""
    return ch >= "\x80" and unicodedata.category(ch) == "Lt"


def is_letter(ch: str) -> bool:
    """unicode.IsLetter: categories L*."""
    if ch < "\x80":
        return ch.isalpha()
    return unicodedata.category(ch)[0] == "L"


def is_digit(ch: str) -> bool:
    """unicode.IsDigit: category Nd."""
    if ch < "\x80":
        return "0" <= ch <= "9"
    return unicodedata.category(ch) == "Nd"


def is_number(ch: str) -> bool:
    """unicode.IsNumber: categories N*."""
    if ch < "\x80":
        return "0" <= ch <= "9"
    return unicodedata.category(ch)[0] == "N"


def is_punct(ch: str) -> bool:
    """unicode.IsPunct: categories P*."""
    return unicodedata.category(ch)[0] == "P"


def _single(mapped: str, ch: str) -> str:
    return mapped if len(mapped) == 1 else ch


def to_upper(ch: str) -> str:
    """unicode.ToUpper (simple mapping: one rune to one rune)."""
    return _single(ch.upper(), ch)


def to_lower(ch: str) -> str:
    """unicode.ToLower (simple mapping; U+0130 maps to a plain `i`)."""
    if ch == "\u0130":
        return "i"
    return _single(ch.lower(), ch)


def to_title(ch: str) -> str:
    """unicode.ToTitle (simple mapping)."""
    mapped = ch.title()
    if len(mapped) == 1:
        return mapped
    return to_upper(ch)


def is_invalid(ch: str) -> bool:
    """A lone surrogate: one byte of invalid UTF-8 in a Go string (see goval)."""
    return "\udc80" <= ch <= "\udcff"


def strings_map(mapping: Callable[[str], str], s: str) -> str:
    """strings.Map: unchanged input is returned as is; from the first changed rune or invalid byte on,
    the output is rebuilt rune by rune, an invalid byte mapped as U+FFFD (Go decodes it as RuneError)."""
    for i, ch in enumerate(s):
        if is_invalid(ch):
            mapped = mapping("\ufffd")
        else:
            mapped = mapping(ch)
            if mapped == ch:
                continue
        rest = (mapping("\ufffd") if is_invalid(c) else mapping(c) for c in s[i + 1 :])
        return s[:i] + mapped + "".join(rest)
    return s


def valid_runes(s: str) -> str:
    """[]rune(s) back to a string: every invalid byte becomes U+FFFD."""
    if s.isascii():
        return s
    return "".join("\ufffd" if is_invalid(c) else c for c in s)


def upper(s: str) -> str:
    """strings.ToUpper."""
    if s.isascii():
        return s.upper()
    return strings_map(to_upper, s)


def lower(s: str) -> str:
    """strings.ToLower."""
    if s.isascii():
        return s.lower()
    return strings_map(to_lower, s)


def trim_space(s: str) -> str:
    """strings.TrimSpace."""
    return s.strip(GO_SPACES)
