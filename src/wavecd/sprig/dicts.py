"""Sprig's dict functions (dict.go) and the dario.cat/mergo v1.0.1 merge behind `merge`/`mergeOverwrite`.

Go maps are references: `set`, `unset`, `merge` and `mergeOverwrite` change the dict they are given and
return it, and a map copied in by a merge stays shared with its source. Go iterates maps in random
order; `keys` and `values` here follow insertion order, one of the orders Helm could produce.
"""

from __future__ import annotations

from typing import Any

from wavecd.core.gonil import GoNil
from wavecd.gotemplate.funcs import GoFunc, GoFuncError
from wavecd.gotemplate.gotypes import GoNamedMap, GoStringList, go_type_name
from wavecd.sprig.goval import is_empty, strval


def make_dict(*pairs: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for i in range(0, len(pairs), 2):
        out[strval(pairs[i])] = pairs[i + 1] if i + 1 < len(pairs) else ""
    return out


# A nil map (None) reads as empty in Go; writing to one panics. A typed nil map that Go would return
# prints as `map[]`, so an empty dict stands in for it.
_NIL_MAP: dict[str, Any] = {}


def get(d: dict[str, Any] | None, key: str) -> Any:
    return (d or _NIL_MAP).get(key, "")


def _as_parameter(d: dict[str, Any]) -> dict[str, Any]:
    """The map a `map[string]interface{}` parameter holds. Go converts a named map (`.Values`) to the
    parameter's type and set/unset/merge return that same map: writes through the result reach `.Values`
    (charts unset keys of a merged `.` that way), and `dig` accepts it. wavecd returns the same object,
    marked so that `dig` accepts it; `typeOf` of it still names the named type."""
    if d.__class__ is not dict and isinstance(d, GoNamedMap):
        d.passed_as_map = True
    return d


def set_key(d: dict[str, Any] | None, key: str, value: Any) -> dict[str, Any]:
    if d is None or isinstance(d, GoNil):
        raise GoFuncError("assignment to entry in nil map")
    d[key] = value
    return _as_parameter(d)


def unset(d: dict[str, Any] | None, key: str) -> dict[str, Any]:
    if d is None:
        return {}
    d.pop(key, None)
    return _as_parameter(d)


def pluck(key: str, *dicts: dict[str, Any] | None) -> list[Any]:
    return [d[key] for d in dicts if d is not None and key in d]


def keys(*dicts: dict[str, Any] | None) -> GoStringList:
    return GoStringList(k for d in dicts if d is not None for k in d)


def pick(d: dict[str, Any] | None, *names: str) -> dict[str, Any]:
    d = d or _NIL_MAP
    return {k: d[k] for k in names if k in d}


def omit(d: dict[str, Any] | None, *names: str) -> dict[str, Any]:
    dropped = set(names)
    return {k: v for k, v in (d or _NIL_MAP).items() if k not in dropped}


def merge_into(dst: dict[str, Any], src: dict[str, Any], overwrite: bool) -> None:
    """mergo's deepMerge of two map[string]interface{} values, as observed with Helm.

    Without overwrite a key is taken from src when dst lacks it or holds an empty value; nested maps
    merge recursively; lists are never merged. With overwrite src wins, empty values and nil included,
    except that an empty src map leaves a dst map alone (it merges as nothing).
    """
    for key, sv in src.items():
        if sv is None:
            if overwrite:
                dst[key] = None
            continue
        present = key in dst
        dv = dst.get(key)
        if isinstance(sv, dict) and isinstance(dv, dict):
            merge_into(dv, sv, overwrite)
            continue
        if overwrite or not present or is_empty(dv):
            dst[key] = sv


def merge(dst: dict[str, Any] | None, *srcs: dict[str, Any] | None) -> dict[str, Any]:
    """mergo.Merge into dst (a nil dst gets a new map first, as mergo does through its pointer)."""
    dst = {} if dst is None else dst
    for src in srcs:
        if src is not None:
            merge_into(dst, src, overwrite=False)
    return _as_parameter(dst)


def merge_overwrite(dst: dict[str, Any] | None, *srcs: dict[str, Any] | None) -> dict[str, Any]:
    dst = {} if dst is None else dst
    for src in srcs:
        if src is not None:
            merge_into(dst, src, overwrite=True)
    return _as_parameter(dst)


def _assert_type(v: Any, want: type, want_name: str) -> Any:
    """A Go type assertion `v.(T)`, with the runtime's panic text when it fails.

    An assertion names an exact type: a named map (`chartutil.Values`) is not a map[string]interface {}."""
    if isinstance(v, want) and (not isinstance(v, GoNamedMap) or getattr(v, "passed_as_map", False)):
        return v
    got = "nil" if v is None else go_type_name(v)
    raise GoFuncError(f"interface conversion: interface {{}} is {got}, not {want_name}")


def dig(*args: Any) -> Any:
    if len(args) < 3:
        raise GoFuncError("dig needs at least three arguments")
    current = _assert_type(args[-1], dict, "map[string]interface {}")
    default_value = args[-2]
    path = [_assert_type(k, str, "string") for k in args[:-2]]
    for i, key in enumerate(path):
        if key not in current:
            return default_value
        step = current[key]
        if i == len(path) - 1:
            return step
        current = _assert_type(step, dict, "map[string]interface {}")
    return default_value


_MAP = "map[string]interface {}"

FUNCS = [
    GoFunc("dict", make_dict, (), "interface {}"),
    GoFunc("get", get, (_MAP, "string")),
    GoFunc("set", set_key, (_MAP, "string", "interface {}")),
    GoFunc("unset", unset, (_MAP, "string")),
    GoFunc("hasKey", lambda d, key: d is not None and key in d, (_MAP, "string")),
    GoFunc("pluck", pluck, ("string",), _MAP),
    GoFunc("keys", keys, (), _MAP),
    GoFunc("pick", pick, (_MAP,), "string"),
    GoFunc("omit", omit, (_MAP,), "string"),
    GoFunc("merge", merge, (_MAP,), _MAP),
    GoFunc("mergeOverwrite", merge_overwrite, (_MAP,), _MAP),
    GoFunc("mustMerge", merge, (_MAP,), _MAP),
    GoFunc("mustMergeOverwrite", merge_overwrite, (_MAP,), _MAP),
    GoFunc("values", lambda d: list((d or _NIL_MAP).values()), (_MAP,)),
    GoFunc("dig", dig, (), "interface {}"),
]
