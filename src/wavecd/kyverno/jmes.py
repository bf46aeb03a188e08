"""JMESPath as Kyverno runs it (`pkg/engine/jmespath`, the `kyverno/go-jmespath` fork of jmespath-community's),
on the `jmespath` package: a path whose last key is missing is an error (`Unknown key "x" in path`), not null —
except inside `||`, `&&`, `!`, comparisons, filters, projections and function arguments, where it is null; a
sub-expression whose left side is null is null (the community interpreter's rule); Kyverno's custom functions
join the standard ones (`functions.py`)."""

from __future__ import annotations

import functools
from typing import Any

import jmespath
from jmespath import exceptions as jp_exceptions
from jmespath.parser import ParsedResult
from jmespath.visitor import Options, TreeInterpreter

from wavecd.kyverno.functions import KyvernoFunctions

__all__ = ["JMESPathError", "NotFoundError", "search"]

_FUNCTIONS = KyvernoFunctions()
_OPTIONS = Options(custom_functions=_FUNCTIONS)


class JMESPathError(Exception):
    """A query that does not parse or fails while it runs."""


class NotFoundError(JMESPathError):
    """A plain path named a key its object does not have."""

    def __init__(self, key: str) -> None:
        super().__init__(f'Unknown key "{key}" in path')


class _Interpreter(TreeInterpreter):
    """The tree interpreter with the fork's missing-key error outside the lenient contexts."""

    def __init__(self) -> None:
        super().__init__(_OPTIONS)
        self._lenient = 0

    def _leniently(self, method: Any, node: Any, value: Any) -> Any:
        self._lenient += 1
        try:
            return method(self, node, value)
        finally:
            self._lenient -= 1

    def visit_field(self, node: Any, value: Any) -> Any:
        key = node["value"]
        if isinstance(value, dict):
            if key not in value and not self._lenient:
                raise NotFoundError(key)
            return value.get(key)
        return None

    def visit_subexpression(self, node: Any, value: Any) -> Any:
        """The left side's missing key becomes null, and null ends the path: only the last key of a path can be
        unknown."""
        *lefts, last = node["children"]
        result = value
        for child in lefts:
            try:
                result = self.visit(child, result)
            except NotFoundError:
                return None
            if result is None:
                return None
        return self.visit(last, result)

    def visit_index_expression(self, node: Any, value: Any) -> Any:
        return self.visit_subexpression(node, value)

    def visit_or_expression(self, node: Any, value: Any) -> Any:
        return self._leniently(TreeInterpreter.visit_or_expression, node, value)

    def visit_and_expression(self, node: Any, value: Any) -> Any:
        return self._leniently(TreeInterpreter.visit_and_expression, node, value)

    def visit_not_expression(self, node: Any, value: Any) -> bool:
        return bool(self._leniently(TreeInterpreter.visit_not_expression, node, value))

    def visit_comparator(self, node: Any, value: Any) -> Any:
        return self._leniently(TreeInterpreter.visit_comparator, node, value)

    def visit_function_expression(self, node: Any, value: Any) -> Any:
        return self._leniently(TreeInterpreter.visit_function_expression, node, value)

    def visit_filter_projection(self, node: Any, value: Any) -> list[Any] | None:
        result: list[Any] | None = self._leniently(TreeInterpreter.visit_filter_projection, node, value)
        return result

    def visit_projection(self, node: Any, value: Any) -> list[Any] | None:
        result: list[Any] | None = self._leniently(TreeInterpreter.visit_projection, node, value)
        return result

    def visit_value_projection(self, node: Any, value: Any) -> list[Any] | None:
        result: list[Any] | None = self._leniently(TreeInterpreter.visit_value_projection, node, value)
        return result


@functools.lru_cache(maxsize=2048)
def _compile(expression: str) -> ParsedResult:
    return jmespath.compile(expression)


def search(expression: str, data: Any) -> Any:
    """The value of `expression` over `data`; JMESPathError (NotFoundError for a missing key) when it fails."""
    try:
        parsed = _compile(expression)
    except jp_exceptions.JMESPathError as err:
        raise JMESPathError(f"incorrect query {expression}: {err}") from err
    try:
        return _Interpreter().visit(parsed.parsed, data)
    except NotFoundError:
        raise
    except (jp_exceptions.JMESPathError, ValueError, TypeError, KeyError) as err:
        raise JMESPathError(str(err)) from err
