"""A tiny evaluator for the Sprig call expressions of data/sprig_cases.txt, for the tests only.

It understands what the case file uses: function calls with literal arguments (Go string literals,
ints, floats, true/false/nil), parenthesised sub-calls, one trailing pipe, and `.Field` / method calls
on a parenthesised value. Arguments are checked and converted against each GoFunc's signature the way
Go's text/template does for these literal kinds, so the cases exercise the signatures too.
"""

from __future__ import annotations

import ast
import re
from typing import Any

from wavecd.gotemplate.funcs import FuncMap, GoFunc, GoFuncError
from wavecd.gotemplate.gotypes import GoStruct, go_type_name

_TOKEN = re.compile(
    r'\s*(?:(?P<str>"(?:[^"\\]|\\.)*")|(?P<num>-?\d[\w.+-]*)|(?P<punct>[()|])|(?P<field>\.\w+)'
    r"|(?P<word>[A-Za-z_]\w*))"
)


class TemplateError(Exception):
    """What Go's text/template would report (argument checks, or `error calling NAME: ...`)."""


def _tokens(text: str) -> list[tuple[str, str]]:
    out = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:
            raise ValueError(f"cannot tokenize {text[pos:]!r}")
        kind = m.lastgroup
        out.append((kind, m.group(kind)))
        pos = m.end()
    return out


class _Const:
    """An untyped template constant: Go converts it to the parameter's type."""

    def __init__(self, kind: str, value: Any, text: str):
        self.kind, self.value, self.text = kind, value, text


def _convert(arg: Any, param: str) -> Any:
    if isinstance(arg, _Const):
        if arg.kind == "nil":
            if param in ("interface {}", "[]interface {}", "map[string]interface {}"):
                return None
            raise TemplateError(f"cannot assign nil to {param}")
        if param in ("int", "int64", "uint32"):
            if arg.kind == "int":
                return arg.value
            raise TemplateError(f"expected integer; found {arg.text}")
        if param == "float64":
            if arg.kind in ("int", "float"):
                return float(arg.value)
            raise TemplateError(f"expected float; found {arg.text}")
        if param == "bool":
            if arg.kind == "bool":
                return arg.value
            raise TemplateError(f"expected bool; found {arg.text}")
        if param == "string":
            if arg.kind == "string":
                return arg.value
            raise TemplateError(f"expected string; found {arg.text}")
        return arg.value
    if param == "time.Time" and not (isinstance(arg, GoStruct) and arg.go_type == "time.Time"):
        raise TemplateError(f"wrong type for value; expected time.Time; got {go_type_name(arg)}")
    expected = {
        "string": str,
        "int": int,
        "bool": bool,
        "float64": float,
        "[]interface {}": list,
        "map[string]interface {}": dict,
    }.get(param)
    if expected is not None and (type(arg) is not expected and not (expected is list and type(arg) is list)):
        if arg is None and param in ("[]interface {}", "map[string]interface {}"):
            return None
        raise TemplateError(f"wrong type for value; expected {param}; got {go_type_name(arg)}")
    return arg


class Evaluator:
    def __init__(self, funcs: FuncMap):
        self.funcs = funcs

    def eval(self, text: str) -> Any:
        self.toks = _tokens(text)
        self.pos = 0
        value = self._pipeline()
        if self.pos != len(self.toks):
            raise ValueError(f"trailing tokens in {text!r}")
        return value.value if isinstance(value, _Const) else value

    def _peek(self) -> tuple[str, str] | None:
        return self.toks[self.pos] if self.pos < len(self.toks) else None

    def _pipeline(self) -> Any:
        value = self._command(None)
        while self._peek() == ("punct", "|"):
            self.pos += 1
            value = self._command(value)
        return value

    def _command(self, piped: Any) -> Any:
        kind, text = self._peek()
        if kind == "word" and text in self.funcs:
            self.pos += 1
            args = []
            while self._peek() is not None and self._peek() not in (("punct", ")"), ("punct", "|")):
                args.append(self._operand())
            if piped is not None:
                args.append(piped)
            return self._call(self.funcs[text], args)
        return self._operand()

    def _operand(self) -> Any:
        kind, text = self.toks[self.pos]
        self.pos += 1
        if kind == "punct" and text == "(":
            value = self._pipeline()
            self.pos += 1
            while self._peek() is not None and self._peek()[0] == "field":
                value = self._field(value, self.toks[self.pos][1][1:])
            return value
        if kind == "str":
            return _Const("string", ast.literal_eval(text), text)
        if kind == "num":
            if re.fullmatch(r"-?\d+", text):
                return _Const("int", int(text), text)
            return _Const("float", float(text), text)
        if kind == "word" and text in ("true", "false"):
            return _Const("bool", text == "true", text)
        if kind == "word" and text == "nil":
            return _Const("nil", None, text)
        if kind == "word" and text in self.funcs:
            return self._call(self.funcs[text], [])
        raise ValueError(f"unexpected token {text!r}")

    def _field(self, value: Any, name: str) -> Any:
        self.pos += 1
        if not isinstance(value, GoStruct):
            raise ValueError(f"field {name} on {value!r}")
        if name in value.go_methods:
            args = []
            while self._peek() is not None and self._peek() not in (("punct", ")"), ("punct", "|")):
                args.append(self._operand())
            return value.go_method(name)(*(a.value if isinstance(a, _Const) else a for a in args))
        return value.go_field(name)

    def _call(self, fn: GoFunc, args: list[Any]) -> Any:
        fixed = len(fn.params)
        if (fn.variadic is None and len(args) != fixed) or (fn.variadic is not None and len(args) < fixed):
            want = f"at least {fixed}" if fn.variadic is not None else str(fixed)
            raise TemplateError(f"wrong number of args for {fn.name}: want {want} got {len(args)}")
        converted = [_convert(a, p) for a, p in zip(args, fn.params, strict=False)]
        converted += [_convert(a, fn.variadic) for a in args[fixed:]]
        try:
            return fn.fn(*converted)
        except GoFuncError as err:
            raise TemplateError(f"error calling {fn.name}: {err}") from None
