"""Go's builtin template functions (`text/template/funcs.go`) as GoFuncs with Go's signatures and errors.

`and` and `or` are listed for lookup and arity, but the compiler evaluates them itself because they
short-circuit. The comparison texts depend on the Go version, hence `builtins_for(go_version)`.
"""

from __future__ import annotations

from functools import cache
from typing import Any
from urllib.parse import quote_plus

from wavecd.gotemplate import gofmt
from wavecd.gotemplate.funcs import FuncMap, GoFunc, GoFuncError
from wavecd.gotemplate.gotypes import GoStruct, Int64, Uint8, Uint64, go_type_name

R = "reflect.Value"


def _and(*args: Any) -> Any:
    for v in args:
        if not v:
            return v
    return args[-1]


def _or(*args: Any) -> Any:
    for v in args:
        if v:
            return v
    return args[-1]


def _not(v: Any) -> bool:
    return not v


def _len(v: Any) -> int:
    if v is None:
        raise GoFuncError("reflect: call of reflect.Value.Type on zero Value")
    if isinstance(v, (str, bytes, bytearray)):
        return len(v.encode("utf-8", "surrogateescape")) if isinstance(v, str) and not v.isascii() else len(v)
    if isinstance(v, (list, dict)):
        return len(v)
    raise GoFuncError(f"len of type {go_type_name(v)}")


def _index_arg(i: Any, cap: int) -> int:
    if i is None:
        raise GoFuncError("cannot index slice/array with nil")
    if not isinstance(i, int) or isinstance(i, bool):
        raise GoFuncError(f"cannot index slice/array with type {go_type_name(i)}")
    if i < 0 or i > cap:
        raise GoFuncError(f"index out of range: {i}")
    return i


def _go_bytes(s: str) -> bytes:
    return s.encode("utf-8", "surrogateescape")


def _index(item: Any, *indexes: Any) -> Any:
    if item is None:
        raise GoFuncError("index of untyped nil")
    for i in indexes:
        if item is None:
            raise GoFuncError("index of nil pointer")
        if isinstance(item, (list, str, bytes, bytearray)):
            seq = _go_bytes(item) if isinstance(item, str) and not item.isascii() else item
            x = _index_arg(i, len(seq))
            if x == len(seq):
                kind = "string" if isinstance(item, str) else "slice"
                raise GoFuncError(f"reflect: {kind} index out of range")
            elem = seq[x]
            item = Uint8(ord(elem) if isinstance(elem, str) else elem) if not isinstance(item, list) else elem
        elif isinstance(item, dict):
            if i is None:
                raise GoFuncError("value is nil; should be of type string")
            if i.__class__ is not str:
                raise GoFuncError(f"value has type {go_type_name(i)}; should be string")
            item = item.get(i, "" if go_type_name(item) == "map[string]string" else None)
        else:
            raise GoFuncError(f"can't index item of type {go_type_name(item)}")
    return item


def _slice(item: Any, *indexes: Any) -> Any:
    if item is None:
        raise GoFuncError("slice of untyped nil")
    if len(indexes) > 3:
        raise GoFuncError(f"too many slice indexes: {len(indexes)}")
    if isinstance(item, str):
        if len(indexes) == 3:
            raise GoFuncError("cannot 3-index slice a string")
        seq: Any = item if item.isascii() else _go_bytes(item)
    elif isinstance(item, (list, bytes, bytearray)):
        seq = item
    else:
        raise GoFuncError(f"can't slice item of type {go_type_name(item)}")
    cap = len(seq)
    idx = [0, len(seq), 0]
    for n, i in enumerate(indexes):
        idx[n] = _index_arg(i, cap)
    if idx[0] > idx[1]:
        raise GoFuncError(f"invalid slice index: {idx[0]} > {idx[1]}")
    if len(indexes) == 3 and idx[1] > idx[2]:
        raise GoFuncError(f"invalid slice index: {idx[1]} > {idx[2]}")
    part = seq[idx[0] : idx[1]]
    if isinstance(item, str) and isinstance(part, bytes):
        return part.decode("utf-8", "surrogateescape")
    if isinstance(item, list) and type(item) is not list:
        return type(item)(part)  # a typed slice stays typed ([]string, []int)
    return part


def _printable(args: tuple) -> tuple:
    return tuple("<no value>" if a is None else a for a in args)


def _eval_args(args: tuple) -> str:
    if len(args) == 1 and args[0].__class__ is str:
        return args[0]
    return gofmt.sprint(*_printable(args))


_HTML = {"\0": "\ufffd", '"': "&#34;", "'": "&#39;", "&": "&amp;", "<": "&lt;", ">": "&gt;"}


def _html(*args: Any) -> str:
    s = _eval_args(args)
    if not any(c in s for c in _HTML):
        return s
    return "".join(_HTML.get(c, c) for c in s)


_JS = {"\\": "\\\\", "'": "\\'", '"': '\\"', "<": "\\u003C", ">": "\\u003E", "&": "\\u0026", "=": "\\u003D"}


def _js(*args: Any) -> str:
    s = _eval_args(args)
    out = []
    for c in s:
        if c in _JS:
            out.append(_JS[c])
        elif c < " ":
            out.append(f"\\u00{ord(c):02X}")
        elif c >= "\x80" and not c.isprintable():
            code = ord(c)
            out.append(f"\\u{0xFFFD if 0xDC80 <= code <= 0xDCFF else code:04X}")
        else:
            out.append(c)
    return "".join(out)


def _urlquery(*args: Any) -> str:
    return quote_plus(_go_bytes(_eval_args(args)), safe="")


# Comparison ---------------------------------------------------------------------------------------

