"""Go literal syntax as the template parser reads it: `strconv.Unquote`, `UnquoteChar` and number constants.

Raised `ValueError`s carry Go's message (`invalid syntax`, `integer overflow: "…"`, …); the parser turns
them into parse errors at the current line.
"""

from __future__ import annotations

import math

from wavecd.core.goquote import quote as go_quote

INVALID_SYNTAX = "invalid syntax"
_SIMPLE_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", "\\": "\\"}
_HEX = "0123456789abcdefABCDEF"
INT64_MIN, INT64_MAX, UINT64_MAX = -(1 << 63), (1 << 63) - 1, (1 << 64) - 1


def byte_char(b: int) -> str:
    """A raw byte inside a Go string: ASCII stays itself, a high byte becomes a surrogate escape."""
    return chr(b) if b < 0x80 else chr(0xDC00 + b)


def unquote_char(s: str, i: int, quote: str) -> tuple[str, int]:
    """Decode one (possibly escaped) character of a quoted literal at s[i]; returns it and the next index."""
    c = s[i]
    if c == quote and quote in "'\"":
        raise ValueError(INVALID_SYNTAX)
    if c != "\\":
        return c, i + 1
    if i + 1 >= len(s):
        raise ValueError(INVALID_SYNTAX)
    c = s[i + 1]
    i += 2
    if c in _SIMPLE_ESCAPES:
        return _SIMPLE_ESCAPES[c], i
    if c in "xuU":
        n = {"x": 2, "u": 4, "U": 8}[c]
        digits = s[i : i + n]
        if len(digits) < n or any(d not in _HEX for d in digits):
            raise ValueError(INVALID_SYNTAX)
        v = int(digits, 16)
        if c == "x":
            return byte_char(v), i + n
        if 0xD800 <= v < 0xE000 or v > 0x10FFFF:
            raise ValueError(INVALID_SYNTAX)
        return chr(v), i + n
    if "0" <= c <= "7":
        digits = s[i - 1 : i + 2]
        if len(digits) < 3 or any(not ("0" <= d <= "7") for d in digits):
            raise ValueError(INVALID_SYNTAX)
        v = int(digits, 8)
        if v > 255:
            raise ValueError(INVALID_SYNTAX)
        return byte_char(v), i + 2
    if c in "'\"":
        if c != quote:
            raise ValueError(INVALID_SYNTAX)
        return c, i
    raise ValueError(INVALID_SYNTAX)


def unquote(quoted: str) -> str:
    """strconv.Unquote of a "…" or `…` token."""
    if len(quoted) < 2 or quoted[0] != quoted[-1]:
        raise ValueError(INVALID_SYNTAX)
    body = quoted[1:-1]
    if quoted[0] == "`":
        if "`" in body:
            raise ValueError(INVALID_SYNTAX)
        return body.replace("\r", "")
    if quoted[0] != '"' or "\n" in body:
        raise ValueError(INVALID_SYNTAX)
    if "\\" not in body and '"' not in body:
        return body
    out = []
    i = 0
    n = len(body)
    while i < n:
        ch, i = unquote_char(body, i, '"')
        out.append(ch)
    return _join_bytes("".join(out))


def _join_bytes(s: str) -> str:
    """Escaped bytes that together spell UTF-8 become the characters they encode, as in a Go string."""
    if not any(0xDC80 <= ord(c) <= 0xDCFF for c in s):
        return s
    return s.encode("utf-8", "surrogateescape").decode("utf-8", "surrogateescape")


def unquote_rune(text: str) -> int:
    """The value of a character constant token such as 'a' or '\\n'."""
    try:
        ch, i = unquote_char(text, 1, "'")
    except (ValueError, IndexError):
        raise ValueError(INVALID_SYNTAX) from None
    if text[i:] != "'":
        raise ValueError(f"malformed character constant: {text}")
    code = ord(ch)
    return code - 0xDC00 if 0xDC80 <= code <= 0xDCFF else code


def _strip_underscores(digits: str, prefixed: bool) -> str | None:
    if "_" not in digits:
        return digits
    # Go allows underscores only between digits (or right after a base prefix).
    body = ("0" + digits) if prefixed else digits
    if body.startswith("_") or body.endswith("_") or "__" in body:
        return None
    return digits.replace("_", "")


