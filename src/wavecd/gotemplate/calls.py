"""Calling a GoFunc the way Go's `evalCall` does: arity first, then each argument converted to its parameter
type (`validateType` for values, `evalArg` for literal constants), then the call, whose failure becomes
`error calling NAME: …`.

A call site is compiled once; the plan for one concrete GoFunc is built on first use and cached on the
site, so a repeated call costs a dict lookup, an identity check and the conversions it really needs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from wavecd.core.goquote import quote as go_quote
from wavecd.gotemplate.funcs import GoFunc, GoFuncError, lookup
from wavecd.gotemplate.gotypes import (
    GoIntList,
    GoNamedMap,
    GoStringList,
    GoStringMap,
    GoStruct,
    Int64,
    Uint32,
    go_type_name,
)
from wavecd.gotemplate.nodes import BoolNode, NilNode, Node, NumberNode, StringNode
from wavecd.gotemplate.runtime import NO_FINAL, call_error, exec_error

IFACE = "interface {}"
REFLECT = "reflect.Value"
NILABLE = {
    IFACE,
    REFLECT,
    "[]interface {}",
    "[]string",
    "[]int",
    "map[string]interface {}",
    "map[string]string",
    "[]uint8",
}


def _is_list(v: Any) -> bool:
    return v.__class__ is list  # typed slices ([]string, []int, ...) are not []interface{} in Go


def _is_map(v: Any) -> bool:
    """map[string]interface{}, or a named type over it (Go assigns `chartutil.Values` to it unconverted);
    not another map type (`map[string]string`, a dict subclass naming its own `go_type` like `engine.files`)."""
    if v.__class__ is dict or isinstance(v, GoNamedMap):
        return True
    return isinstance(v, dict) and not isinstance(v, GoStringMap) and not hasattr(v, "go_type")


def _is_struct(go_type: str) -> Callable[[Any], bool]:
    """A struct type known to the engine only by name (Sprig's `time.Time`, `sprig.certificate`)."""
    return lambda v: isinstance(v, GoStruct) and v.go_type == go_type


ACCEPTS: dict[str, Callable[[Any], bool]] = {
    "string": lambda v: v.__class__ is str,
    "bool": lambda v: v.__class__ is bool,
    "int": lambda v: v.__class__ is int,
    "int64": lambda v: v.__class__ is Int64,
    "float64": lambda v: v.__class__ is float,
    "[]interface {}": _is_list,
    "[]string": lambda v: isinstance(v, GoStringList),
    "[]int": lambda v: isinstance(v, GoIntList),
    "map[string]interface {}": _is_map,
    "map[string]string": lambda v: isinstance(v, GoStringMap),
    "[]uint8": lambda v: isinstance(v, (bytes, bytearray)),
    "uint32": lambda v: v.__class__ is Uint32,
    "time.Time": _is_struct("time.Time"),
    "sprig.certificate": _is_struct("sprig.certificate"),
}
UNSIGNED = {"uint32": (Uint32, 0xFFFFFFFF)}


class Arg:
    """What the compiler knows of one argument: its node, whether it is a literal, and the node Go is
    `at` after evaluating it (where a conversion error points), and whether a nil from it is a nil
    interface (a value read out of a map) rather than Go's invalid value."""

    __slots__ = ("at", "ideal", "iface", "literal", "node")

    def __init__(self, node: Node, at: Node, iface: bool, ideal: Any = None):
        self.node = node
        self.at = at
        self.iface = iface
        self.literal = isinstance(node, (BoolNode, NumberNode, StringNode, NilNode))
        self.ideal = ideal  # a literal's untyped-constant value, as the compiled code passes it


class LiteralError(Exception):
    """A literal that cannot become the parameter's type; raised in argument order by the plan."""

    def __init__(self, detail: str):
        super().__init__(detail)
        self.detail = detail


def ideal_constant(n: NumberNode) -> Any:
    """A number constant where the parameter is interface{}: its own syntax decides int, float or complex."""
    if n.is_complex:
        return n.complex128
    text = n.text
    is_hex_int = len(text) > 2 and text[0] == "0" and text[1] in "xX" and not any(c in text for c in "pP")
    if n.is_float and not is_hex_int and not text.startswith("'") and any(c in text for c in ".eEpP"):
        return n.float64
    if n.is_int:
        return n.int64
    if n.is_uint:
        raise LiteralError(f"{text} overflows int")
    return None


def literal_value(n: Node, typ: str | None) -> Any:
    """Go's evalArg for a literal node and a parameter type; raises LiteralError with Go's text."""
    if isinstance(n, NilNode):
        if typ is None or typ in NILABLE or typ not in ACCEPTS:
            return None
        raise LiteralError(f"cannot assign nil to {typ}")
    if typ is None or typ in (IFACE, REFLECT) or typ not in ACCEPTS:
        if isinstance(n, BoolNode):
            return n.value
        if isinstance(n, StringNode):
            return n.text
        return ideal_constant(n)  # type: ignore[arg-type]
    if typ == "bool":
        if isinstance(n, BoolNode):
            return n.value
        raise LiteralError(f"expected bool; found {n}")
    if typ == "string":
        if isinstance(n, StringNode):
            return n.text
        raise LiteralError(f"expected string; found {n}")
    if typ in ("int", "int64"):
        if isinstance(n, NumberNode) and n.is_int:
            return Int64(n.int64) if typ == "int64" else n.int64
        raise LiteralError(f"expected integer; found {n}")
    if typ == "float64":
        if isinstance(n, NumberNode) and n.is_float:
            return n.float64
        raise LiteralError(f"expected float; found {n}")
    if typ in UNSIGNED:
        if isinstance(n, NumberNode) and n.is_uint:
            cls, mask = UNSIGNED[typ]
            return cls(n.uint64 & mask)  # reflect's SetUint keeps the low bits
        raise LiteralError(f"expected unsigned integer; found {n}")
    raise LiteralError(f"can't handle {n} for arg of type {typ}")


def validate(v: Any, typ: str, iface: bool) -> Any:
    """Go's validateType for an evaluated value; raises LiteralError (reused for the detail text)."""
    if v is None:
        if typ in NILABLE or typ not in ACCEPTS:
            return None
        if iface:
            raise LiteralError(f"wrong type for value; expected {typ}; got interface {{}}")
        raise LiteralError(f"invalid value; expected {typ}")
    accepts = ACCEPTS.get(typ)
    if accepts is None or accepts(v):
        return v
    raise LiteralError(f"wrong type for value; expected {typ}; got {go_type_name(v)}")


def param_types(f: GoFunc, nargs: int) -> list[str]:
    """The parameter type each of `nargs` arguments meets."""
    fixed = list(f.params)
    if f.variadic is None:
        return fixed[:nargs]
    return fixed[:nargs] + [f.variadic] * max(0, nargs - len(fixed))


def arity_error(f: GoFunc, name: str, nexplicit: int, has_final: bool) -> str | None:
    n_in = nexplicit + (1 if has_final else 0)
    if f.variadic is not None:
        if n_in < len(f.params):
            return f"wrong number of args for {name}: want at least {len(f.params)} got {nexplicit}"
        return None
    if n_in != len(f.params):
        return f"wrong number of args for {name}: want {len(f.params)} got {n_in}"
    return None


def check_call(tmpl: str, node: Node, f: GoFunc, argv: list[Any]) -> list[Any]:
    """Arity and value checks for a call whose arguments are all evaluated values (methods)."""
    msg = arity_error(f, f.name, len(argv), False)
    if msg:
        raise exec_error(tmpl, node, msg)
    try:
        return [validate(v, t, False) for v, t in zip(argv, param_types(f, len(argv)), strict=True)]
    except LiteralError as e:
        raise exec_error(tmpl, node, e.detail) from None


class CallSite:
    """One function call in a compiled template: `plan(funcs)` returns the checked caller for whatever
    GoFunc the name resolves to now (template funcs shadow builtins, as in Go)."""

    __slots__ = ("_cached", "args", "builtins", "err_node", "final_at", "has_final", "ident", "name", "tmpl")

    def __init__(
        self,
        tmpl: str,
        name: str,
        ident: Node,
        err_node: Node,
        args: list[Arg],
        has_final: bool,
        final_at: Node,
        builtins: dict[str, GoFunc],
    ):
        self.tmpl = tmpl
        self.name = name
        self.ident = ident
        self.err_node = err_node
        self.args = args
        self.has_final = has_final
        self.final_at = final_at
        self.builtins = builtins
        self._cached: tuple[GoFunc | None, Callable[[tuple, Any], Any] | None] = (None, None)

    def plan(self, funcs: dict[str, GoFunc]) -> Callable[[tuple, Any], Any]:
        f = funcs.get(self.name)
        if f is None:
            f = self.builtins.get(self.name)
            if f is None:
                f = lookup(funcs, self.name)  # first call of a lazily held function (builtins never are)
            if f is None:
                raise exec_error(self.tmpl, self.ident, f"{go_quote(self.name)} is not a defined function")
        cached = self._cached  # one tuple, swapped whole, so concurrent sets never mix func and plan
        if cached[0] is f:
            plan = cached[1]
        else:
            plan = self._build(f)
            self._cached = (f, plan)
        if plan is None:  # wrong arity: Go checks it before evaluating any argument
            raise exec_error(self.tmpl, self.ident, arity_error(f, self.name, len(self.args), self.has_final))
        return plan

    def run(self, funcs: dict[str, GoFunc], args: tuple, final: Any) -> Any:
        """`plan(funcs)(args, final)` for a pipeline stage whose previous stage is computed in the same
        statement: Python evaluates `final` before this call, which is Go's order (the previous command,
        then this one's arity check) as long as `args` needed no code of their own."""
        return self.plan(funcs)(args, final)

    def _build(self, f: GoFunc) -> Callable[[tuple, Any], Any] | None:
        """The checked caller for `f`. Literal arguments arrive as untyped constants already; only those
        whose parameter type needs another value (or rejects them) get a step."""
        if arity_error(f, self.name, len(self.args), self.has_final):
            return None
        types = param_types(f, len(self.args))
        steps: list[tuple[int, str, Any]] = []  # (index, kind, data), in argument order
        is_len = self.name == "len" and self.builtins.get("len") is f
        for i, (arg, typ) in enumerate(zip(self.args, types, strict=True)):
            typed = typ not in (IFACE, REFLECT) and typ in ACCEPTS
            if arg.literal:
                try:
                    value = literal_value(arg.node, typ if typed else None)
                except LiteralError as e:
                    steps.append((i, "fail", (arg.node, e.detail)))
                    continue
                if value is not arg.ideal and (value != arg.ideal or type(value) is not type(arg.ideal)):
                    steps.append((i, "const", value))
            elif typed:
                steps.append((i, "check", (ACCEPTS[typ], typ, arg)))
            elif arg.iface and is_len:
                steps.append((i, "nil-pointer", arg))
        final_typ = None
        if self.has_final:
            n = len(self.args)
            final_typ = f.params[-1] if f.variadic is None else (f.params[n] if n < len(f.params) else f.variadic)
            if final_typ in (IFACE, REFLECT) or final_typ not in ACCEPTS:
                final_typ = None
        fn, tmpl, name, node, final_at = f.fn, self.tmpl, self.name, self.err_node, self.final_at
        if self.name == "call" and self.builtins.get("call") is f:
            callee = str(self.args[0].node) if self.args else ""
            inner = fn

            def fn(*argv: Any) -> Any:
                return inner(callee, *argv)

        if not steps and final_typ is None:

            def plain(args: tuple, final: Any) -> Any:
                try:
                    if final is NO_FINAL:
                        return fn(*args)
                    return fn(*args, final)
                except Exception as e:  # Go turns any panic of the callee into `error calling`
                    raise call_error(tmpl, node, name, e) from e

            return plain

        if not steps:
            accept_final = ACCEPTS[final_typ]  # type: ignore[index]

            def final_checked(args: tuple, final: Any) -> Any:
                if not accept_final(final):
                    try:
                        final = validate(final, final_typ, False)  # type: ignore[arg-type]
                    except LiteralError as e:
                        raise exec_error(tmpl, final_at, e.detail) from None
                try:
                    return fn(*args, final)
                except Exception as e:  # Go turns any panic of the callee into `error calling`
                    raise call_error(tmpl, node, name, e) from e

            return final_checked

        def checked(args: tuple, final: Any) -> Any:
            argv = list(args)
            for i, kind, data in steps:
                if kind == "const":
                    argv[i] = data
                elif kind == "check":
                    accept, typ, arg = data
                    v = argv[i]
                    if not accept(v):
                        try:
                            argv[i] = validate(v, typ, arg.iface)
                        except LiteralError as e:
                            raise exec_error(tmpl, arg.at, e.detail) from None
                elif kind == "nil-pointer":
                    if argv[i] is None:
                        raise call_error(tmpl, node, name, GoFuncError("len of nil pointer"))
                else:
                    raise exec_error(tmpl, data[0], data[1])
            if final is not NO_FINAL:
                if final_typ is not None:
                    try:
                        final = validate(final, final_typ, False)
                    except LiteralError as e:
                        raise exec_error(tmpl, final_at, e.detail) from None
                argv.append(final)
            try:
                return fn(*argv)
            except Exception as e:  # Go turns any panic of the callee into `error calling`
                raise call_error(tmpl, node, name, e) from e

        return checked


__all__ = ["Arg", "CallSite", "GoFuncError", "check_call", "ideal_constant", "literal_value", "validate"]
