"""Sprig's defaults and flow helpers: `default`, `empty`, `coalesce`, `all`, `any`, `ternary`, `deepCopy`.

All of them judge values with Sprig's `empty` (goval.is_empty): `default 1 0` is 1, `default "d" "0"`
is "0", a struct is never empty.
"""

from __future__ import annotations

from typing import Any

from wavecd.gotemplate.funcs import GoFunc, GoFuncError
from wavecd.sprig.goval import is_empty


def default(d: Any, *given: Any) -> Any:
    if not given or is_empty(given[0]):
        return d
    return given[0]


def coalesce(*values: Any) -> Any:
    for v in values:
        if not is_empty(v):
            return v
    return None


def deep_copy(v: Any) -> Any:
    """copystructure.Copy for the values templates hold; it cannot copy an untyped nil."""
    if v is None:
        raise GoFuncError("reflect: call of reflect.Value.Type on zero Value")
    return _copy(v)


def _copy(v: Any) -> Any:
    if isinstance(v, dict):
        copied = {k: _copy(x) for k, x in v.items()}
        cls = v.__class__
        return copied if cls is dict else cls(copied)  # copystructure keeps named map types (chartutil.Values)
    if isinstance(v, list):
        items = [_copy(x) for x in v]
        return items if v.__class__ is list else v.__class__(items)  # keeps []string, chartutil.VersionSet
    return v


FUNCS = [
    GoFunc("default", default, ("interface {}",), "interface {}"),
    GoFunc("empty", is_empty, ("interface {}",)),
    GoFunc("coalesce", coalesce, (), "interface {}"),
    GoFunc("all", lambda *vs: all(not is_empty(v) for v in vs), (), "interface {}"),
    GoFunc("any", lambda *vs: any(not is_empty(v) for v in vs), (), "interface {}"),
    GoFunc("ternary", lambda vt, vf, cond: vt if cond else vf, ("interface {}", "interface {}", "bool")),
    GoFunc("deepCopy", deep_copy, ("interface {}",)),
    GoFunc("mustDeepCopy", deep_copy, ("interface {}",)),
]
