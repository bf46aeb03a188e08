"""`deny` and `preconditions` conditions (Kyverno `pkg/engine/variables/evaluate.go` and `operator/`): each
`{key, operator, value, message}` after substitution, combined as `{any, all}` or a legacy list (all).

Values are compared as Kyverno's decoded JSON: numbers are float64 (an int is converted), lists are `[]any`."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from wavecd.core.durations import parse_go_duration
from wavecd.kyverno.gofmt import go_sprint
from wavecd.kyverno.operators import operator_of, parse_go_float, parse_go_int, validate_value
from wavecd.kyverno.quantity import parse_quantity
from wavecd.kyverno.variables import Context, SubstitutionError, substitute_all
from wavecd.kyverno.wildcard import wildcard_match

__all__ = ["ConditionError", "evaluate_conditions", "is_known_operator"]


class ConditionError(Exception):
    """A condition that could not be evaluated (a variable that does not resolve, an unknown operator)."""


def _as_json(value: Any) -> Any:
    """Numbers as float64, as `DocumentToUntyped` leaves them."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, list):
        return [_as_json(v) for v in value]
    if isinstance(value, dict):
        return {k: _as_json(v) for k, v in value.items()}
    return value


def _is_num(value: Any) -> bool:
    return isinstance(value, float)


def _duration(value: Any) -> float | None:
    if not isinstance(value, str) or value == "0":
        return None
    try:
        return parse_go_duration(value)
    except ValueError:
        return None


def _durations(key: Any, value: Any) -> tuple[float, float] | None:
    """operator.go#parseDuration: one side a duration string, the other a duration or a number of seconds."""
    k, v = _duration(key), _duration(value)
    if k is None and v is None:
        return None
    if k is None:
        if not _is_num(key):
            return None
        k = float(int(key))
    if v is None:
        if not _is_num(value):
            return None
        v = float(int(value))
    return k, v


def _equal_number(key: float, value: Any) -> bool:
    if _is_num(value):
        return bool(value == key)
    if isinstance(value, str):
        parsed = parse_go_float(value)
        return parsed is not None and parsed == key
    return False


def _equals(key: Any, value: Any) -> bool:
    if isinstance(key, bool):
        return isinstance(value, bool) and value == key
    if _is_num(key):
        return _equal_number(key, value)
    if isinstance(key, str):
        durations = _durations(key, value)
        if durations is not None:
            return durations[0] == durations[1]
        quantity = parse_quantity(key)
        if quantity is not None and isinstance(value, str):
            other = parse_quantity(value)
            return other is not None and other == quantity
        return isinstance(value, str) and wildcard_match(value, key)
    if isinstance(key, dict | list):
        return type(value) is type(key) and value == key
    return False


def _not_equals(key: Any, value: Any) -> bool:
    if isinstance(key, bool):
        return not isinstance(value, bool) or value != key
    if _is_num(key):
        if _is_num(value):
            return bool(value != key)
        if isinstance(value, str):
            parsed = parse_go_float(value)
            return parsed is None or parsed != key
        return True
    if isinstance(key, str):
        durations = _durations(key, value)
        if durations is not None:
            return durations[0] != durations[1]
        quantity = parse_quantity(key)
        if quantity is not None and isinstance(value, str):
            if value == "":
                return not wildcard_match(value, key)
            other = parse_quantity(value)
            return other is None or other != quantity
        return not isinstance(value, str) or not wildcard_match(value, key)
    if isinstance(key, dict | list):
        return type(value) is not type(key) or value != key
    return False


def _two_way(a: str, b: str) -> bool:
    return wildcard_match(a, b) or wildcard_match(b, a)


def _string_list(value: str) -> list[str] | None:
    """A string value as Kyverno's set operators read it: a JSON array of strings, or one item; None when it is
    JSON but not an array of strings (Kyverno then gives up)."""
    try:
        decoded = json.loads(value)
    except ValueError:
        return [value]
    if decoded is None:
        return []
    if isinstance(decoded, list) and all(isinstance(v, str) for v in decoded):
        return decoded
    return None


def _in_range(key: str, value: str) -> bool:
    return validate_value(key, value)


def _scalar_in(key: str, value: Any) -> bool | None:
    """anyin.go#anyKeyExistsInArray (the same for All*): None when the value has a type Kyverno refuses."""
    if isinstance(value, list):
        return any(_two_way(go_sprint(v), key) for v in value)
    if isinstance(value, str):
        if wildcard_match(value, key):
            return True
        if operator_of(value) == "-":
            return _in_range(key, value)
        items = _string_list(value)
        if items is None:
            return None
        return key in items
    return None


