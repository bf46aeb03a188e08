"""Go's `%#v` of decoded YAML values, for the few go-yaml / sigs.k8s.io/yaml messages that print one."""

from __future__ import annotations

from typing import Any

from wavecd.core.goquote import quote
from wavecd.goyaml.gonum import INT64_MAX, format_g


def go_sharp_v(v: Any, *, top: bool = True) -> str:
    """`%#v` of a value held in an interface{} (maps and slices as go-yaml builds them)."""
    if v is None:
        return "<nil>" if top else "interface {}(nil)"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, int):
        return f"0x{v:x}" if v > INT64_MAX else str(v)
    if isinstance(v, float):
        return format_g(v)
    if isinstance(v, str):
        return quote(v)
    if isinstance(v, list):
        return "[]interface {}{" + ", ".join(go_sharp_v(x, top=False) for x in v) + "}"
    if isinstance(v, dict):
        inner = ", ".join(f"{go_sharp_v(k, top=False)}:{go_sharp_v(x, top=False)}" for k, x in sorted(v.items()))
        return "map[interface {}]interface {}{" + inner + "}"
    return str(v)
