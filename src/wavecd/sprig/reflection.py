"""Sprig's reflection functions: Go type names (`%T`) and reflect kinds of template values."""

from __future__ import annotations

from typing import Any

from wavecd.gotemplate.funcs import GoFunc
from wavecd.gotemplate.gotypes import go_kind, go_type_name
from wavecd.sprig.goval import deep_equal


def type_is_like(target: str, v: Any) -> bool:
    name = go_type_name(v)
    return target == name or "*" + target == name


FUNCS = [
    GoFunc("typeOf", go_type_name, ("interface {}",)),
    GoFunc("typeIs", lambda target, v: target == go_type_name(v), ("string", "interface {}")),
    GoFunc("typeIsLike", type_is_like, ("string", "interface {}")),
    GoFunc("kindOf", go_kind, ("interface {}",)),
    GoFunc("kindIs", lambda target, v: target == go_kind(v), ("string", "interface {}")),
    GoFunc("deepEqual", deep_equal, ("interface {}", "interface {}")),
]
