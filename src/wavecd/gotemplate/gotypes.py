"""How Go values are represented in Python, shared by the template engine, Sprig and Helm.

Helm's templates see JSON-typed values, plus a few Go types that functions return. The mapping:

| Go                         | Python                                   |
|----------------------------|------------------------------------------|
| nil / missing map key      | `None`                                   |
| bool                       | `bool`                                   |
| int (template literals, `len`, Sprig `int`) | `int`                   |
| int64 (Sprig math, `--set` integers)        | `Int64` (an `int` subclass) |
| uint8 (`index "abc" 1`)    | `Uint8` (an `int` subclass)              |
| uint64 (semver `.Major`)   | `Uint64` (an `int` subclass)             |
| float64 (every number read from YAML/JSON)  | `float`                 |
| string                     | `str`                                    |
| []byte (`.Files.GetBytes`) | `bytes`                                  |
| []interface{}              | `list`                                   |
| []string                   | `GoStringList` (a `list` subclass)       |
| []int (Sprig `until`)      | `GoIntList` (a `list` subclass)          |
| [][]interface{} (`chunk`)  | `GoChunkList` (a `list` of lists)        |
| map[string]interface{}     | `dict` (string keys)                     |
| map[string]string          | `GoStringMap` (a `dict` subclass)        |
| struct / pointer to struct | an instance of `GoStruct`                |

`GoStruct` subclasses expose exported fields as attributes and methods as `go_methods`; `go_type` is the
name `%T` prints (for example `*chartutil.Capabilities`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar


class Int64(int):
    """A Go int64: prints like an int, but `typeOf`/`kindOf` say int64 and it never equals a Go int."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"Int64({int(self)})"


class Uint8(int):
    """A Go uint8 (byte), as returned by `index` on a string."""

    __slots__ = ()


class Uint64(int):
    """A Go uint64, as semver's `Major`/`Minor`/`Patch` return."""

    __slots__ = ()


class GoStringList(list):
    """A Go []string (Sprig's `splitList`, `toStrings`, ...)."""

    __slots__ = ()


class GoIntList(list):
    """A Go []int (Sprig's `until`, `untilStep`)."""

    __slots__ = ()


class GoChunkList(list):
    """A Go [][]interface{} (Sprig's `chunk`): a list of plain lists."""

    __slots__ = ()


class GoStringMap(dict):
    """A Go map[string]string (Sprig's `split`, `splitn`)."""

    __slots__ = ()


class GoStruct:
    """Base for Go struct values reachable from templates (`.Release`, `.Capabilities`, `.Files`, ...).

    Field access `.Name` reads `go_field("Name")`; a method call `.Get "x"` looks the method up in
    `go_method("Get")`. Unknown names raise `AttributeError`, which the engine reports as Go does
    (`can't evaluate field X in type T`).
    """

    go_type: ClassVar[str] = "struct"
    go_fields: ClassVar[tuple[str, ...]] = ()
    go_methods: ClassVar[tuple[str, ...]] = ()

    def go_field(self, name: str) -> Any:
        if name in self.go_fields:
            return getattr(self, name)
        raise AttributeError(name)

    def go_method(self, name: str) -> Callable[..., Any]:
        if name in self.go_methods:
            return getattr(self, name)
        raise AttributeError(name)


def go_kind(value: Any) -> str:
    """reflect.Kind name of a value, as Sprig's `kindOf` prints it (`invalid` for nil)."""
    if value is None:
        return "invalid"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, Int64):
        return "int64"
    if isinstance(value, Uint8):
        return "uint8"
    if isinstance(value, Uint64):
        return "uint64"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float64"
    if isinstance(value, complex):
        return "complex128"
    if isinstance(value, str):
        return "string"
    if isinstance(value, (bytes, list)):
        return "slice"
    if isinstance(value, dict):
        return "map"
    if isinstance(value, GoStruct):
        return "ptr" if value.go_type.startswith("*") else "struct"
    if callable(value):
        return "func"
    return "struct"


def go_type_name(value: Any) -> str:
    """The Go type name `%T` and Sprig's `typeOf` print (`<nil>` for nil)."""
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, Int64):
        return "int64"
    if isinstance(value, Uint8):
        return "uint8"
    if isinstance(value, Uint64):
        return "uint64"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float64"
    if isinstance(value, complex):
        return "complex128"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bytes):
        return "[]uint8"
    if isinstance(value, GoStringList):
        return "[]string"
    if isinstance(value, GoIntList):
        return "[]int"
    if isinstance(value, GoChunkList):
        return "[][]interface {}"
    if isinstance(value, list):
        return "[]interface {}"
    if isinstance(value, GoStringMap):
        return "map[string]string"
    if isinstance(value, dict):
        return "map[string]interface {}"
    if isinstance(value, GoStruct):
        return value.go_type
    return type(value).__name__
