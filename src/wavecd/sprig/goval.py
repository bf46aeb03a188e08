"""Go value semantics Sprig leans on: `strval`, `empty`, `reflect.DeepEqual`, reflect kinds, int64 wrap-around.

Sprig is written against `reflect`, so its behaviour depends on the dynamic Go type of a value, not
just its Python value: `deepEqual 1 (add 0 1)` is false because int and int64 differ. The helpers here
answer those questions once, for every category module.

Go strings may hold any bytes; in Python they are `str` with undecodable bytes kept as lone surrogates
(`surrogateescape`), the convention gofmt uses too. `go_bytes`/`from_go_bytes` convert.
"""

from __future__ import annotations

from typing import Any

from wavecd.gotemplate.funcs import GoFuncError
from wavecd.gotemplate.gofmt import format_value
from wavecd.gotemplate.gotypes import GoStruct, Uint8, go_kind, go_type_name

_INT64_MIN = -(1 << 63)
_UINT64 = 1 << 64

NIL_DEREFERENCE = "runtime error: invalid memory address or nil pointer dereference"


def wrap64(n: int) -> int:
    """Two's-complement int64 overflow, as Go's `+`, `-`, `*` do silently."""
    if _INT64_MIN <= n < -_INT64_MIN:
        return n
    n &= _UINT64 - 1
    return n - _UINT64 if n >= -_INT64_MIN else n


def go_bytes(s: str) -> bytes:
    """The bytes of a Go string."""
    return s.encode("utf-8", "surrogateescape")


def from_go_bytes(b: bytes) -> str:
    """A Go string from arbitrary bytes (string([]byte))."""
    return b.decode("utf-8", "surrogateescape")


def go_len(s: str) -> int:
    """len(s) of a Go string: bytes, not characters."""
    return len(s) if s.isascii() else len(go_bytes(s))


def strval(v: Any) -> str:
    """Sprig's `strval`: strings as they are, []byte as text, errors and Stringers by method, else `%v`."""
    if isinstance(v, str):
        return v
    if isinstance(v, bytes):
        return from_go_bytes(v)
    return format_value(v)


def is_empty(v: Any) -> bool:
    """Sprig's `empty`: Go's zero value test by reflect kind; a struct is never empty."""
    if v is None:
        return True
    if isinstance(v, (bool, int, float)):
        return not v
    if isinstance(v, (str, bytes, list, dict)):
        return len(v) == 0
    return False


def deep_equal(a: Any, b: Any) -> bool:
    """reflect.DeepEqual: equal dynamic Go types and equal contents, recursively."""
    if a is None or b is None:
        return a is None and b is None
    if type(a) is not type(b):
        return False
    if isinstance(a, list):
        return len(a) == len(b) and all(deep_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return len(a) == len(b) and all(k in b and deep_equal(v, b[k]) for k, v in a.items())
    if isinstance(a, GoStruct):
        return a is b or a == b
    return a == b


def is_list_kind(v: Any) -> bool:
    """reflect Kind Slice or Array."""
    return isinstance(v, (list, bytes))


def kind_name(v: Any) -> str:
    """reflect.TypeOf(v).Kind().String(); nil panics there in Go, as a nil pointer dereference."""
    if v is None:
        raise GoFuncError(NIL_DEREFERENCE)
    return go_kind(v)


def require(v: Any, cls: type, go_type: str) -> Any:
    """Go's argument check for a parameter type the engine does not know (`time.Time`, a Sprig struct)."""
    if isinstance(v, cls):
        return v
    raise GoFuncError(f"wrong type for value; expected {go_type}; got {go_type_name(v)}")


def as_items(v: Any) -> list[Any]:
    """The elements of a slice value (a []byte yields uint8 values)."""
    if isinstance(v, bytes):
        return [Uint8(c) for c in v]
    return v
