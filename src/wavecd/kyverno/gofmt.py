"""How Go prints the values Kyverno compares as text: `fmt.Sprint` (`%v`) of a JSON value, and the `%f` and `%E`
forms its pattern code uses. JSON numbers reach Kyverno's conditions as float64, so an int prints as one."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

__all__ = ["go_float_e", "go_float_f", "go_sprint", "json_text"]


def _shortest(value: float) -> tuple[str, int]:
    """The shortest digits that round-trip `value` and the decimal exponent of the first one."""
    _sign, digits, exponent = Decimal(repr(abs(value))).as_tuple()
    text = "".join(map(str, digits)).rstrip("0") or "0"
    assert isinstance(exponent, int)
    return text, len(digits) + exponent - 1


def _float_g(value: float) -> str:
    """Go's `strconv.FormatFloat(v, 'g', -1, 64)` (Go's `%v`): `%e` form when the exponent is < -4 or >= 6."""
    if value == 0:
        return "0"
    if value != value:
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "+Inf" if value > 0 else "-Inf"
    digits, exp = _shortest(value)
    sign = "-" if value < 0 else ""
    if exp < -4 or exp >= 6:
        mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return f"{sign}{mantissa}e{'-' if exp < 0 else '+'}{abs(exp):02d}"
    if exp >= len(digits) - 1:
        return sign + digits + "0" * (exp - len(digits) + 1)
    if exp >= 0:
        return sign + digits[: exp + 1] + "." + digits[exp + 1 :]
    return sign + "0." + "0" * (-exp - 1) + digits


def go_float_e(value: float) -> str:
    """Go's `strconv.FormatFloat(v, 'E', -1, 64)`, e.g. `1.5E+00`."""
    digits, exp = _shortest(value) if value else ("0", 0)
    sign = "-" if value < 0 else ""
    mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
    return f"{sign}{mantissa}E{'-' if exp < 0 else '+'}{abs(exp):02d}"


def go_float_f(value: float) -> str:
    """Go's `%f` (six decimals)."""
    return f"{value:f}"


def go_sprint(value: Any) -> str:
    """Go's `fmt.Sprint` of a decoded JSON value (numbers as float64, maps with sorted keys)."""
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return _float_g(float(value))
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "[" + " ".join(go_sprint(item) for item in value) + "]"
    if isinstance(value, dict):
        return "map[" + " ".join(f"{k}:{go_sprint(value[k])}" for k in sorted(value)) + "]"
    return str(value)


def json_text(value: Any) -> str:
    """`encoding/json` of a value, compact, as Kyverno puts a non-string result into a longer string."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, sort_keys=True)
