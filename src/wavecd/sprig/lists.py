"""Sprig's list functions (list.go): `list`, `append`, `first`, `uniq`, `slice`, `chunk`, ...

They accept any Go slice (including `[]string` from `splitList`) through reflect and return a new
`[]interface{}`; given anything else they fail with Sprig's `Cannot ... on type <kind>` text (the plain
variants panic, the `must` ones return it: a template sees the same error either way). A nil list
reaches `reflect.TypeOf(nil).Kind()` in Sprig, a nil pointer dereference.
"""

from __future__ import annotations

import math
from typing import Any

from wavecd.core.gonil import NilList
from wavecd.gotemplate.funcs import GoFunc, GoFuncError
from wavecd.gotemplate.gotypes import GoChunkList, GoIntList, GoStringList
from wavecd.sprig.cast import float_to_int64, to_int64
from wavecd.sprig.goval import as_items, deep_equal, is_empty, is_list_kind, kind_name

_MAKESLICE = "runtime error: makeslice: len out of range"


def _items(v: Any, message: str) -> list[Any]:
    """The elements of a slice, or Sprig's error naming the value's kind (`message` has a `{}`)."""
    if is_list_kind(v):
        return as_items(v)
    raise GoFuncError(message.format(kind_name(v)))


def push(v: Any, item: Any) -> list[Any]:
    return [*_items(v, "Cannot push on type {}"), item]


def prepend(v: Any, item: Any) -> list[Any]:
    return [item, *_items(v, "Cannot prepend on type {}")]


def first(v: Any) -> Any:
    items = _items(v, "Cannot find first on type {}")
    return items[0] if items else None


def last(v: Any) -> Any:
    items = _items(v, "Cannot find last on type {}")
    return items[-1] if items else None


def rest(v: Any) -> list[Any]:
    """Sprig returns nil (not an empty slice) for an empty list, as `initial` does."""
    items = _items(v, "Cannot find rest on type {}")
    return list(items[1:]) if items else NilList()


def initial(v: Any) -> list[Any]:
    items = _items(v, "Cannot find initial on type {}")
    return list(items[:-1]) if items else NilList()


def reverse(v: Any) -> list[Any]:
    return list(reversed(_items(v, "Cannot find reverse on type {}")))


def compact(v: Any) -> list[Any]:
    return [x for x in _items(v, "Cannot compact on type {}") if not is_empty(x)]


def _contains(haystack: list[Any], needle: Any) -> bool:
    return any(deep_equal(needle, h) for h in haystack)


def uniq(v: Any) -> list[Any]:
    out: list[Any] = []
    for x in _items(v, "Cannot find uniq on type {}"):
        if not _contains(out, x):
            out.append(x)
    return out


def without(v: Any, *omit: Any) -> list[Any]:
    omitted = list(omit)
    return [x for x in _items(v, "Cannot find without on type {}") if not _contains(omitted, x)]


def has(needle: Any, haystack: Any) -> bool:
    if haystack is None:
        return False
    return _contains(_items(haystack, "Cannot find has on type {}"), needle)


def go_slice(v: Any, *indices: Any) -> Any:
    items = _items(v, "list should be type of slice or array but {}")
    n = len(items)
    if n == 0:
        return None
    start = to_int64(indices[0]) if indices else 0
    end = to_int64(indices[1]) if len(indices) >= 2 else n
    if start < 0 or end < start or end > n:
        raise GoFuncError("reflect.Value.Slice: slice index out of bounds")
    if isinstance(v, bytes):
        return v[start:end]
    part = v[start:end]
    if isinstance(v, (GoStringList, GoIntList)):
        return type(v)(part)
    return list(part)


def concat(*lists: Any) -> list[Any]:
    """Sprig starts from a nil slice and appends: with nothing appended the result stays nil (toJson
    writes `null`)."""
    out: list[Any] = []
    for v in lists:
        out.extend(_items(v, "Cannot concat type {} as list"))
    return out if out else NilList()


def _float_floor(x: float) -> float:
    """math.Floor, which leaves infinities and NaN as they are."""
    return x if math.isinf(x) or x != x else float(math.floor(x))


def chunk(size: int, v: Any) -> GoChunkList:
    """Sprig computes the chunk count in float64, so a size of 0 ends in Go's makeslice panic."""
    items = _items(v, "Cannot chunk type {}")
    n = len(items)
    if size == 0:
        raise GoFuncError(_MAKESLICE)
    count = float_to_int64(_float_floor((n - 1) / size) + 1)
    if count < 0:
        raise GoFuncError(_MAKESLICE)
    out = GoChunkList()
    for i in range(count):
        length = size
        if i == count - 1:
            length = float_to_int64(_float_floor(math.fmod(n, size))) or size
        if length < 0:
            raise GoFuncError(_MAKESLICE)
        if i * size + length > n:
            raise GoFuncError("reflect: slice index out of range")
        out.append(list(items[i * size : i * size + length]))
    return out


FUNCS = [
    GoFunc("list", lambda *vs: list(vs), (), "interface {}"),
    GoFunc("tuple", lambda *vs: list(vs), (), "interface {}"),
    GoFunc("append", push, ("interface {}", "interface {}")),
    GoFunc("push", push, ("interface {}", "interface {}")),
    GoFunc("mustAppend", push, ("interface {}", "interface {}")),
    GoFunc("mustPush", push, ("interface {}", "interface {}")),
    GoFunc("prepend", prepend, ("interface {}", "interface {}")),
    GoFunc("mustPrepend", prepend, ("interface {}", "interface {}")),
    GoFunc("first", first, ("interface {}",)),
    GoFunc("mustFirst", first, ("interface {}",)),
    GoFunc("rest", rest, ("interface {}",)),
    GoFunc("mustRest", rest, ("interface {}",)),
    GoFunc("last", last, ("interface {}",)),
    GoFunc("mustLast", last, ("interface {}",)),
    GoFunc("initial", initial, ("interface {}",)),
    GoFunc("mustInitial", initial, ("interface {}",)),
    GoFunc("reverse", reverse, ("interface {}",)),
    GoFunc("mustReverse", reverse, ("interface {}",)),
    GoFunc("compact", compact, ("interface {}",)),
    GoFunc("mustCompact", compact, ("interface {}",)),
    GoFunc("uniq", uniq, ("interface {}",)),
    GoFunc("mustUniq", uniq, ("interface {}",)),
    GoFunc("without", without, ("interface {}",), "interface {}"),
    GoFunc("mustWithout", without, ("interface {}",), "interface {}"),
    GoFunc("has", has, ("interface {}", "interface {}")),
    GoFunc("mustHas", has, ("interface {}", "interface {}")),
    GoFunc("slice", go_slice, ("interface {}",), "interface {}"),
    GoFunc("mustSlice", go_slice, ("interface {}",), "interface {}"),
    GoFunc("concat", concat, (), "interface {}"),
    GoFunc("chunk", chunk, ("int", "interface {}")),
    GoFunc("mustChunk", chunk, ("int", "interface {}")),
]