def _set_values(value: Any, allow_scalar: bool) -> list[str] | None:
    if isinstance(value, list):
        return [go_sprint(v) for v in value]
    if allow_scalar and (isinstance(value, bool) or _is_num(value)):
        return [go_sprint(value)]
    return None


def _any_set(keys: list[str], value: Any, negate: bool) -> bool | None:
    values = _set_values(value, allow_scalar=True)
    if values is None and isinstance(value, str):
        if len(keys) == 1 and keys[0] == value:
            return not negate
        if operator_of(value) == "-":
            if negate:
                outside = value.replace("-", "!-", 1)
                return any(_in_range(k, outside) for k in keys)
            return any(_in_range(k, value) for k in keys)
        values = _string_list(value)
    if values is None:
        return None
    if negate:
        return any(not any(_two_way(k, v) for v in values) for k in keys)
    return any(_two_way(k, v) for k in keys for v in values)


def _all_set(keys: list[str], value: Any, negate: bool) -> bool | None:
    values = _set_values(value, allow_scalar=False)
    if values is None and isinstance(value, str):
        if len(keys) == 1 and keys[0] == value:
            return not negate
        if operator_of(value) == "-":
            inside = [_in_range(k, value) for k in keys]
            return not any(inside) if negate else all(inside)
        values = _string_list(value)
    if values is None:
        return None
    if negate:
        return not any(_two_way(k, v) for k in keys for v in values)
    return all(any(_two_way(k, v) for v in values) for k in keys)


def _membership(any_of: bool, negate: bool) -> Callable[[Any, Any], bool]:
    def evaluate(key: Any, value: Any) -> bool:
        if isinstance(key, str | bool) or _is_num(key):
            found = _scalar_in(go_sprint(key), value)
            if found is None:
                return False
            return not found if negate else found
        if isinstance(key, list):
            keys = [go_sprint(k) for k in key]
            result = _any_set(keys, value, negate) if any_of else _all_set(keys, value, negate)
            return bool(result)
        return False

    return evaluate


def _semver(text: str) -> tuple[int, int, int, tuple[Any, ...]] | None:
    """blang/semver's strict `Parse`: `MAJOR.MINOR.PATCH[-pre][+build]`; pre-release sorts before release."""
    match = re.fullmatch(r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?", text)
    if match is None:
        return None
    pre = match[4]
    pre_key: tuple[Any, ...] = (1,)
    if pre:
        pre_key = (0, *((0, int(p), "") if p.isdigit() else (1, 0, p) for p in pre.split(".")))
    return int(match[1]), int(match[2]), int(match[3]), pre_key


def _order(op: str) -> Callable[[Any, Any], bool]:
    compare: dict[str, Callable[[Any, Any], bool]] = {
        "GreaterThan": lambda a, b: bool(a > b),
        "GreaterThanOrEquals": lambda a, b: bool(a >= b),
        "LessThan": lambda a, b: bool(a < b),
        "LessThanOrEquals": lambda a, b: bool(a <= b),
    }
    return compare.get(op, lambda _a, _b: False)


def _numeric(op: str) -> Callable[[Any, Any], bool]:
    cmp = _order(op)

    def with_number(key: float, value: Any) -> bool:
        if _is_num(value):
            return cmp(key, value)
        if isinstance(value, str):
            durations = _durations(key, value)
            if durations is not None:
                return cmp(*durations)
            parsed = parse_go_float(value)
            if parsed is None:
                as_int = parse_go_int(value)
                parsed = None if as_int is None else float(as_int)
            return parsed is not None and cmp(key, parsed)
        return False

    def evaluate(key: Any, value: Any) -> bool:
        if _is_num(key):
            return with_number(key, value)
        if not isinstance(key, str):
            return False
        durations = _durations(key, value)
        if durations is not None:
            return cmp(*durations)
        quantity = parse_quantity(key)
        other = parse_quantity(value) if isinstance(value, str) else None
        if quantity is not None and other is not None:
            return cmp(quantity, other)
        parsed = parse_go_float(key)
        if parsed is None:
            as_int = parse_go_int(key)
            parsed = None if as_int is None else float(as_int)
        if parsed is not None:
            return with_number(parsed, value)
        version = _semver(key)
        if version is not None:
            other_version = _semver(value) if isinstance(value, str) else None
            return other_version is not None and cmp(version, other_version)
        return False

    return evaluate


def _duration_operator(op: str) -> Callable[[Any, Any], bool]:
    cmp = _order(op.removeprefix("Duration"))

    def evaluate(key: Any, value: Any) -> bool:
        durations = _durations(key, value)
        return durations is not None and cmp(*durations)

    return evaluate


def _legacy_in(negate: bool) -> Callable[[Any, Any], bool]:
    def evaluate(key: Any, value: Any) -> bool:
        if isinstance(key, list):
            keys = [go_sprint(k) for k in key]
            values = _set_values(value, allow_scalar=False)
            if values is None and isinstance(value, str):
                values = _string_list(value)
            if values is None:
                return False
            inside = all(k in values for k in keys)
            return not inside if negate else inside
        found = _scalar_in(go_sprint(key), value) if (isinstance(key, str) or _is_num(key)) else None
        if found is None:
            return False
        return not found if negate else found

    return evaluate


_OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "equal": _equals,
    "equals": _equals,
    "notequal": _not_equals,
    "notequals": _not_equals,
    "anyin": _membership(any_of=True, negate=False),
    "allin": _membership(any_of=False, negate=False),
    "anynotin": _membership(any_of=True, negate=True),
    "allnotin": _membership(any_of=False, negate=True),
    "in": _legacy_in(negate=False),
    "notin": _legacy_in(negate=True),
}
_ORDERED = ("GreaterThan", "GreaterThanOrEquals", "LessThan", "LessThanOrEquals")