_BOOL, _COMPLEX, _INT, _FLOAT, _STRING, _UINT, _INVALID = range(7)


def _kind(v: Any) -> int:
    cls = v.__class__
    if cls is str:
        return _STRING
    if cls is bool:
        return _BOOL
    if cls is float:
        return _FLOAT
    if isinstance(v, (Uint8, Uint64)):
        return _UINT
    if isinstance(v, int):
        return _INT
    if cls is complex:
        return _COMPLEX
    return _INVALID


def _incompatible(a: Any, b: Any, detailed: bool) -> GoFuncError:
    if detailed:
        return GoFuncError(f"incompatible types for comparison: {go_type_name(a)} and {go_type_name(b)}")
    return GoFuncError("incompatible types for comparison")


def _reflect_kind(v: Any) -> str:
    if v is None:
        return "invalid"
    if isinstance(v, GoStruct):
        return "ptr" if v.go_type.startswith("*") else "struct"
    if isinstance(v, (list, bytes, bytearray)):
        return "slice"
    if isinstance(v, dict):
        return "map"
    return type(v).__name__


def _make_eq(detailed: bool) -> Any:
    def eq(arg1: Any, *rest: Any) -> bool:
        if not rest:
            raise GoFuncError("missing argument for comparison")
        k1 = _kind(arg1)
        for arg in rest:
            k2 = _kind(arg)
            if k1 != k2:
                if (k1 == _INT and k2 == _UINT) or (k1 == _UINT and k2 == _INT):
                    truth = arg1 == arg
                elif arg1 is not None and arg is not None:
                    raise _incompatible(arg1, arg, detailed)
                else:
                    truth = False
            elif k1 != _INVALID:
                truth = arg1 == arg
            else:
                r1, r2 = _reflect_kind(arg1), _reflect_kind(arg)
                if r1 != r2 and r1 != "invalid" and r2 != "invalid":
                    raise GoFuncError(
                        f"non-comparable types {gofmt.sprintf('%s', arg1)}: {go_type_name(arg1)}, "
                        f"{go_type_name(arg)}: {gofmt.format_value(arg)}"
                    )
                if arg1 is None or arg is None:
                    truth = arg1 is None and arg is None
                elif r2 in ("map", "slice") or isinstance(arg, (list, dict)):
                    raise GoFuncError(f"non-comparable type {gofmt.sprintf('%s', arg)}: {go_type_name(arg)}")
                else:
                    truth = arg1 is arg or arg1 == arg
            if truth:
                return True
        return False

    return eq


def _make_lt(detailed: bool) -> Any:
    def lt(a: Any, b: Any) -> bool:
        k1 = _kind(a)
        if k1 == _INVALID:
            raise GoFuncError("invalid type for comparison")
        k2 = _kind(b)
        if k2 == _INVALID:
            raise GoFuncError("invalid type for comparison")
        if k1 != k2:
            if (k1 == _INT and k2 == _UINT) or (k1 == _UINT and k2 == _INT):
                return a < b
            raise _incompatible(a, b, detailed)
        if k1 in (_BOOL, _COMPLEX):
            raise GoFuncError("invalid type for comparison")
        if k1 == _STRING and not (a.isascii() and b.isascii()):
            return _go_bytes(a) < _go_bytes(b)
        return a < b

    return lt


@cache
def builtins_for(go_version: tuple[int, int]) -> FuncMap:
    """The builtin functions with the messages of one Go version (`: T1 and T2` appeared in go1.25)."""
    detailed = go_version >= (1, 25)
    eq = _make_eq(detailed)
    lt = _make_lt(detailed)

    def ne(a: Any, b: Any) -> bool:
        return not eq(a, b)

    def le(a: Any, b: Any) -> bool:
        return lt(a, b) or eq(a, b)

    def gt(a: Any, b: Any) -> bool:
        return not le(a, b)

    def ge(a: Any, b: Any) -> bool:
        return not lt(a, b)

    fm = [
        GoFunc("and", _and, (R,), R),
        GoFunc("or", _or, (R,), R),
        GoFunc("not", _not, (R,)),
        GoFunc("len", _len, (R,)),
        GoFunc("index", _index, (R,), R),
        GoFunc("slice", _slice, (R,), R),
        GoFunc("print", gofmt.sprint, (), "interface {}"),
        GoFunc("printf", gofmt.sprintf, ("string",), "interface {}"),
        GoFunc("println", gofmt.sprintln, (), "interface {}"),
        GoFunc("html", _html, (), "interface {}"),
        GoFunc("js", _js, (), "interface {}"),
        GoFunc("urlquery", _urlquery, (), "interface {}"),
        GoFunc("eq", eq, (R,), R),
        GoFunc("ne", ne, (R, R)),
        GoFunc("lt", lt, (R, R)),
        GoFunc("le", le, (R, R)),
        GoFunc("gt", gt, (R, R)),
        GoFunc("ge", ge, (R, R)),
        GoFunc("call", _call, (R,), R),
    ]
    return {f.name: f for f in fm}


def _call(name: str, fn: Any, *args: Any) -> Any:
    if fn is None:
        raise GoFuncError("call of nil")
    if isinstance(fn, GoFunc):
        want = len(fn.params)
        if fn.variadic is not None:
            if len(args) < want:
                raise GoFuncError(f"wrong number of args for {name}: got {len(args)} want at least {want}")
        elif len(args) != want:
            raise GoFuncError(f"wrong number of args for {name}: got {len(args)} want {want}")
        return fn.fn(*args)
    if not callable(fn) or isinstance(fn, (GoStruct, type)):
        raise GoFuncError(f"non-function {name} of type {go_type_name(fn)}")
    return fn(*args)


__all__ = ["Int64", "builtins_for"]
