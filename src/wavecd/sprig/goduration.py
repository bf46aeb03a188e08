"""Go's time.Duration text: `ParseDuration` and `Duration.String()` (`1h2m5s`, `1.5µs`, `0s`)."""

from __future__ import annotations

from wavecd.sprig.goval import go_bytes

NANOSECOND = 1
MICROSECOND = 1_000
MILLISECOND = 1_000_000
SECOND = 1_000_000_000
MINUTE = 60 * SECOND
HOUR = 60 * MINUTE

_UNITS = {
    "ns": NANOSECOND,
    "us": MICROSECOND,
    "\u00b5s": MICROSECOND,
    "\u03bcs": MICROSECOND,
    "ms": MILLISECOND,
    "s": SECOND,
    "m": MINUTE,
    "h": HOUR,
}
_LIMIT = 1 << 63


class DurationError(ValueError):
    """ParseDuration's error; the message is Go's (`time: invalid duration "x"`)."""


def time_quote(s: str) -> str:
    """The time package's own quoting: non-ASCII and control bytes as \\xNN, `"` and `\\` escaped."""
    out = ['"']
    for b in go_bytes(s):
        if b >= 0x80 or b < 0x20:
            out.append(f"\\x{b:02x}")
        elif b in (0x22, 0x5C):
            out.append("\\" + chr(b))
        else:
            out.append(chr(b))
    out.append('"')
    return "".join(out)


def parse_duration(text: str) -> int:
    """time.ParseDuration: nanoseconds, or DurationError with Go's text."""
    invalid = DurationError("time: invalid duration " + time_quote(text))
    s = text
    neg = False
    if s[:1] in ("-", "+"):
        neg = s[0] == "-"
        s = s[1:]
    if s == "0":
        return 0
    if not s:
        raise invalid
    total = 0
    i = 0
    n = len(s)
    while i < n:
        if not (s[i] == "." or "0" <= s[i] <= "9"):
            raise invalid
        start = i
        while i < n and "0" <= s[i] <= "9":
            i += 1
        whole = int(s[start:i]) if i > start else 0
        if whole > _LIMIT:
            raise invalid
        pre = i > start
        frac = 0
        scale = 1.0
        post = False
        if i < n and s[i] == ".":
            i += 1
            start = i
            overflow = False
            while i < n and "0" <= s[i] <= "9":
                if not overflow:
                    if frac > (_LIMIT - 1) // 10:
                        overflow = True
                    else:
                        frac = frac * 10 + int(s[i])
                        scale *= 10
                i += 1
            post = i > start
        if not pre and not post:
            raise invalid
        start = i
        while i < n and not (s[i] == "." or "0" <= s[i] <= "9"):
            i += 1
        if i == start:
            raise DurationError("time: missing unit in duration " + time_quote(text))
        unit_text = s[start:i]
        unit = _UNITS.get(unit_text)
        if unit is None:
            raise DurationError(f"time: unknown unit {time_quote(unit_text)} in duration {time_quote(text)}")
        if whole > _LIMIT // unit:
            raise invalid
        value = whole * unit
        if frac > 0:
            value += int(float(frac) * (float(unit) / scale))
            if value > _LIMIT:
                raise invalid
        total += value
        if total > _LIMIT:
            raise invalid
    if neg:
        return -total
    if total > _LIMIT - 1:
        raise invalid
    return total


def _frac(value: int, prec: int) -> tuple[str, int]:
    """Go's fmtFrac: the fraction digits of value/10^prec without trailing zeros, and the integer part."""
    whole, rest = divmod(value, 10**prec)
    digits = f"{rest:0{prec}d}".rstrip("0") if prec else ""
    return ("." + digits if digits else ""), whole


def format_duration(d: int) -> str:
    """Duration.String: `1h2m5s`, `1.5s`, `2ms`, `0s`; sub-second values in ms, µs or ns."""
    u = -d if d < 0 else d
    sign = "-" if d < 0 else ""
    if u < SECOND:
        if u == 0:
            return "0s"
        if u < MICROSECOND:
            return f"{sign}{u}ns"
        unit, prec = ("\u00b5s", 3) if u < MILLISECOND else ("ms", 6)
        frac, whole = _frac(u, prec)
        return f"{sign}{whole}{frac}{unit}"
    frac, seconds = _frac(u, 9)
    text = f"{seconds % 60}{frac}s"
    minutes = seconds // 60
    if minutes:
        text = f"{minutes % 60}m" + text
        hours = minutes // 60
        if hours:
            text = f"{hours}h" + text
    return sign + text
