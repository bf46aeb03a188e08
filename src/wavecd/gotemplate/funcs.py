"""The calling convention between the template engine and the functions it calls (builtins, Sprig, Helm).

Go checks a call before making it: the argument count against the signature, then each argument against
its parameter type. To reproduce those checks and their messages exactly, every function is registered
with its Go signature as a `GoFunc`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


class GoFuncError(Exception):
    """Raised by a function to fail the template: the engine reports `error calling NAME: <message>`.

    Both a returned Go error and a recovered panic end up here; the message is Go's text.
    """


@dataclass(frozen=True, slots=True)
class GoFunc:
    """A function callable from a template.

    `params` are Go type names of the fixed parameters, for example `("string", "interface {}")`;
    `variadic` is the element type of a trailing `...T` parameter, or None. Type names in use:
    `interface {}`, `string`, `bool`, `int`, `int64`, `float64`, `[]interface {}`, `[]string`,
    `map[string]interface {}`, `[]uint8`, `reflect.Value` (passed through as is, unchecked).
    `fn` receives the converted arguments positionally and returns the result; to fail it raises
    `GoFuncError`.
    """

    name: str
    fn: Callable[..., Any]
    params: tuple[str, ...] = ()
    variadic: str | None = None


FuncMap = dict[str, GoFunc]
