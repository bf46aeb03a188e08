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
| uint32 (`derivePassword`'s counter)         | `Uint32` (an `int` subclass) |
| float64 (every number read from YAML/JSON)  | `float`                 |
| string                     | `str`                                    |
| []byte (`.Files.GetBytes`) | `bytes`                                  |
| []interface{}              | `list`                                   |
| a nil slice / nil map      | `NilList`, `NilStringList`, `NilMap` (empty, marked `GoNil`) |
| []string                   | `GoStringList` (a `list` subclass)       |
| []int (Sprig `until`)      | `GoIntList` (a `list` subclass)          |
| [][]interface{} (`chunk`)  | `GoChunkList` (a `list` of lists)        |
| a named slice type (`chartutil.VersionSet`) | a subclass of one of those lists |
| map[string]interface{}     | `dict` (string keys)                     |
| map[string]string          | `GoStringMap` (a `dict` subclass)        |
| a named map type (`chartutil.Values`)       | a `GoNamedMap` subclass |
| struct / pointer to struct | an instance of `GoStruct`                |

`GoStruct` subclasses expose exported fields as attributes and methods as `go_methods`; `go_type` is the
name `%T` prints (for example `*chartutil.Capabilities`). The typed lists and maps carry `go_type` too, so a
named type over one of them only has to set its own name.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from wavecd.core.gonil import GoNil


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


class Uint32(int):
    """A Go uint32: only a template literal passed to a uint32 parameter makes one (wrapped as Go's SetUint does)."""

    __slots__ = ()


class GoStringList(list):
    """A Go []string (Sprig's `splitList`, `toStrings`, ...)."""

    __slots__ = ()
    go_type: ClassVar[str] = "[]string"


class NilStringList(GoStringList, GoNil):
    """A Go nil []string (`regexFindAll` without a match, `regexSplit` with n=0)."""

    __slots__ = ()


class GoIntList(list):
    """A Go []int (Sprig's `until`, `untilStep`)."""

    __slots__ = ()
    go_type: ClassVar[str] = "[]int"


class GoChunkList(list):
    """A Go [][]interface{} (Sprig's `chunk`): a list of plain lists."""

    __slots__ = ()
    go_type: ClassVar[str] = "[][]interface {}"


class GoStringMap(dict):
    """A Go map[string]string (Sprig's `split`, `splitn`)."""

    __slots__ = ()


class KeyReaders(set):
    """The map types on which `.key` reads a map key rather than calling a method: a live set, held by
    compiled templates and grown as named map types are defined. It pickles as a reference to the live set
    of the loading process (compiled templates are cached across processes)."""

    __slots__ = ("key",)

    def __init__(self, key: str, types: set[type]):
        super().__init__(types)
        self.key = key

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        return map_types_for_key, (self.key,)


# dict and every GoNamedMap subclass, so compiled templates read their keys as directly as a plain dict's.
MAP_TYPES = KeyReaders("", {dict})
_KEY_READERS: dict[str, KeyReaders] = {}


def map_types_for_key(key: str) -> KeyReaders:
    """The live KeyReaders for `key`. Templates reach only exported (upper-case) methods, so for any other
    key that is every map type."""
    if not key[:1].isupper():
        return MAP_TYPES
    readers = _KEY_READERS.get(key)
    if readers is None:
        readers = KeyReaders(key, {t for t in MAP_TYPES if key not in getattr(t, "go_methods", ())})
        _KEY_READERS[key] = readers
    return readers


class GoNamedMap(dict):
    """A Go named map type such as Helm's `chartutil.Values` (`type Values map[string]interface{}`).

    It is a map in every way that reflect's Kind sees (truthiness, `range`, `index`, `len`, JSON/YAML,
    Sprig's map functions: Go assigns it to a `map[string]interface{}` parameter without conversion),
    but `%T`, `typeOf`, `%#v` and error texts name the type. A named type may also carry methods, which
    text/template looks up before map keys (`.Values.YAML` calls the method even if a key "YAML" exists).
    Subclasses set `go_type` and list `go_methods`; `named_map_type` makes method-less ones.

    `passed_as_map` is set once Sprig's set/unset/merge (or `AsMap`) handed the value back as the
    `map[string]interface{}` Go converted it to: the same map, which a type assertion then accepts.
    """

    __slots__ = ("passed_as_map",)
    go_type: ClassVar[str] = "map[string]interface {}"
    go_methods: ClassVar[frozenset[str] | tuple[str, ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        MAP_TYPES.add(cls)
        for name, readers in _KEY_READERS.items():
            if name not in cls.go_methods:
                readers.add(cls)

    def go_method(self, name: str) -> Callable[..., Any]:
        if name in self.go_methods:
            return getattr(self, name)
        raise AttributeError(name)


_NAMED_MAPS: dict[str, type[GoNamedMap]] = {}


def named_map_type(go_type: str) -> type[GoNamedMap]:
    """The (cached) GoNamedMap subclass for a method-less named map type, e.g. `named_map_type("common.Values")`."""
    cls = _NAMED_MAPS.get(go_type)
    if cls is None:
        attrs = {"__slots__": (), "go_type": go_type, "__reduce__": _reduce_named_map}
        cls = type(f"GoNamedMap[{go_type}]", (GoNamedMap,), attrs)
        _NAMED_MAPS[go_type] = cls
    return cls


def _reduce_named_map(m: GoNamedMap) -> tuple[Any, tuple[str, dict]]:
    """Pickle and copy a made type's value by its Go name: the class itself is not importable."""
    return _rebuild_named_map, (m.go_type, dict(m))


def _rebuild_named_map(go_type: str, items: dict) -> GoNamedMap:
    return named_map_type(go_type)(items)


class GoStruct:
    """Base for Go struct values reachable from templates (`.Release`, `.Capabilities`, `.Files`, ...).

    Field access `.Name` reads `go_field("Name")`; a method call `.Get "x"` looks the method up in
    `go_method("Get")`. Unknown names raise `AttributeError`, which the engine reports as Go does
    (`can't evaluate field X in type T`). `go_fields` lists every field fmt prints, in declaration order;
    a lower-case (unexported) one is printed but not readable from a template, as in Go.

    `go_pointer_methods` names the methods of `go_methods` that Go declares on the pointer receiver
    `*T` while `go_type` is the value type `T` (Helm's `KubeVersion.String`). fmt does not see them on a
    struct value, so `printf "%v"`, `print`, `toString` and a value held in a map or list print the fields
    (`{v1.35.0 v1.35.0 1 35}`); text/template's own `{{ .Capabilities.KubeVersion }}` takes the address of
    an addressable value (a struct field, or a variable or dot bound to one) and so prints `String()`.
    Templates still call such a method by name (`.KubeVersion.String`), as Go does on addressable values.
    """

    go_type: ClassVar[str] = "struct"
    go_fields: ClassVar[tuple[str, ...]] = ()
    go_methods: ClassVar[tuple[str, ...]] = ()
    go_pointer_methods: ClassVar[tuple[str, ...]] = ()

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
    if isinstance(value, Uint32):
        return "uint32"
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
    if isinstance(value, Uint32):
        return "uint32"
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
    if isinstance(value, list):
        return getattr(value, "go_type", "[]interface {}")
    if isinstance(value, GoStringMap):
        return "map[string]string"
    if isinstance(value, dict):
        return getattr(value, "go_type", "map[string]interface {}")
    if isinstance(value, GoStruct):
        return value.go_type
    return type(value).__name__
