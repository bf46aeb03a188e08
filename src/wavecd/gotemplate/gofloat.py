"""Go's `strconv.FormatFloat` for float64, the base of every float that Helm prints.

Python's `repr` already finds the shortest digits that round-trip (the same digits Go's Ryu search
finds), and `%`-formatting with an explicit precision rounds the exact binary value half-to-even as
Go does. What differs is the layout: Go switches `%v` to exponent form at 1e+06, writes `+Inf`, and
has its own `b` and `x` forms. So this module takes Python's digits and lays them out the Go way.
"""

from __future__ import annotations

import math
import struct

_MASK64 = (1 << 64) - 1


def shortest_digits(f: float) -> tuple[str, int]:
    """The shortest round-trip decimal digits of |f| and the decimal point position.

    `0.0015` gives `("15", -2)`: the value is 0.<digits> x 10**dp. Zero gives `("", 0)`.
    """
    r = repr(abs(f))
    mant, _, exp = r.partition("e")
    ipart, _, fpart = mant.partition(".")
    if fpart == "0":
        fpart = ""
    digits = ipart + fpart
    dp = len(ipart) + (int(exp) if exp else 0)
    stripped = digits.lstrip("0")
    dp -= len(digits) - len(stripped)
    digits = stripped.rstrip("0")
    if not digits:
        return "", 0
    return digits, dp


def _exp_text(exp: int, letter: str) -> str:
    sign = "-" if exp < 0 else "+"
    exp = abs(exp)
    return f"{letter}{sign}{exp:02d}"


def _layout_e(neg: bool, digits: str, dp: int, prec: int, letter: str) -> str:
    """Go's fmtE: d.ddde±dd with exactly `prec` digits after the point."""
    first = digits[0] if digits else "0"
    out = ["-" if neg else "", first]
    if prec > 0:
        frac = digits[1 : prec + 1]
        out.append("." + frac + "0" * (prec - len(frac)))
    exp = dp - 1 if digits else 0
    out.append(_exp_text(exp, letter))
    return "".join(out)


def _layout_f(neg: bool, digits: str, dp: int, prec: int) -> str:
    """Go's fmtF: integer part, then `prec` digits after the point."""
    ipart = (digits[:dp] + "0" * (dp - len(digits))) if dp > 0 else "0"
    out = ["-" if neg else "", ipart]
    if prec > 0:
        frac = []
        for i in range(prec):
            j = dp + i
            frac.append(digits[j] if 0 <= j < len(digits) else "0")
        out.append("." + "".join(frac))
    return "".join(out)


def _format_b(f: float) -> str:
    bits = struct.unpack("<Q", struct.pack("<d", f))[0]
    neg = bits >> 63
    exp_bits = (bits >> 52) & 0x7FF
    mant = bits & ((1 << 52) - 1)
    if exp_bits == 0:
        exp = -1074
    else:
        mant |= 1 << 52
        exp = exp_bits - 1075
    return f"{'-' if neg else ''}{mant}p{'+' if exp >= 0 else '-'}{abs(exp)}"


def _format_x(f: float, prec: int, upper: bool) -> str:
    """Go's fmtX: hexadecimal mantissa with the leading 1 before the point, power-of-two exponent."""
    neg = math.copysign(1.0, f) < 0
    f = abs(f)
    if f == 0.0:
        mant, exp = 0, 0
    else:
        m, e = math.frexp(f)
        mant = int(m * (1 << 53)) << 8
        exp = e - 1
    if 0 <= prec < 15:
        shift = prec * 4
        extra = (mant << shift) & ((1 << 60) - 1)
        mant >>= 60 - shift
        if extra | (mant & 1) > 1 << 59:
            mant += 1
        mant <<= 60 - shift
        if mant & (1 << 61):
            mant >>= 1
            exp += 1
    hexdigits = "0123456789ABCDEF" if upper else "0123456789abcdef"
    out = ["-" if neg else "", "0X" if upper else "0x", "1" if (mant >> 60) & 1 else "0"]
    mant = (mant << 4) & _MASK64
    if prec < 0 and mant:
        out.append(".")
        while mant:
            out.append(hexdigits[(mant >> 60) & 15])
            mant = (mant << 4) & _MASK64
    elif prec > 0:
        out.append(".")
        for _ in range(prec):
            out.append(hexdigits[(mant >> 60) & 15])
            mant = (mant << 4) & _MASK64
    out.append("P" if upper else "p")
    out.append("-" if exp < 0 else "+")
    out.append(f"{abs(exp):02d}")
    return "".join(out)


