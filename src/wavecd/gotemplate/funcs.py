"""The calling convention between the template engine and the functions it calls (builtins, Sprig, Helm).

Go checks a call before making it: the argument count against the signature, then each argument against
its parameter type. To reproduce those checks and their messages exactly, every function is registered
with its Go signature as a `GoFunc`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from _collections_abc import dict_items, dict_keys, dict_values


class GoFuncError(Exception):
    """Raised by a function to fail the template: the engine reports `error calling NAME: <message>`.

    Both a returned Go error and a recovered panic end up here; the message is Go's text.
    """


@dataclass(frozen=True, slots=True)
class GoFunc:
    """A function callable from a template.

    `params` are Go type names of the fixed parameters, for example `("string", "interface {}")`;
    `variadic` is the element type of a trailing `...T` parameter, or None. Type names in use:
    `interface {}`, `string`, `bool`, `int`, `int64`, `float64`, `[]interface {}`, `[]string`,
    `map[string]interface {}`, `[]uint8`, `reflect.Value` (passed through as is, unchecked).
    `fn` receives the converted arguments positionally and returns the result; to fail it raises
    `GoFuncError`.
    """

    name: str
    fn: Callable[..., Any]
    params: tuple[str, ...] = ()
    variadic: str | None = None


FuncMap = dict[str, GoFunc]


class LazyFuncMap(dict[str, GoFunc]):
    """A FuncMap whose entries may load on first use, so that a render imports only the functions its
    templates call (the Sprig table built whole imports some thirty modules in every process).

    `pending` maps each name not loaded yet to a loader returning its GoFunc. Every name is a member
    (`in`, `len`, iteration, `[]` load as needed), but `get` is dict's own and sees loaded entries only:
    it is the template engine's hot path, so the engine calls `lookup`, which loads a pending name
    once and then finds it with `get` at C speed. `copy` keeps what is still pending.
    """

    __slots__ = ("_pending",)

    def __init__(self, loaded: dict[str, GoFunc], pending: dict[str, Callable[[str], GoFunc]]):
        super().__init__(loaded)
        self._pending = {name: load for name, load in pending.items() if name not in loaded}

    def load(self, name: str) -> GoFunc | None:
        """The function called `name`, loading it if it is pending; None when there is none."""
        loader = self._pending.get(name)
        if loader is None:
            return dict.get(self, name)
        f = loader(name)  # stored before it leaves `pending`: another thread finds it in one or the other
        dict.__setitem__(self, name, f)
        self._pending.pop(name, None)
        return f

    def load_all(self) -> None:
        for name in list(self._pending):
            self.load(name)

    def __contains__(self, name: object) -> bool:
        return dict.__contains__(self, name) or name in self._pending

    def __missing__(self, name: str) -> GoFunc:
        f = self.load(name)
        if f is None:
            raise KeyError(name)
        return f

    def __setitem__(self, name: str, f: GoFunc) -> None:
        self._pending.pop(name, None)
        dict.__setitem__(self, name, f)

    def __delitem__(self, name: str) -> None:
        if self._pending.pop(name, None) is None:
            dict.__delitem__(self, name)
        else:
            dict.pop(self, name, None)

    def pop(self, name: str, *default: Any) -> Any:
        self.load(name)
        return dict.pop(self, name, *default)

    def __len__(self) -> int:
        return dict.__len__(self) + len(self._pending)

    def __iter__(self) -> Iterator[str]:
        self.load_all()
        return dict.__iter__(self)

    def keys(self) -> dict_keys[str, GoFunc]:
        self.load_all()
        return dict.keys(self)

    def values(self) -> dict_values[str, GoFunc]:
        self.load_all()
        return dict.values(self)

    def items(self) -> dict_items[str, GoFunc]:
        self.load_all()
        return dict.items(self)

    def copy(self) -> LazyFuncMap:
        return LazyFuncMap(dict(dict.items(self)), self._pending)


def lookup(funcs: FuncMap, name: str) -> GoFunc | None:
    """`funcs.get(name)`, loading the function first when `funcs` holds it lazily."""
    f = funcs.get(name)
    if f is None and isinstance(funcs, LazyFuncMap):
        f = funcs.load(name)
    return f
