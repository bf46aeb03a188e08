"""One scalar of a resource against one scalar of a `pattern` (Kyverno `pkg/engine/pattern/pattern.go` and
`pkg/engine/operator/operator.go`): the value operators `>`, `>=`, `<`, `<=`, `!`, the ranges `a-b` and `a!-b`,
`|` (or) and `&` (and), durations, quantities and wildcards.

Numbers follow Go's JSON types: a pattern number is a float64 (policies are decoded as JSON); a resource
number is an int64 when integral (Python `int`) and a float64 otherwise (Python `float`)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from wavecd.core.durations import parse_go_duration
from wavecd.kyverno.gofmt import go_float_e, go_float_f
from wavecd.kyverno.quantity import parse_quantity
from wavecd.kyverno.wildcard import wildcard_match

__all__ = ["IN_RANGE", "NOT_IN_RANGE", "operator_of", "validate_value"]

IN_RANGE = re.compile(r"^([-|\+]?\d+(?:\.\d+)?[A-Za-z]*)-([-|\+]?\d+(?:\.\d+)?[A-Za-z]*)$")
NOT_IN_RANGE = re.compile(r"^([-|\+]?\d+(?:\.\d+)?[A-Za-z]*)!-([-|\+]?\d+(?:\.\d+)?[A-Za-z]*)$")
_GO_INT = re.compile(r"[+-]?\d+")
_GO_FLOAT = re.compile(r"[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|[iI]nf(?:inity)?|NaN)")


def operator_of(pattern: str) -> str:
    """The operator a string pattern starts with (`""` for equality), or `-`/`!-` for a range."""
    if len(pattern) < 2:
        return ""
    for op in (">=", "<=", ">", "<", "!"):
        if pattern.startswith(op):
            return op
    if NOT_IN_RANGE.match(pattern):
        return "!-"
    if IN_RANGE.match(pattern):
        return "-"
    return ""


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def parse_go_float(text: str) -> float | None:
    """`strconv.ParseFloat(text, 64)`, or None when Go refuses it."""
    if _GO_FLOAT.fullmatch(text.replace("_", "")) is None or "_" in text:
        return None
    return float(text)


def parse_go_int(text: str) -> int | None:
    """`strconv.ParseInt(text, 10, 64)`, or None when Go refuses it."""
    if _GO_INT.fullmatch(text) is None:
        return None
    value = int(text)
    return value if -(2**63) <= value < 2**63 else None


def validate_value(value: Any, pattern: Any) -> bool:
    """Whether the resource scalar `value` satisfies the pattern scalar `pattern` (pattern.go#Validate)."""
    if isinstance(pattern, bool):
        return isinstance(value, bool) and value == pattern
    if _is_number(pattern):
        return _validate_number(value, float(pattern))
    if pattern is None:
        return _validate_null(value)
    if isinstance(pattern, dict):
        return isinstance(value, dict)
    if isinstance(pattern, str):
        return _validate_string_patterns(value, pattern)
    return False


def _validate_number(value: Any, pattern: float) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return pattern == int(pattern) and int(pattern) == value
    if isinstance(value, float):
        return value == pattern
    if isinstance(value, str):
        parsed = parse_go_float(value)
        return parsed is not None and parsed == pattern
    return False


def _validate_null(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, bool):
        return not value
    if _is_number(value):
        return bool(value == 0)
    if isinstance(value, str):
        return value == ""
    return False


def _validate_string_patterns(value: Any, pattern: str) -> bool:
    if isinstance(value, str) and value == pattern:
        return True
    return any(
        all(_validate_string_pattern(value, term.strip(" ")) for term in alternative.strip(" ").split("&"))
        for alternative in pattern.split("|")
    )


def _validate_string_pattern(value: Any, pattern: str) -> bool:
    op = operator_of(pattern)
    if op == "-":
        match = IN_RANGE.match(pattern)
        assert match is not None
        return _validate_string_pattern(value, f">= {match[1]}") and _validate_string_pattern(value, f"<= {match[2]}")
    if op == "!-":
        match = NOT_IN_RANGE.match(pattern)
        assert match is not None
        return _validate_string_pattern(value, f"< {match[1]}") or _validate_string_pattern(value, f"> {match[2]}")
    operand = pattern[len(op) :].strip()
    for parse in (_duration, parse_quantity):
        result = _compare_parsed(value, operand, op, parse)
        if result is not None:
            return result
    return _compare_string(value, operand, op)


def _number_text(value: Any) -> str | None:
    """Kyverno's `convertNumberToString`: null is "0", a float64 prints with `%f`."""
    if value is None:
        return "0"
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return go_float_f(value)
    return None


def _ordered(left: Any, right: Any, op: str) -> bool | None:
    if op == "":
        return bool(left == right)
    if op == "!":
        return bool(left != right)
    if op == ">":
        return bool(left > right)
    if op == "<":
        return bool(left < right)
    if op == ">=":
        return bool(left >= right)
    if op == "<=":
        return bool(left <= right)
    return None


def _duration(text: str) -> int | None:
    """Nanoseconds in a Go duration, or None."""
    try:
        return round(parse_go_duration(text) * 1e9)
    except ValueError:
        return None


def _compare_parsed(value: Any, operand: str, op: str, parse: Callable[[str], Any]) -> bool | None:
    """`value` and `operand` compared as what `parse` reads them as; None when either is not one."""
    expected = parse(operand)
    text = _number_text(value)
    actual = parse(text) if text is not None else None
    if expected is None or actual is None:
        return None
    return _ordered(actual, expected, op)


def _compare_string(value: Any, operand: str, op: str) -> bool:
    if op not in ("", "!"):
        return False
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, int):
        text = str(value)
    elif isinstance(value, float):
        text = go_float_e(value)
    elif isinstance(value, str):
        text = value
    else:
        return False
    matched = wildcard_match(operand, text)
    return not matched if op == "!" else matched
