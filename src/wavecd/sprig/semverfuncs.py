"""Sprig's `semver` and `semverCompare`, over wavecd.semver (Masterminds/semver v3).

`semver` returns a `*semver.Version`; templates call its methods (`(semver "1.2.3").Major`,
`.Compare`, `.LessThan`, ...) and print it through `String()`. The Masterminds release decides error
texts (3.3.0 says `Invalid Semantic Version`, 3.4.0 `invalid semantic version`), hence `lib`.

`IncMajor`, `IncMinor`, `IncPatch`, `SetPrerelease` and `SetMetadata` return a `semver.Version` value, not
a pointer (Masterminds/semver v3.3.0-v3.5.0 version.go, identical in the three): text/template cannot
take the address of a method's result, so only the value-receiver methods are reachable on it
(`.Original`, `.Compare`, ... fail as in Go), and its unexported `original` keeps the parsed version's
`v` prefix (`originalVPrefix`), which `printf "%#v"` shows.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from wavecd.gotemplate.funcs import GoFunc, GoFuncError
from wavecd.gotemplate.gotypes import GoStruct, Uint64, go_type_name
from wavecd.semver import (
    V3_5,
    SemverError,
    Version,
    parse_version,
    validate_metadata,
    validate_prerelease,
)

_UINT64_MAX = (1 << 64) - 1


# The methods Masterminds declares on the value receiver `Version`; the others are on `*Version`.
_VALUE_METHODS = (
    "Major",
    "Minor",
    "Patch",
    "Prerelease",
    "Metadata",
    "String",
    "IncMajor",
    "IncMinor",
    "IncPatch",
    "SetPrerelease",
    "SetMetadata",
)
_POINTER_METHODS = ("Original", "Compare", "LessThan", "LessThanEqual", "GreaterThan", "GreaterThanEqual", "Equal")


class SemverVersion(GoStruct):
    """A *semver.Version as templates see it: methods, and unexported fields that only `%#v` prints."""

    go_type: ClassVar[str] = "*semver.Version"
    go_fields: ClassVar[tuple[str, ...]] = ("major", "minor", "patch", "pre", "metadata", "original")
    go_methods: ClassVar[tuple[str, ...]] = _VALUE_METHODS + _POINTER_METHODS

    def __init__(self, version: Version, lib: str):
        self.version = version
        self.lib = lib

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SemverVersion) and self.version.original == other.version.original

    def __hash__(self) -> int:
        return hash(self.version.original)

    def to_go_json(self) -> str:
        """Version.MarshalJSON: the version text."""
        return str(self.version)

    @property
    def major(self) -> Uint64:
        return Uint64(self.version.major)

    @property
    def minor(self) -> Uint64:
        return Uint64(self.version.minor)

    @property
    def patch(self) -> Uint64:
        return Uint64(self.version.patch)

    @property
    def pre(self) -> str:
        return self.version.prerelease

    @property
    def metadata(self) -> str:
        return self.version.metadata

    @property
    def original(self) -> str:
        return self.version.original

    def Major(self) -> Uint64:
        return Uint64(self.version.major)

    def Minor(self) -> Uint64:
        return Uint64(self.version.minor)

    def Patch(self) -> Uint64:
        return Uint64(self.version.patch)

    def Prerelease(self) -> str:
        return self.version.prerelease

    def Metadata(self) -> str:
        return self.version.metadata

    def Original(self) -> str:
        return self.version.original

    def String(self) -> str:
        return str(self.version)

    def Compare(self, other: Any) -> int:
        return self.version.compare(_unwrap(other))

    def LessThan(self, other: Any) -> bool:
        return self.version.compare(_unwrap(other)) < 0

    def LessThanEqual(self, other: Any) -> bool:
        return self.version.compare(_unwrap(other)) <= 0

    def GreaterThan(self, other: Any) -> bool:
        return self.version.compare(_unwrap(other)) > 0

    def GreaterThanEqual(self, other: Any) -> bool:
        return self.version.compare(_unwrap(other)) >= 0

    def Equal(self, other: Any) -> bool:
        return self.version.compare(_unwrap(other)) == 0

    def _next(self, major: int, minor: int, patch: int, prerelease: str = "", metadata: str = "") -> SemverValue:
        """The new version, its original written as Masterminds writes it: `originalVPrefix() + String()`."""
        prefix = "v" if self.version.original[:1] == "v" else ""
        text = str(Version(major, minor, patch, prerelease, metadata))
        return SemverValue(Version(major, minor, patch, prerelease, metadata, prefix + text), self.lib)

    def _inc(self, number: int, part: str) -> int:
        """A uint64 + 1: Go wraps to 0; Masterminds 3.5.0 panics instead (the template reports the panic)."""
        if number < _UINT64_MAX:
            return number + 1
        if self.lib == V3_5:
            raise GoFuncError(f"{part} version increment would overflow uint64")
        return 0

    def IncMajor(self) -> SemverValue:
        return self._next(self._inc(self.version.major, "major"), 0, 0)

    def IncMinor(self) -> SemverValue:
        return self._next(self.version.major, self._inc(self.version.minor, "minor"), 0)

    def IncPatch(self) -> SemverValue:
        v = self.version
        if v.prerelease:
            return self._next(v.major, v.minor, v.patch)
        return self._next(v.major, v.minor, self._inc(v.patch, "patch"))

    def SetPrerelease(self, prerelease: str) -> SemverValue:
        v = self.version
        if prerelease:
            _check(validate_prerelease, prerelease, self.lib)
        return self._next(v.major, v.minor, v.patch, prerelease, v.metadata)

    def SetMetadata(self, metadata: str) -> SemverValue:
        v = self.version
        if metadata:
            _check(validate_metadata, metadata, self.lib)
        return self._next(v.major, v.minor, v.patch, v.prerelease, metadata)


def _check(validate: Callable[[str, str], None], text: str, lib: str) -> None:
    """A Masterminds validation whose error the method returns (text/template: `error calling`)."""
    try:
        validate(text, lib)
    except SemverError as err:
        raise GoFuncError(err.message) from None


class SemverValue(SemverVersion):
    """A semver.Version value (what `IncPatch` and friends return): only the value-receiver methods."""

    go_type: ClassVar[str] = "semver.Version"
    go_methods: ClassVar[tuple[str, ...]] = _VALUE_METHODS


def _unwrap(other: Any) -> Version:
    """The pointer methods' `o *Version` parameter, which a `semver.Version` value does not fill."""
    if isinstance(other, SemverVersion) and other.go_type == SemverVersion.go_type:
        return other.version
    raise GoFuncError(f"wrong type for value; expected *semver.Version; got {go_type_name(other)}")


def semver_functions(lib: str) -> list[GoFunc]:
    """`semver` and `semverCompare` bound to one Masterminds release (wavecd.semver.V3_3, V3_4 or V3_5)."""

    def semver(text: str) -> SemverVersion:
        try:
            return SemverVersion(parse_version(text, lib=lib), lib)
        except SemverError as err:
            raise GoFuncError(err.message) from None

    def semver_compare(constraint: str, version: str) -> bool:
        from wavecd.semver.constraints import parse_constraints  # its patterns compile on import: only when called

        try:
            constraints = parse_constraints(constraint, lib=lib)
            return constraints.check(parse_version(version, lib=lib))
        except SemverError as err:
            raise GoFuncError(err.message) from None

    return [
        GoFunc("semver", semver, ("string",)),
        GoFunc("semverCompare", semver_compare, ("string", "string")),
    ]
