"""The Sprig v3.3.0 function library (`TxtFuncMap`), as Helm and Argo CD ApplicationSet templates use it.

`sprig_functions()` returns a fresh `FuncMap` of every Sprig function, `env` and `expandenv` included
(Helm deletes those two itself and adds its own functions on top). Each entry carries its Go signature,
which the template engine uses to check and convert arguments exactly as Go does.
"""

from __future__ import annotations

from wavecd.gotemplate.funcs import FuncMap
from wavecd.semver import V3_3, V3_4
from wavecd.sprig import (
    crypto,
    dates,
    defaults,
    dicts,
    encoding,
    jsonfuncs,
    lists,
    misc,
    numeric,
    paths,
    randoms,
    reflection,
    regex,
    strings,
    urls,
)
from wavecd.sprig.semverfuncs import semver_functions

_MODULES = (
    strings,
    numeric,
    defaults,
    dates,
    jsonfuncs,
    lists,
    dicts,
    reflection,
    regex,
    paths,
    encoding,
    crypto,
    randoms,
    urls,
    misc,
)


def sprig_functions(*, go_version: tuple[int, int] = (1, 25), semver_lib: str | None = None) -> FuncMap:
    """Every Sprig function by name, as a new dict the caller may extend or trim.

    `go_version` is that of the Go toolchain of the program being mimicked; it also picks the
    Masterminds/semver release unless `semver_lib` names one (wavecd.semver.V3_3, V3_4 or V3_5): Helm 3.17
    (go1.23) pins 3.3.0, Helm 4.1 (go1.25) 3.4.0, Helm 4.2 3.5.0; they differ in error texts and pre-release
    handling.
    """
    lib = semver_lib or (V3_4 if go_version >= (1, 24) else V3_3)
    funcs = [f for module in _MODULES for f in module.FUNCS]
    funcs += semver_functions(lib)
    return {f.name: f for f in funcs}
