"""Go's number texts: `strconv.FormatFloat` ('g' and 'f', shortest) and `strconv.ParseInt`/`ParseUint`.

Python's `repr(float)` and Go's shortest formatting both produce the shortest digit string that reads back
as the same float64, so only the layout (where the exponent starts, how it is written) has to be ported.
"""

from __future__ import annotations

import re
import struct

INT64_MIN = -(1 << 63)
INT64_MAX = (1 << 63) - 1
UINT64_MAX = (1 << 64) - 1


def shortest_digits(f: float) -> tuple[str, int]:
    """The shortest decimal digits of abs(f) and the decimal point position: value = 0.DIGITS × 10**dp."""
    r = repr(abs(f))
    mant, _, exp = r.partition("e")
    e = int(exp) if exp else 0
    whole, _, frac = mant.partition(".")
    if frac == "0":
        frac = ""
    digits = (whole + frac).lstrip("0")
    if not digits:
        return "0", 1
    # position of the decimal point relative to the first significant digit
    lead_zeros = len(whole + frac) - len((whole + frac).lstrip("0"))
    dp = len(whole) - lead_zeros + e
    return digits.rstrip("0") or "0", dp


def _exp_text(exp: int) -> str:
    sign = "-" if exp < 0 else "+"
    exp = abs(exp)
    return f"e{sign}{exp:02d}"


def format_g(f: float) -> str:
    """`strconv.FormatFloat(f, 'g', -1, 64)`: exponent form when the decimal exponent is < -4 or >= 6."""
    if f != f:
        return "NaN"
    if f in (float("inf"), float("-inf")):
        return "+Inf" if f > 0 else "-Inf"
    neg = "-" if (f < 0 or (f == 0 and str(f).startswith("-"))) else ""
    if f == 0:
        return neg + "0"
    digits, dp = shortest_digits(f)
    exp = dp - 1
    if exp < -4 or exp >= 6:
        mant = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return neg + mant + _exp_text(exp)
    return neg + _fixed(digits, dp)


def _fixed(digits: str, dp: int) -> str:
    """%f layout with exactly the shortest digits."""
    if dp <= 0:
        return "0." + "0" * (-dp) + digits
    if dp >= len(digits):
        return digits + "0" * (dp - len(digits))
    return digits[:dp] + "." + digits[dp:]


def format_g32(f: float) -> str:
    """`strconv.FormatFloat(f, 'g', -1, 32)` as sigs.k8s.io/yaml uses for float map keys (.inf/.nan spelled)."""
    if f != f:
        return ".nan"
    if f in (float("inf"), float("-inf")):
        return ".inf" if f > 0 else "-.inf"
    try:
        f32 = struct.unpack("<f", struct.pack("<f", f))[0]
    except OverflowError:
        return ".inf" if f > 0 else "-.inf"
    digits, dp = _shortest_digits32(f32)
    neg = "-" if f32 < 0 or (f32 == 0 and str(f32).startswith("-")) else ""
    if f32 == 0:
        return neg + "0"
    exp = dp - 1
    if exp < -4 or exp >= 6:
        mant = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return neg + mant + _exp_text(exp)
    return neg + _fixed(digits, dp)


def _shortest_digits32(f32: float) -> tuple[str, int]:
    """Shortest digits that read back as the same float32."""
    target = struct.pack("<f", f32)
    a = abs(f32)
    for prec in range(1, 18):
        s = f"{a:.{prec - 1}e}"
        if struct.pack("<f", float(s)) == target:
            mant, _, exp = s.partition("e")
            digits = mant.replace(".", "").rstrip("0") or "0"
            return digits, int(exp) + 1
    return shortest_digits(f32)


def format_json_float(f: float) -> str:
    """encoding/json's float64 text: 'f' unless abs < 1e-6 or abs >= 1e21, then 'e' with `e-07` → `e-7`."""
    a = abs(f)
    neg = "-" if (f < 0 or (f == 0 and str(f).startswith("-"))) else ""
    if f == 0:
        return neg + "0"
    digits, dp = shortest_digits(f)
    if a < 1e-6 or a >= 1e21:
        exp = dp - 1
        mant = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        text = neg + mant + _exp_text(exp)
        if len(text) >= 4 and text[-4] == "e" and text[-3] == "-" and text[-2] == "0":
            text = text[:-2] + text[-1]
        return text
    return neg + _fixed(digits, dp)


_DIGITS = {2: "01", 8: "01234567", 10: "0123456789", 16: "0123456789abcdefABCDEF"}


def _parse_base0(s: str) -> int | None:
    """Digits of `strconv.ParseUint(s, 0, 64)` without range check (no sign, no underscores)."""
    base = 10
    body = s
    if len(s) >= 2 and s[0] == "0":
        p = s[1]
        if p in "xX":
            base, body = 16, s[2:]
        elif p in "oO":
            base, body = 8, s[2:]
        elif p in "bB":
            base, body = 2, s[2:]
        else:
            base, body = 8, s[1:]
    if not body:
        return None
    allowed = _DIGITS[base]
    for c in body:
        if c not in allowed:
            return None
    return int(body, base)


def parse_int(s: str) -> int | None:
    """`strconv.ParseInt(s, 0, 64)`: None on any error (syntax or range)."""
    if not s:
        return None
    neg = False
    body = s
    if s[0] in "+-":
        neg = s[0] == "-"
        body = s[1:]
    v = _parse_base0(body)
    if v is None:
        return None
    if neg:
        v = -v
    if v < INT64_MIN or v > INT64_MAX:
        return None
    return v


def parse_uint(s: str) -> int | None:
    """`strconv.ParseUint(s, 0, 64)`: None on any error."""
    if not s:
        return None
    v = _parse_base0(s)
    if v is None or v > UINT64_MAX:
        return None
    return v


_DECIMAL_FLOAT = re.compile(r"[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?\Z", re.ASCII)


def parse_float(s: str) -> float | None:
    """`strconv.ParseFloat(s, 64)` for decimal texts: None on syntax error or overflow (ErrRange)."""
    if not _DECIMAL_FLOAT.match(s):
        return None
    f = float(s)
    if f in (float("inf"), float("-inf")):
        return None
    return f


def parse_binary(s: str, *, signed: bool) -> int | None:
    """`strconv.ParseInt(s, 2, 64)` (signed) or `ParseUint(s, 2, 64)`: None on any error."""
    body = s
    neg = False
    if signed and s[:1] in ("+", "-"):
        neg = s[0] == "-"
        body = s[1:]
    if not body or body.strip("01"):
        return None
    v = int(body, 2)
    if signed:
        v = -v if neg else v
        return v if INT64_MIN <= v <= INT64_MAX else None
    return v if v <= UINT64_MAX else None


def format_f(f: float) -> str:
    """`strconv.FormatFloat(f, 'f', -1, 64)`: the shortest digits, never an exponent."""
    neg = "-" if (f < 0 or (f == 0 and str(f).startswith("-"))) else ""
    if f == 0:
        return neg + "0"
    digits, dp = shortest_digits(f)
    return neg + _fixed(digits, dp)
