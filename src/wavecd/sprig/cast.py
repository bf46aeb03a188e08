"""Numeric conversions as spf13/cast v1.7 and Go's strconv do them; Sprig's `int`, `float64` and math use these.

cast swallows every error into a zero, so what matters is exactly which inputs parse: `"0755"` is octal
(493), `"12.0"` is 12 (cast trims a zero fraction), `"12.7"` fails (0), `"1_000"` is 1000 (base-0
ParseInt allows underscores between digits) and a float64 truncates toward zero.
"""

from __future__ import annotations

import math
import re
from typing import Any

INT64_MIN = -(1 << 63)
INT64_MAX = (1 << 63) - 1

_DIGITS_RE = r"[0-9](?:_?[0-9])*"
_DEC_FLOAT = re.compile(rf"[+-]?(?=\.?[0-9])(?:{_DIGITS_RE})?(?:\.(?:{_DIGITS_RE})?)?(?:[eE][+-]?{_DIGITS_RE})?")
_HEX_FLOAT = re.compile(r"[+-]?0[xX](?=\.?[0-9a-fA-F])[0-9a-fA-F]*(?:\.[0-9a-fA-F]*)?[pP][+-]?[0-9]+")
_SPECIAL_FLOATS = {"inf": math.inf, "infinity": math.inf, "nan": math.nan}
_DIGITS = {2: "01", 8: "01234567", 10: "0123456789", 16: "0123456789abcdefABCDEF"}


def _underscore_ok(s: str) -> bool:
    """strconv's rule for base-0 literals: underscores only between digits or after a base prefix."""
    if s[:1] in ("+", "-"):
        s = s[1:]
    saw = "^"
    i = 0
    hex_digits = False
    if len(s) >= 2 and s[0] == "0" and s[1] in "bBoOxX":
        i = 2
        saw = "0"
        hex_digits = s[1] in "xX"
    for ch in s[i:]:
        if "0" <= ch <= "9" or (hex_digits and ch in "abcdefABCDEF"):
            saw = "0"
        elif ch == "_":
            if saw != "0":
                return False
            saw = "_"
        else:
            if saw == "_":
                return False
            saw = "!"
    return saw != "_"


def parse_int(s: str, base: int = 0) -> tuple[int, bool]:
    """strconv.ParseInt(s, base, 64) for base 0, 8 or 10: (value, ok); out of range gives the clamped value."""
    if not s:
        return 0, False
    body = s
    neg = False
    if body[0] in "+-":
        neg = body[0] == "-"
        body = body[1:]
    leading_zero = False
    if base == 0:
        base = 10
        if body[:1] == "0":
            prefix = body[1:2].lower()
            if len(body) >= 3 and prefix in ("b", "o", "x"):
                base = {"b": 2, "o": 8, "x": 16}[prefix]
                body = body[2:]
            else:
                base = 8
                body = body[1:]
                leading_zero = True
        allow_underscores = True
    else:
        allow_underscores = False
    digits = _DIGITS[base]
    underscores = False
    value = 0
    for ch in body:
        if ch == "_" and allow_underscores:
            underscores = True
            continue
        if ch not in digits:
            return 0, False
        value = value * base + int(ch, 16)
    if not body and not leading_zero:
        return 0, False
    if underscores and not _underscore_ok(s):
        return 0, False
    if neg:
        value = -value
    if value > INT64_MAX:
        return INT64_MAX, False
    if value < INT64_MIN:
        return INT64_MIN, False
    return value, True


def parse_float(s: str) -> tuple[float, bool]:
    """strconv.ParseFloat(s, 64): (value, ok); Go syntax only, no surrounding spaces, overflow fails."""
    lowered = s.lower()
    sign = 1.0
    unsigned = lowered
    if lowered[:1] in ("+", "-"):
        sign = -1.0 if lowered[0] == "-" else 1.0
        unsigned = lowered[1:]
    special = _SPECIAL_FLOATS.get(unsigned)
    if special is not None:
        if special != special and unsigned != lowered:
            return 0.0, False
        return sign * special, True
    if _DEC_FLOAT.fullmatch(s):
        value = float(s)
    elif _HEX_FLOAT.fullmatch(s):
        try:
            value = float.fromhex(s)
        except OverflowError:
            return 0.0, False
    else:
        return 0.0, False
    if math.isinf(value):
        return 0.0, False
    return value, True


def float_to_int64(f: float) -> int:
    """Go's int64(f) on amd64: truncation, and 0x8000000000000000 for NaN or out-of-range values."""
    if f != f or not -9.223372036854775808e18 <= f < 9.223372036854775808e18:
        return INT64_MIN
    return int(f)


def _trim_zero_decimal(s: str) -> str:
    """cast's trimZeroDecimal: "12.00" -> "12" (only when every fraction digit is 0 and one exists)."""
    found_zero = False
    for i in range(len(s) - 1, -1, -1):
        ch = s[i]
        if ch == ".":
            return s[:i] if found_zero else s
        if ch != "0":
            return s
        found_zero = True
    return s


def to_int64(v: Any) -> int:
    """cast.ToInt64 (also ToInt: Go's int is 64 bits); any failure is 0."""
    if isinstance(v, int):
        return int(v)
    if isinstance(v, float):
        return float_to_int64(v)
    if isinstance(v, str):
        value, ok = parse_int(_trim_zero_decimal(v))
        return value if ok else 0
    return 0


def to_float64(v: Any) -> float:
    """cast.ToFloat64; any failure is 0."""
    if isinstance(v, float):
        return v
    if isinstance(v, int):
        return float(v)
    if isinstance(v, str):
        return parse_float(v)[0]
    return 0.0
