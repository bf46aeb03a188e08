"""Kyverno's custom JMESPath functions (`pkg/engine/jmespath/functions.go`) that policies use offline: string,
regex and wildcard helpers, label matching, base64, JSON and YAML parsing, `items`, `lookup`, `object_from_lists`,
path and arithmetic helpers. Those that need a cluster, a clock or randomness (`time_now`, `random`,
`x509_decode`, `image_normalize`) are not here: a policy calling one fails with an unknown-function error."""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import json
import math
import posixpath
import re
from typing import Any

import re2
import yaml
from jmespath import exceptions as jp_exceptions
from jmespath import functions

from wavecd.core.durations import parse_go_duration
from wavecd.kyverno.quantity import parse_quantity
from wavecd.kyverno.wildcard import wildcard_match

__all__ = ["KyvernoFunctions"]


def _types(*names: str) -> Any:
    """A signature entry: the JMESPath types an argument may have (none: any)."""
    return {"types": list(names)}


_STRING = _types("string")
_NUMBER = _types("number")
_ANY = _types()


def _text(value: Any, name: str) -> str:
    """Kyverno's `ifaceToString`: strings, numbers and booleans as text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return format(float(value), "f").rstrip("0").rstrip(".") if value != int(value) else str(int(value))
    if isinstance(value, str):
        return value
    raise jp_exceptions.JMESPathError(f"JMESPath function '{name}': argument #2 is not of type String or Real")


@functools.lru_cache(maxsize=256)
def _go_regex(pattern: str) -> Any:
    """A Go regexp: RE2, as Go's `regexp` is — linear in the text, so a policy's expression cannot hang the
    evaluation as a backtracking one could (`(a+)+$` over a long name); errors are not logged to stderr."""
    options = re2.Options()
    options.log_errors = False
    try:
        return re2.compile(pattern, options=options)
    except re2.error as err:
        reason = err.args[0].decode(errors="replace") if err.args and isinstance(err.args[0], bytes) else str(err)
        raise jp_exceptions.JMESPathError(f"error parsing regexp: {reason}") from None


def _go_replacement(template: str) -> str:
    """Go's `$1`/`${1}`/`${name}` replacement syntax as Python's `\\g<1>`."""
    out = re.sub(r"\$\{(\w+)\}", r"\\g<\1>", template.replace("\\", "\\\\"))
    return re.sub(r"\$(\w+)", r"\\g<\1>", out)


def _number(value: Any, name: str) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    raise jp_exceptions.JMESPathError(f"JMESPath function '{name}': operands must be numbers")


def _operand(value: Any, name: str) -> tuple[str, float]:
    """arithmetic.go#parseArithemticOperand: a number, else a quantity, else a duration (so `1m` is milli)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return "scalar", float(value)
    if isinstance(value, str):
        quantity = parse_quantity(value)
        if quantity is not None:
            return "quantity", float(quantity)
        try:
            return "duration", parse_go_duration(value)
        except ValueError:
            pass
    raise jp_exceptions.JMESPathError(f"JMESPath function '{name}': invalid operand")


def _scalars(a: Any, b: Any, name: str) -> tuple[float, float]:
    """Both operands as numbers; arithmetic whose result is a quantity or duration text is not offered."""
    (kind_a, x), (kind_b, y) = _operand(a, name), _operand(b, name)
    if kind_a != "scalar" or kind_b != "scalar":
        raise jp_exceptions.JMESPathError(
            f"JMESPath function '{name}': wavecd computes it on numbers only (Kyverno also on quantities and durations)"
        )
    return x, y