def shortest_g(f: float, letter: str = "e") -> str:
    """Go's `%g` with the shortest digits for a finite f, laid out digit by digit (the reference for `format_v`)."""
    return _shortest_g(math.copysign(1.0, f) < 0, f, letter)


def format_v(f: float) -> str:
    """strconv.FormatFloat(f, 'g', -1, 64), Go's `%v` of a float64, by way of `repr` where it can.

    repr has Go's shortest digits and writes an exponent exactly when the decimal exponent is < -4 or
    >= 16, in Go's own form (`1.5e-07`, `2.5e+20`). Go switches at >= 6 already, so for 1e6 <= |f| < 1e16
    repr's fixed digits are moved into exponent form; an integral value just loses repr's `.0`.
    """
    if -1e6 < f < 1e6:
        if f.is_integer() and (f or math.copysign(1.0, f) > 0):  # the common case: replicas: 3
            return str(int(f))
        r = repr(f)
        return r[:-2] if r[-2:] == ".0" else r  # -0.0, or digits (with an exponent below 1e-04)
    r = repr(f)
    if "e" in r:
        return r
    if f != f:
        return "NaN"
    if f in (math.inf, -math.inf):
        return "+Inf" if f > 0 else "-Inf"
    sign, ipart = ("-", r[1:]) if r[0] == "-" else ("", r)  # 1e6 <= |f| < 1e16: d.ddde+XX from repr's digits
    ipart, _, fpart = ipart.partition(".")
    digits = (ipart + fpart).rstrip("0")
    frac = "." + digits[1:] if len(digits) > 1 else ""
    return f"{sign}{digits[0]}{frac}e+{len(ipart) - 1:02d}"


def _shortest_g(neg: bool, f: float, letter: str) -> str:
    digits, dp = shortest_digits(f)
    exp = dp - 1
    if digits and (exp < -4 or exp >= 6):
        return _layout_e(neg, digits, dp, len(digits) - 1, letter)
    return _layout_f(neg, digits, dp, max(len(digits) - dp, 0))


def format_float(f: float, fmt: str = "g", prec: int = -1) -> str:
    """strconv.FormatFloat(f, fmt, prec, 64) for fmt in `b e E f g G x X`; prec -1 means shortest."""
    if f != f:
        return "NaN"
    if f in (math.inf, -math.inf):
        return "+Inf" if f > 0 else "-Inf"
    if fmt == "g" and prec < 0:
        return format_v(f)
    neg = math.copysign(1.0, f) < 0
    if fmt in ("g", "G"):
        letter = "e" if fmt == "g" else "E"
        if prec < 0:
            return _shortest_g(neg, f, letter)
        text = f"{f:.{max(prec, 1)}g}"
        return text.upper() if fmt == "G" else text
    if fmt in ("e", "E"):
        if prec < 0:
            digits, dp = shortest_digits(f)
            return _layout_e(neg, digits, dp, max(len(digits) - 1, 0), fmt)
        return f"{f:.{prec}{fmt}}"
    if fmt == "f":
        if prec < 0:
            digits, dp = shortest_digits(f)
            return _layout_f(neg, digits, dp, max(len(digits) - dp, 0))
        return f"{f:.{prec}f}"
    if fmt == "b":
        return _format_b(f)
    if fmt in ("x", "X"):
        return _format_x(f, prec, fmt == "X")
    return "%" + fmt
