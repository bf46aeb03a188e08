"""TOML as Helm's `toToml` / `fromToml` use BurntSushi/toml (v1.4.0 in Helm 3.17, v1.6.0 in Helm 4).

The encoder writes a map's plain keys first and its tables after, each group in byte order; nested table
headers are indented two spaces per level; floats always show a fraction or an exponent. v1.4.0 prints
floats with 'f' (`1000000.0`), v1.6.0 with 'g' (`1e+06`). Nil map values are skipped; a nil array element
is an error. Helm's toToml prints the error text instead of TOML.
"""

from __future__ import annotations

import datetime
import tomllib
from collections.abc import Callable
from typing import Any

from wavecd.goyaml.errors import GoTomlError
from wavecd.goyaml.gonum import format_f, format_g
from wavecd.goyaml.jsonvalue import valid_utf8
from wavecd.goyaml.tomlerrors import burntsushi_error

_BARE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}

_NIL_ELEMENT = "toml: cannot encode array with nil element"
_NO_KEY = "toml: top-level values must be Go maps or structs"

# toml types of Go values, as tomlTypeOfGo sees them
_TABLE, _ARRAY_OF_TABLES, _OTHER, _NIL = range(4)


def _quote(s: str) -> str:
    out = []
    for c in valid_utf8(s):
        e = _ESCAPES.get(c)
        if e is not None:
            out.append(e)
        elif c < " " or c == "\x7f":
            out.append(f"\\u{ord(c):04x}")
        else:
            out.append(c)
    return '"' + "".join(out) + '"'


def key_piece(k: str) -> str:
    """One piece of a dotted key as BurntSushi/toml writes it (Key.maybeQuoted): bare when it can be."""
    if k == "":
        return '""'
    if all(c in _BARE for c in k):
        return k
    return _quote(k)


def _plain(value: Any) -> Any:
    """Structs and bytes as the encoder walks them."""
    if isinstance(value, bytes | bytearray):
        return list(value)
    to_json = getattr(value, "to_go_json", None)
    if to_json is not None:
        return to_json()
    return value


def _kind(value: Any) -> int:
    value = _plain(value)
    if value is None:
        return _NIL
    if isinstance(value, dict):
        return _TABLE
    if isinstance(value, list | tuple):
        if not value:
            return _OTHER
        kinds = [_kind(v) for v in value]
        if _NIL in kinds:
            raise GoTomlError(_NIL_ELEMENT)
        return _ARRAY_OF_TABLES if all(k == _TABLE for k in kinds) else _OTHER
    return _OTHER


