"""The Sprig v3.3.0 function library (`TxtFuncMap`), as Helm and Argo CD ApplicationSet templates use it.

`sprig_functions()` returns a fresh `FuncMap` of every Sprig function, `env` and `expandenv` included
(Helm deletes those two itself and adds its own functions on top). Each entry carries its Go signature,
which the template engine uses to check and convert arguments exactly as Go does.

The table is lazy (a `LazyFuncMap`): every name is in it from the start, but a module of functions is
imported only when a template first calls one of them, so a render pays only for the modules its charts
use. `_INDEX` says which module defines which names; tests/sprig/test_sprig_lazy_table.py holds it to the
modules' own `FUNCS`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from functools import partial

from wavecd.gotemplate.funcs import GoFunc, LazyFuncMap
from wavecd.semver import V3_3, V3_4

__all__ = ["MODULES", "sprig_functions"]

# module of wavecd.sprig -> the names its FUNCS defines, in Sprig's order
_INDEX: dict[str, str] = {
    "strings": (
        "abbrev abbrevboth trunc trim upper lower title untitle substr repeat trimall trimAll trimSuffix "
        "trimPrefix nospace initials swapcase snakecase camelcase kebabcase wrap wrapWith contains hasPrefix "
        "hasSuffix quote squote cat indent nindent replace plural toString split splitList splitn toStrings "
        "join sortAlpha"
    ),
    "numeric": (
        "atoi int64 int float64 seq toDecimal until untilStep add1 add sub div mod mul randInt add1f addf "
        "subf divf mulf biggest max min maxf minf ceil floor round"
    ),
    "defaults": ("default empty coalesce all any ternary deepCopy mustDeepCopy"),
    "dates": (
        "ago date date_in_zone dateInZone date_modify dateModify duration durationRound htmlDate "
        "htmlDateInZone must_date_modify mustDateModify mustToDate now toDate unixEpoch"
    ),
    "jsonfuncs": ("fromJson mustFromJson toJson mustToJson toPrettyJson mustToPrettyJson toRawJson mustToRawJson"),
    "lists": (
        "list tuple append push mustAppend mustPush prepend mustPrepend first mustFirst rest mustRest last "
        "mustLast initial mustInitial reverse mustReverse compact mustCompact uniq mustUniq without "
        "mustWithout has mustHas slice mustSlice concat chunk mustChunk"
    ),
    "dicts": (
        "dict get set unset hasKey pluck keys pick omit merge mergeOverwrite mustMerge mustMergeOverwrite values dig"
    ),
    "reflection": ("typeOf typeIs typeIsLike kindOf kindIs deepEqual"),
    "regex": (
        "regexMatch mustRegexMatch regexFindAll mustRegexFindAll regexFind mustRegexFind regexReplaceAll "
        "mustRegexReplaceAll regexReplaceAllLiteral mustRegexReplaceAllLiteral regexSplit mustRegexSplit "
        "regexQuoteMeta"
    ),
    "paths": ("base dir clean ext isAbs osBase osClean osDir osExt osIsAbs"),
    "encoding": ("b64enc b64dec b32enc b32dec sha1sum sha256sum sha512sum adler32sum"),
    "crypto": (
        "bcrypt htpasswd derivePassword encryptAES decryptAES genPrivateKey buildCustomCert genCA "
        "genCAWithKey genSelfSignedCert genSelfSignedCertWithKey genSignedCert genSignedCertWithKey"
    ),
    "randoms": ("randAlphaNum randAlpha randAscii randNumeric randBytes uuidv4 shuffle"),
    "urls": ("urlParse urlJoin"),
    "misc": ("hello fail env expandenv getHostByName"),
}
_SEMVER_NAMES = ("semver", "semverCompare")

MODULES = tuple(_INDEX)
"""The modules whose `FUNCS` make up the table (besides `semverfuncs`, bound to a semver release)."""

_tables: dict[str, dict[str, GoFunc]] = {}


def _module_function(module: str, name: str) -> GoFunc:
    table = _tables.get(module)
    if table is None:
        funcs = importlib.import_module(f"{__name__}.{module}").FUNCS
        table = _tables[module] = {f.name: f for f in funcs}
    return table[name]


def _semver_function(lib: str, name: str) -> GoFunc:
    from wavecd.sprig.semverfuncs import semver_functions

    table = _tables.get(f"semverfuncs {lib}")
    if table is None:
        table = _tables[f"semverfuncs {lib}"] = {f.name: f for f in semver_functions(lib)}
    return table[name]


def sprig_functions(*, go_version: tuple[int, int] = (1, 25), semver_lib: str | None = None) -> LazyFuncMap:
    """Every Sprig function by name, as a new table the caller may extend or trim.

    `go_version` is that of the Go toolchain of the program being mimicked; it also picks the
    Masterminds/semver release unless `semver_lib` names one (wavecd.semver.V3_3, V3_4 or V3_5): Helm 3.17
    (go1.23) pins 3.3.0, Helm 4.1 (go1.25) 3.4.0, Helm 4.2 3.5.0; they differ in error texts and pre-release
    handling.
    """
    lib = semver_lib or (V3_4 if go_version >= (1, 24) else V3_3)
    pending: dict[str, Callable[[str], GoFunc]] = {
        name: partial(_module_function, module) for module, names in _INDEX.items() for name in names.split()
    }
    pending.update((name, partial(_semver_function, lib)) for name in _SEMVER_NAMES)
    return LazyFuncMap({}, pending)
