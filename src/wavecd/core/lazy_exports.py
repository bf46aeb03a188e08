"""A package's re-exported names, each imported from its home module on first use (PEP 562).

A package whose `__init__` imports every submodule makes each `import wavecd.pkg.one_module` pay for all of
them: `wavecd helm template` needs one annotation key of `wavecd.common` and the errors of `wavecd.core`,
and a new process renders a small chart in little more time than its imports take. So such a package
imports its submodules only under `TYPE_CHECKING` (for mypy and for the import contracts) and answers its
`__all__` at run time through `lazy_exports`, from its submodules in the order it lists them (the cheap
ones first). Such an `__init__` has no `from __future__ import annotations`: that import binds the name
`annotations` in the package, and `from package import annotations` would then answer the `__future__`
feature instead of importing a submodule of that name.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Sequence
from typing import Any

__all__ = ["lazy_exports"]


def lazy_exports(
    package: str, exported: Sequence[str], submodules: Sequence[str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The module `__getattr__` and `__dir__` of `package`. `__getattr__` answers each name of `exported` (its
    `__all__`) from the first of `submodules` that defines it, imported then. A name found is kept in the
    package's namespace, so later lookups are plain attribute reads. Any other name raises AttributeError, so
    `from package import submodule` still imports that submodule. `__dir__` lists the exported names beside
    what the namespace holds, so `dir()` and completion show them before their first use."""
    names = frozenset(exported)

    def __getattr__(name: str) -> Any:
        if name in names:
            for submodule in submodules:
                module = importlib.import_module(f"{package}.{submodule}")
                if name in vars(module):
                    value = vars(module)[name]
                    setattr(sys.modules[package], name, value)
                    return value
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    def __dir__() -> list[str]:
        return sorted(names.union(vars(sys.modules[package])))

    return __getattr__, __dir__
