"""Parsing and ordering versions the way Masterminds/semver v3 does (`NewVersion`, `StrictNewVersion`).

Helm and Argo CD both sit on this library, and its leniency is observable: `NewVersion` accepts
`v1`, `1.2` and leading zeros, orders pre-releases field by field, and ignores build metadata.
Three library versions matter: 3.3.0 (Helm 3), 3.4.0 (Helm 4.1, Argo CD 3) and 3.5.0 (Helm 4.2), whose
error texts differ in case (3.3.0) or quoting (3.5.0) and whose pre-release validation differs; `lib` picks one.
"""

from __future__ import annotations

import re
from functools import total_ordering

from wavecd.semver.errors import SemverError

V3_3 = "3.3.0"
V3_4 = "3.4.0"
V3_5 = "3.5.0"

_UINT64_MAX = (1 << 64) - 1

# NewVersion's pattern: an optional v, up to three numbers, then -prerelease and +metadata.
_LOOSE = re.compile(
    r"v?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?"
    r"(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?"
    r"(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?"
)
_NUM = re.compile(r"[0-9]*")
_ALLOWED = re.compile(r"[0-9A-Za-z\-]*")
_NUMERIC = re.compile(r"[0-9]+")

_MESSAGES = {
    "invalid": ("Invalid Semantic Version", "invalid semantic version"),
    "empty": ("Version string empty", "version string empty"),
    "chars": ("Invalid characters in version", "invalid characters in version"),
    "zero": ("Version segment starts with 0", "version segment starts with 0"),
    "metadata": ("Invalid Metadata string", "invalid metadata string"),
    "prerelease": ("Invalid Prerelease string", "invalid prerelease string"),
    "segment": ("Error parsing version segment: ", "error parsing version segment: "),
}


def message(key: str, lib: str) -> str:
    """One of Masterminds' error texts, in the case that library version uses."""
    return _MESSAGES[key][lib != V3_3]


def _parse_uint(text: str) -> int:
    """strconv.ParseUint(text, 10, 64), raising with Go's error text."""
    if not _NUMERIC.fullmatch(text):
        raise ValueError(f'strconv.ParseUint: parsing "{text}": invalid syntax')
    value = int(text)
    if value > _UINT64_MAX:
        raise ValueError(f'strconv.ParseUint: parsing "{text}": value out of range')
    return value


def validate_prerelease(pre: str, lib: str) -> None:
    """Masterminds' validatePrerelease, which parsing and `Version.SetPrerelease` share."""
    for part in pre.split("."):
        if part == "" and lib != V3_3:
            raise SemverError(message("prerelease", lib))
        if _NUM.fullmatch(part):
            if len(part) > 1 and part[0] == "0":
                raise SemverError(message("zero", lib))
        elif not _ALLOWED.fullmatch(part):
            raise SemverError(message("prerelease", lib))


def validate_metadata(meta: str, lib: str) -> None:
    """Masterminds' validateMetadata, which parsing and `Version.SetMetadata` share."""
    for part in meta.split("."):
        if (part == "" and lib != V3_3) or not _ALLOWED.fullmatch(part):
            raise SemverError(message("metadata", lib))


@total_ordering
class Version:
    """A parsed version. `str()` is Masterminds' `String()` (no `v`); `original` is what was parsed.

    Equality and order follow `Compare`: build metadata is ignored, a pre-release sorts before its release.
    """

    __slots__ = ("major", "metadata", "minor", "original", "patch", "prerelease")

    def __init__(
        self, major: int, minor: int, patch: int, prerelease: str = "", metadata: str = "", original: str | None = None
    ):
        self.major = major
        self.minor = minor
        self.patch = patch
        self.prerelease = prerelease
        self.metadata = metadata
        self.original = self.__str__() if original is None else original

    def __str__(self) -> str:
        text = f"{self.major}.{self.minor}.{self.patch}"
        if self.prerelease:
            text += "-" + self.prerelease
        if self.metadata:
            text += "+" + self.metadata
        return text

    def __repr__(self) -> str:
        return f"Version({self.original!r})"

    def compare(self, other: Version) -> int:
        """-1, 0 or 1, as Masterminds' `Compare`."""
        a = (self.major, self.minor, self.patch)
        b = (other.major, other.minor, other.patch)
        if a != b:
            return -1 if a < b else 1
        if self.prerelease == other.prerelease:
            return 0
        if not self.prerelease:
            return 1
        if not other.prerelease:
            return -1
        return compare_prerelease(self.prerelease, other.prerelease)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Version):
            return NotImplemented
        return self.compare(other) == 0

    def __lt__(self, other: Version) -> bool:
        return self.compare(other) < 0

    def __hash__(self) -> int:
        return hash((self.major, self.minor, self.patch, self.prerelease))


def _is_uint(part: str) -> bool:
    return bool(_NUMERIC.fullmatch(part)) and int(part) <= _UINT64_MAX


def _compare_pre_part(s: str, o: str) -> int:
    if s == o:
        return 0
    if s == "":
        return -1
    if o == "":
        return 1
    s_num, o_num = _is_uint(s), _is_uint(o)
    if not s_num and not o_num:
        return 1 if s > o else -1
    if not o_num:
        return -1
    if not s_num:
        return 1
    return 1 if int(s) > int(o) else -1


def compare_prerelease(a: str, b: str) -> int:
    """Masterminds' comparePrerelease: dot-separated fields, numbers below words, a missing field lowest."""
    aparts = a.split(".")
    bparts = b.split(".")
    for i in range(max(len(aparts), len(bparts))):
        d = _compare_pre_part(aparts[i] if i < len(aparts) else "", bparts[i] if i < len(bparts) else "")
        if d:
            return d
    return 0


def _new_version(text: str, lib: str) -> Version:
    m = _LOOSE.fullmatch(text)
    if m is None:
        raise SemverError(message("invalid", lib))
    try:
        major = _parse_uint(m.group(1))
        minor = _parse_uint(m.group(2)[1:]) if m.group(2) else 0
        patch = _parse_uint(m.group(3)[1:]) if m.group(3) else 0
    except ValueError as exc:
        raise SemverError(message("segment", lib) + str(exc)) from None
    pre = m.group(5) or ""
    meta = m.group(8) or ""
    if pre:
        validate_prerelease(pre, lib)
    if meta:
        validate_metadata(meta, lib)
    return Version(major, minor, patch, pre, meta, text)


def _strict_new_version(text: str, lib: str) -> Version:
    if not text:
        raise SemverError(message("empty", lib))
    parts = text.split(".", 2)
    if len(parts) != 3:
        raise SemverError(message("invalid", lib))
    meta = pre = ""
    if "+" in parts[2]:
        parts[2], meta = parts[2].split("+", 1)
        validate_metadata(meta, lib)
    if "-" in parts[2]:
        parts[2], pre = parts[2].split("-", 1)
        validate_prerelease(pre, lib)
    for part in parts:
        if not _NUM.fullmatch(part):
            raise SemverError(message("chars", lib))
        if len(part) > 1 and part[0] == "0":
            raise SemverError(message("zero", lib))
    try:
        major, minor, patch = (_parse_uint(p) for p in parts)
    except ValueError as exc:
        raise SemverError(str(exc)) from None
    return Version(major, minor, patch, pre, meta, text)


def parse_version(text: str, strict: bool = False, *, lib: str = V3_4) -> Version:
    """`NewVersion` (lenient: `v1`, `1.2`, `01.2.3`) or, with strict, `StrictNewVersion` (exactly X.Y.Z)."""
    if strict:
        return _strict_new_version(text, lib)
    return _new_version(text, lib)