class _Encoder:
    def __init__(self, float_text: Callable[[float], str]):
        self.out: list[str] = []
        self.written = False
        self.float_text = float_text

    def write(self, s: str) -> None:
        self.out.append(s)
        self.written = True

    def newline(self) -> None:
        if self.written:
            self.write("\n")

    def encode(self, key: list[str], value: Any) -> None:
        value = _plain(value)
        kind = _kind(value)
        if kind == _NIL:
            return
        if kind == _TABLE:
            self.table(key, value)
        elif kind == _ARRAY_OF_TABLES:
            if not key:
                raise GoTomlError(_NO_KEY)
            for item in value:
                self.newline()
                self.write(f"{'  ' * (len(key) - 1)}[[{'.'.join(key_piece(k) for k in key)}]]")
                self.newline()
                self.map(key, _plain(item), inline=False)
        else:
            self.key_value(key, value, inline=False)

    def table(self, key: list[str], value: dict) -> None:
        if len(key) == 1:
            self.newline()
        if key:
            self.write(f"{'  ' * (len(key) - 1)}[{'.'.join(key_piece(k) for k in key)}]")
            self.newline()
        self.map(key, value, inline=False)

    def map(self, key: list[str], value: dict, inline: bool) -> None:
        direct: list[tuple[str, Any]] = []
        sub: list[tuple[str, Any]] = []
        for k, v in value.items():
            k = k if isinstance(k, str) else str(k)
            (sub if _kind(v) in (_TABLE, _ARRAY_OF_TABLES) else direct).append((k, v))
        if inline:
            self.write("{")
        for group, trailing in ((direct, bool(sub)), (sub, False)):
            group.sort(key=lambda kv: kv[0].encode("utf-8", "surrogatepass"))
            for i, (k, v) in enumerate(group):
                if _plain(v) is None:
                    continue
                if inline:
                    self.key_value([k], v, inline=True)
                    if trailing or i != len(group) - 1:
                        self.write(", ")
                else:
                    self.encode([*key, k], v)
        if inline:
            self.write("}")

    def key_value(self, key: list[str], value: Any, inline: bool) -> None:
        if not key:
            self.element(value)
            return
        self.write(f"{'  ' * (len(key) - 1)}{key_piece(key[-1])} = ")
        self.element(value)
        if not inline:
            self.newline()

    def element(self, value: Any) -> None:
        value = _plain(value)
        if isinstance(value, str):
            self.write(_quote(value))
        elif isinstance(value, bool):
            self.write("true" if value else "false")
        elif isinstance(value, int):
            self.write(str(int(value)))
        elif isinstance(value, float):
            self.write(self.float(value))
        elif isinstance(value, list | tuple):
            self.write("[")
            for i, v in enumerate(value):
                self.element(v)
                if i != len(value) - 1:
                    self.write(", ")
            self.write("]")
        elif isinstance(value, dict):
            self.map([], value, inline=True)
        else:
            raise GoTomlError(f"toml: unexpected type: {type(value).__name__}")

    def float(self, f: float) -> str:
        if f != f:
            return "nan"
        if f in (float("inf"), float("-inf")):
            return "-inf" if f < 0 else "inf"
        s = self.float_text(f)
        return s if ("e" in s or "." in s) else s + ".0"


def marshal(value: Any, *, helm_major: int = 4) -> str:
    """What BurntSushi/toml's Encoder writes for `value`; raises GoTomlError with its message."""
    enc = _Encoder(format_g if helm_major >= 4 else format_f)
    try:
        enc.encode([], value)
    except RecursionError:
        raise GoTomlError("wavecd: value nested too deeply to write") from None
    return "".join(enc.out)


def _go_value(v: Any, int_type: Callable[[int], Any]) -> Any:
    """tomllib's values as BurntSushi gives them to Helm: ints int64, datetimes as their RFC 3339 text."""
    t = type(v)
    if t is dict:
        return {k: _go_value(x, int_type) for k, x in v.items()}
    if t is list:
        return [_go_value(x, int_type) for x in v]
    if t is int:
        return int_type(v)
    if t is datetime.datetime:
        return _rfc3339(v.replace(tzinfo=None).isoformat(), v.utcoffset())
    if t is datetime.date:
        return v.isoformat() + "T00:00:00Z"
    if t is datetime.time:
        return _rfc3339("0000-01-01T" + v.isoformat(), None)
    return v


def _rfc3339(local: str, offset: datetime.timedelta | None) -> str:
    """time.Time's JSON text: fraction without trailing zeros, `Z` for a zero or missing offset.

    BurntSushi gives local dates and times a zero-offset zone, so they print with `Z` too.
    """
    if "." in local:
        local = local.rstrip("0").rstrip(".")
    if not offset:
        return local + "Z"
    total = int(offset.total_seconds())
    sign = "-" if total < 0 else "+"
    total = abs(total)
    return f"{local}{sign}{total // 3600:02d}:{total % 3600 // 60:02d}"


def unmarshal(text: str, *, int_type: Callable[[int], Any] = int, helm_major: int = 4) -> dict:
    """Decode TOML into a map as `fromToml` does; `int_type` wraps integers (Helm sees int64).

    Errors carry BurntSushi's text where tomlerrors knows it, else `toml: <tomllib's message>`.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise GoTomlError(burntsushi_error(text, helm_major) or f"toml: {e}") from None
    return _go_value(data, int_type)