def parse_int(text: str) -> int | None:
    """strconv.ParseInt(text, 0, …) without the range check: None when the syntax is not an integer."""
    s = text
    sign = 1
    if s[:1] in "+-":
        sign = -1 if s[0] == "-" else 1
        s = s[1:]
    if not s:
        return None
    base = 10
    prefixed = False
    if len(s) > 1 and s[0] == "0":
        p = s[1].lower()
        if p in "xob":
            base = {"x": 16, "o": 8, "b": 2}[p]
            s = s[2:]
            prefixed = True
        else:
            base = 8
            s = s[1:]
            prefixed = True
    digits = _strip_underscores(s, prefixed)
    if digits is None or (not digits and base != 8):
        return None
    if not digits:
        return 0
    try:
        return sign * int(digits, base)
    except ValueError:
        return None


def parse_float(text: str) -> float | None:
    """strconv.ParseFloat(text, 64) for the forms the lexer lets through; None on a syntax error."""
    s = text.replace("_", "") if "_" in text else text
    body = s.lstrip("+-")
    try:
        if body[:2].lower() == "0x":
            if "p" not in body.lower():
                return None
            return float.fromhex(s)
        if not body or body[0] not in "0123456789.":
            return None
        return float(s)
    except (ValueError, OverflowError):
        return None


class Number:
    """What Go's NumberNode knows about a constant: which kinds it can be, and its value as each."""

    __slots__ = ("complex128", "float64", "int64", "is_complex", "is_float", "is_int", "is_uint", "uint64")

    def __init__(self) -> None:
        self.is_int = self.is_uint = self.is_float = self.is_complex = False
        self.int64 = self.uint64 = 0
        self.float64 = 0.0
        self.complex128 = 0j

    def simplify_complex(self) -> None:
        self.is_float = self.complex128.imag == 0
        if self.is_float:
            f = self.complex128.real
            self.float64 = f
            self.is_int = _fits(f, INT64_MIN, INT64_MAX)
            if self.is_int:
                self.int64 = int(f)
            self.is_uint = _fits(f, 0, UINT64_MAX)
            if self.is_uint:
                self.uint64 = int(f)


def _fits(f: float, lo: int, hi: int) -> bool:
    return math.isfinite(f) and f == int(f) and lo <= int(f) <= hi


def parse_number(text: str, is_char: bool, is_complex: bool) -> Number:
    """Go's newNumber: classify a number token, or raise ValueError with Go's message."""
    n = Number()
    if is_char:
        r = unquote_rune(text)
        n.int64 = n.uint64 = r
        n.float64 = float(r)
        n.is_int = n.is_uint = n.is_float = True
        return n
    if is_complex:
        try:
            n.complex128 = complex(text.replace("_", "")[:-1] + "j")
        except ValueError:
            raise ValueError("expected integer") from None
        n.is_complex = True
        n.simplify_complex()
        return n
    if text.endswith("i"):
        f = parse_float(text[:-1])
        if f is not None:
            n.is_complex = True
            n.complex128 = complex(0, f)
            n.simplify_complex()
            return n
    u = parse_int(text) if text[:1] not in "+-" else None
    if u is not None and 0 <= u <= UINT64_MAX:
        n.is_uint = True
        n.uint64 = u
    i = parse_int(text)
    if i is not None and INT64_MIN <= i <= INT64_MAX:
        n.is_int = True
        n.int64 = i
        if i == 0:
            n.is_uint = True
            n.uint64 = 0
    if n.is_int:
        n.is_float = True
        n.float64 = float(n.int64)
    elif n.is_uint:
        n.is_float = True
        n.float64 = float(n.uint64)
    else:
        f = parse_float(text)
        if f is not None and not math.isinf(f):
            if not any(c in text for c in ".eEpP"):
                raise ValueError(f"integer overflow: {go_quote(text)}")
            n.is_float = True
            n.float64 = f
            if _fits(f, INT64_MIN, INT64_MAX):
                n.is_int = True
                n.int64 = int(f)
            if _fits(f, 0, UINT64_MAX):
                n.is_uint = True
                n.uint64 = int(f)
    if not (n.is_int or n.is_uint or n.is_float):
        raise ValueError(f"illegal number syntax: {go_quote(text)}")
    return n
