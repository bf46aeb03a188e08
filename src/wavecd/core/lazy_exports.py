"""A package's re-exported names, each imported from its home module on first use (PEP 562).

A package whose `__init__` imports every submodule makes each `import wavecd.pkg.one_module` pay for all of
them: `wavecd helm template` needs one annotation key of `wavecd.common` and the errors of `wavecd.core`,
and a new process renders a small chart in little more time than its imports take. So such a package
imports its submodules only under `TYPE_CHECKING` (for mypy and for the import contracts) and answers its
`__all__` at run time through `lazy_exports`, from its submodules in the order it lists them (the cheap
ones first).
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Sequence
from typing import Any

__all__ = ["lazy_exports"]


def lazy_exports(package: str, exported: Sequence[str], submodules: Sequence[str]) -> Callable[[str], Any]:
    """The module `__getattr__` of `package`, answering each name of `exported` (its `__all__`) from the first
    of `submodules` that defines it, imported then. A name found is kept in the package's namespace, so later
    lookups are plain attribute reads. Any other name raises AttributeError, so `from package import
    submodule` still imports that submodule."""
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

    return __getattr__
