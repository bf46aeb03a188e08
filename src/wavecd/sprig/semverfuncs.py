"""Sprig's `semver` and `semverCompare`, over wavecd.semver (Masterminds/semver v3).

`semver` returns a `*semver.Version`; templates call its methods (`(semver "1.2.3").Major`,
`.Compare`, `.LessThan`, ...) and print it through `String()`. The Masterminds release decides error
texts (3.3.0 says `Invalid Semantic Version`, 3.4.0 `invalid semantic version`), hence `lib`.
"""

from __future__ import annotations

from typing import Any, ClassVar

from wavecd.gotemplate.funcs import GoFunc, GoFuncError
from wavecd.gotemplate.gotypes import GoStruct, Uint64
from wavecd.semver import V3_5, SemverError, Version, parse_constraints, parse_version

_UINT64_MAX = (1 << 64) - 1


class SemverVersion(GoStruct):
    """A *semver.Version as templates see it: no fields, only methods."""

    go_type: ClassVar[str] = "*semver.Version"
    go_methods: ClassVar[tuple[str, ...]] = (
        "Major",
        "Minor",
        "Patch",
        "Prerelease",
        "Metadata",
        "Original",
        "String",
        "Compare",
        "LessThan",
        "GreaterThan",
        "Equal",
        "IncMajor",
        "IncMinor",
        "IncPatch",
    )

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

    def GreaterThan(self, other: Any) -> bool:
        return self.version.compare(_unwrap(other)) > 0

    def Equal(self, other: Any) -> bool:
        return self.version.compare(_unwrap(other)) == 0

    def _bumped(self, major: int, minor: int, patch: int) -> SemverVersion:
        version = Version(major, minor, patch)
        return SemverVersion(version, self.lib)

    def _inc(self, number: int, part: str) -> int:
        """A uint64 + 1: Go wraps to 0; Masterminds 3.5.0 panics instead (the template reports the panic)."""
        if number < _UINT64_MAX:
            return number + 1
        if self.lib == V3_5:
            raise GoFuncError(f"{part} version increment would overflow uint64")
        return 0

    def IncMajor(self) -> SemverVersion:
        return self._bumped(self._inc(self.version.major, "major"), 0, 0)

    def IncMinor(self) -> SemverVersion:
        return self._bumped(self.version.major, self._inc(self.version.minor, "minor"), 0)

    def IncPatch(self) -> SemverVersion:
        v = self.version
        if v.prerelease:
            return self._bumped(v.major, v.minor, v.patch)
        return self._bumped(v.major, v.minor, self._inc(v.patch, "patch"))


def _unwrap(other: Any) -> Version:
    if isinstance(other, SemverVersion):
        return other.version
    raise GoFuncError(f"wrong type for value; expected *semver.Version; got {type(other).__name__}")


def semver_functions(lib: str) -> list[GoFunc]:
    """`semver` and `semverCompare` bound to one Masterminds release (wavecd.semver.V3_3, V3_4 or V3_5)."""

    def semver(text: str) -> SemverVersion:
        try:
            return SemverVersion(parse_version(text, lib=lib), lib)
        except SemverError as err:
            raise GoFuncError(err.message) from None

    def semver_compare(constraint: str, version: str) -> bool:
        try:
            constraints = parse_constraints(constraint, lib=lib)
            return constraints.check(parse_version(version, lib=lib))
        except SemverError as err:
            raise GoFuncError(err.message) from None

    return [
        GoFunc("semver", semver, ("string",)),
        GoFunc("semverCompare", semver_compare, ("string", "string")),
    ]
