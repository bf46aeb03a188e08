"""Helm's `toYamlPretty`: go-yaml v3's encoder with indent 2, applied to the Go value itself (no JSON).

Differences from `toYaml` that follow: sequences indent under their keys, float64 prints with 'g'
(`1e+06`, `-0`), NaN and infinities print as `.nan`/`.inf`, strings keep characters the JSON round trip
would change, and v3's own key order and tab handling apply. YAML 1.1 booleans (`yes`, `on`) are still
quoted, as v3 does for compatibility.
"""

from __future__ import annotations

from typing import Any

from wavecd.goyaml.emitter import Emitter, Plain, select_block_style
from wavecd.goyaml.errors import GoYamlError
from wavecd.goyaml.gonum import format_g
from wavecd.goyaml.jsonvalue import GoStructFields, valid_utf8
from wavecd.goyaml.keysort import sorted_keys_v3
from wavecd.goyaml.resolve import plain_reads_as_string
from wavecd.goyaml.scalar import analyze

_OLD_BOOLS = frozenset(
    ("y", "Y", "yes", "Yes", "YES", "on", "On", "ON", "n", "N", "no", "No", "NO", "off", "Off", "OFF")
)


def _float_text(f: float) -> Plain:
    if f != f:
        return Plain(".nan")
    if f in (float("inf"), float("-inf")):
        return Plain(".inf" if f > 0 else "-.inf")
    return Plain(format_g(f))


def normalise_v3(value: Any) -> Any:
    """The Go value as v3's encoder walks it: maps in v3 key order, scalars as their plain texts."""
    if isinstance(value, str):
        return valid_utf8(str(value))
    if isinstance(value, GoStructFields):
        # v3 writes a struct's fields in declaration order under their lowercased Go names
        return {valid_utf8(k.lower()): normalise_v3(v) for k, v in value.items()}
    if isinstance(value, dict):
        keys = {k if isinstance(k, str) else str(k): v for k, v in value.items()}
        return {valid_utf8(k): normalise_v3(keys[k]) for k in sorted_keys_v3(list(keys))}
    if isinstance(value, list | tuple):
        return [normalise_v3(v) for v in value]
    if value is None:
        return Plain("null")
    if isinstance(value, bool):
        return Plain("true" if value else "false")
    if isinstance(value, int):
        return Plain(int(value))
    if isinstance(value, float):
        return _float_text(value)
    if isinstance(value, bytes | bytearray):
        return [Plain(b) for b in value]
    to_json = getattr(value, "to_go_json", None)
    if to_json is not None:
        return normalise_v3(to_json())
    return Plain(str(value))


def style_v3(value: str, simple_key: bool) -> int:
    """go-yaml v3's `stringv` and scalar style selection in block context."""
    info = analyze(value, v3=True)
    return select_block_style(value, info, plain_reads_as_string(value) and value not in _OLD_BOOLS, simple_key)


def to_yaml_pretty(value: Any) -> str:
    """The text go-yaml v3's Encoder (SetIndent(2)) writes for `value`, trailing newline included."""
    try:
        return Emitter(style_v3, v3=True).emit_document(normalise_v3(value))
    except RecursionError:
        raise GoYamlError("wavecd: value nested too deeply to write") from None