def is_known_operator(op: str) -> bool:
    """Whether Kyverno knows the operator (names are matched without regard to case)."""
    lowered = op.lower()
    return (
        lowered in _OPERATORS
        or lowered in {o.lower() for o in _ORDERED}
        or lowered.removeprefix("duration") in {o.lower() for o in _ORDERED}
    )


def _handler(op: str) -> Callable[[Any, Any], bool]:
    lowered = op.lower()
    if lowered in _OPERATORS:
        return _OPERATORS[lowered]
    if lowered in {o.lower() for o in _ORDERED}:
        return _numeric(op)
    if lowered.startswith("duration") and lowered.removeprefix("duration") in {o.lower() for o in _ORDERED}:
        return _duration_operator(op)
    raise ConditionError(f"failed to create handler for condition operator: {op}")


def _evaluate_one(condition: dict[str, Any], context: Context) -> tuple[bool, str]:
    try:
        key = substitute_all(condition.get("key"), context)
    except SubstitutionError as err:
        raise ConditionError(f"failed to substitute variables in condition key: {err}") from err
    try:
        value = substitute_all(condition.get("value"), context)
    except SubstitutionError as err:
        raise ConditionError(f"failed to substitute variables in condition value: {err}") from err
    handler = _handler(str(condition.get("operator", "")))
    message = condition.get("message")
    return handler(_as_json(key), _as_json(value)), message if isinstance(message, str) else ""


def _join(messages: list[str], sep: str) -> str:
    return sep.join(m for m in messages if m)


def evaluate_conditions(conditions: Any, context: Context) -> tuple[bool, str]:
    """Whether the conditions hold, and the messages of the conditions that decided it; ConditionError when one
    cannot be evaluated."""
    if isinstance(conditions, list):
        true_messages: list[str] = []
        for condition in conditions:
            result, message = _evaluate_one(condition, context)
            if not result:
                return False, message
            true_messages.append(message)
        return True, _join(true_messages, ";")
    if not isinstance(conditions, dict):
        raise ConditionError("invalid condition")
    any_ok, all_ok = True, True
    false_messages: list[str] = []
    true_messages = []
    any_conditions = conditions.get("any")
    if any_conditions is not None:
        any_ok = False
        for condition in any_conditions:
            result, message = _evaluate_one(condition, context)
            if result:
                any_ok = True
                true_messages.append(message)
                break
            false_messages.append(message)
    for condition in conditions.get("all") or []:
        result, message = _evaluate_one(condition, context)
        if not result:
            all_ok = False
            false_messages.append(message)
            break
        true_messages.append(message)
    if any_ok and all_ok:
        return True, _join(true_messages, "; ")
    return False, _join(false_messages, "; ")