class KyvernoFunctions(functions.Functions):
    """The standard functions plus Kyverno's."""

    @functions.signature(_STRING, _STRING)
    def _func_compare(self, a: str, b: str) -> int:
        return (a > b) - (a < b)

    @functions.signature(_STRING, _STRING)
    def _func_equal_fold(self, a: str, b: str) -> bool:
        return a.casefold() == b.casefold()

    @functions.signature(_STRING, _STRING, _STRING, _NUMBER)
    def _func_replace(self, text: str, old: str, new: str, count: float) -> str:
        return text.replace(old, new, int(count))

    @functions.signature(_STRING, _STRING, _STRING)
    def _func_replace_all(self, text: str, old: str, new: str) -> str:
        return text.replace(old, new)

    @functions.signature(_STRING)
    def _func_to_upper(self, text: str) -> str:
        return text.upper()

    @functions.signature(_STRING)
    def _func_to_lower(self, text: str) -> str:
        return text.lower()

    @functions.signature(_STRING, _STRING)
    def _func_trim(self, text: str, cutset: str) -> str:
        return text.strip(cutset)

    @functions.signature(_STRING, _STRING)
    def _func_trim_prefix(self, text: str, prefix: str) -> str:
        return text.removeprefix(prefix)

    @functions.signature(_STRING, _STRING)
    def _func_split(self, text: str, sep: str) -> list[str]:
        if sep == "":
            return list(text)
        return text.split(sep)

    @functions.signature(_STRING, _ANY, _ANY)
    def _func_regex_replace_all(self, pattern: str, src: Any, repl: Any) -> str:
        name = "regex_replace_all"
        return str(_go_regex(pattern).sub(_go_replacement(_text(repl, name)), _text(src, name)))

    @functions.signature(_STRING, _ANY, _ANY)
    def _func_regex_replace_all_literal(self, pattern: str, src: Any, repl: Any) -> str:
        name = "regex_replace_all_literal"
        literal = _text(repl, name)
        return str(_go_regex(pattern).sub(lambda _m: literal, _text(src, name)))

    @functions.signature(_STRING, _ANY)
    def _func_regex_match(self, pattern: str, src: Any) -> bool:
        return _go_regex(pattern).search(_text(src, "regex_match")) is not None

    @functions.signature(_STRING, _ANY)
    def _func_pattern_match(self, pattern: str, src: Any) -> bool:
        return wildcard_match(pattern, _text(src, "pattern_match"))

    @functions.signature(_types("object"), _types("object"))
    def _func_label_match(self, selector: dict[str, Any], labels: dict[str, Any]) -> bool:
        return all(key in labels and labels[key] == value for key, value in selector.items())

    @functions.signature(_STRING)
    def _func_to_boolean(self, text: str) -> bool:
        lowered = text.lower()
        if lowered not in ("true", "false"):
            raise jp_exceptions.JMESPathError(
                f"JMESPath function 'to_boolean': lowercase argument must be 'true' or 'false' (provided: '{text}')"
            )
        return lowered == "true"

    @functions.signature(_ANY, _ANY)
    def _func_add(self, a: Any, b: Any) -> float:
        x, y = _scalars(a, b, "add")
        return x + y

    @functions.signature(_types("array"))
    def _func_sum(self, items: list[Any]) -> float:
        if not items:
            raise jp_exceptions.JMESPathError("JMESPath function 'sum': at least one element in the array is required")
        return float(math.fsum(_scalars(item, 0, "sum")[0] for item in items))

    @functions.signature(_ANY, _ANY)
    def _func_subtract(self, a: Any, b: Any) -> float:
        x, y = _scalars(a, b, "subtract")
        return x - y

    @functions.signature(_ANY, _ANY)
    def _func_multiply(self, a: Any, b: Any) -> float:
        x, y = _scalars(a, b, "multiply")
        return x * y

    @functions.signature(_ANY, _ANY)
    def _func_divide(self, a: Any, b: Any) -> float:
        """A number over a number, a quantity over a quantity or a duration over a duration gives a number."""
        (kind_a, x), (kind_b, y) = _operand(a, "divide"), _operand(b, "divide")
        if kind_a != kind_b:
            x, y = _scalars(a, b, "divide")
        if y == 0:
            raise jp_exceptions.JMESPathError("JMESPath function 'divide': Zero divisor passed")
        return x / y

    @functions.signature(_ANY, _ANY)
    def _func_modulo(self, a: Any, b: Any) -> float:
        x, y = _scalars(a, b, "modulo")
        if y == 0:
            raise jp_exceptions.JMESPathError("JMESPath function 'modulo': Zero divisor passed")
        return math.fmod(x, y)

    @functions.signature(_NUMBER, _NUMBER)
    def _func_round(self, value: float, digits: float) -> float:
        shift = 10.0 ** int(digits)
        return math.floor(value * shift + 0.5) / shift if value >= 0 else -math.floor(-value * shift + 0.5) / shift

    @functions.signature(_STRING)
    def _func_base64_decode(self, text: str) -> str:
        try:
            return base64.b64decode(text, validate=True).decode("utf-8", errors="replace")
        except (binascii.Error, ValueError) as err:
            raise jp_exceptions.JMESPathError(f"illegal base64 data: {err}") from err

    @functions.signature(_STRING)
    def _func_base64_encode(self, text: str) -> str:
        return base64.b64encode(text.encode()).decode()

    @functions.signature(_STRING)
    def _func_path_canonicalize(self, path: str) -> str:
        return posixpath.normpath(path) if path else ""

    @functions.signature(_STRING, _NUMBER)
    def _func_truncate(self, text: str, length: float) -> str:
        return text[: max(int(length), 0)]

    @functions.signature(_STRING)
    def _func_parse_json(self, text: str) -> Any:
        try:
            return json.loads(text)
        except ValueError as err:
            raise jp_exceptions.JMESPathError(str(err)) from err

    @functions.signature(_STRING)
    def _func_parse_yaml(self, text: str) -> Any:
        try:
            return yaml.safe_load(text)
        except yaml.YAMLError as err:
            raise jp_exceptions.JMESPathError(str(err)) from err

    @functions.signature(_types("object", "array"), _ANY)
    def _func_lookup(self, data: Any, key: Any) -> Any:
        if isinstance(data, dict):
            return data.get(key) if isinstance(key, str) else None
        index = int(_number(key, "lookup"))
        return data[index] if 0 <= index < len(data) else None

    @functions.signature(_types("object", "array"), _STRING, _STRING)
    def _func_items(self, data: Any, key_name: str, value_name: str) -> list[dict[str, Any]]:
        if isinstance(data, dict):
            return [{key_name: key, value_name: data[key]} for key in sorted(data)]
        return [{key_name: float(i), value_name: value} for i, value in enumerate(data)]

    @functions.signature(_types("array"), _types("array"))
    def _func_object_from_lists(self, keys: list[Any], values: list[Any]) -> dict[str, Any]:
        return {_text(key, "object_from_lists"): values[i] if i < len(values) else None for i, key in enumerate(keys)}

    @functions.signature(_STRING)
    def _func_sha256(self, text: str) -> str:
        return hashlib.sha256(text.encode()).hexdigest()
