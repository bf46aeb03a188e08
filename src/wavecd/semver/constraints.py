"""Version constraints as Masterminds/semver v3 parses and checks them (`NewConstraint`, `Check`).

The grammar is defined by the library's regular expressions, so they are reproduced here (Go's `\\s`
is ASCII whitespace without `\\v`, hence the explicit class). `,` or spaces join constraints with AND,
`||` with OR, `1.2 - 1.4` is a range, `x`, `X` and `*` are wildcards.

The pre-release rule is the part that changed between 3.3.0 and 3.4.0: in 3.3.0 a pre-release version
can only satisfy a constraint that itself names a pre-release; in 3.4.0 one such constraint opens the
whole AND group to pre-releases (and `include_prerelease` opens every group). 3.5.0 only Go-quotes the
constraint in its `improper constraint` errors.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from wavecd.core.goquote import quote
from wavecd.semver.errors import SemverError
from wavecd.semver.version import V3_3, V3_4, V3_5, Version, compare_prerelease, parse_version

_S = r"[\t\n\f\r ]"
_CV = (
    r"v?([0-9|x|X|\*]+)(\.[0-9|x|X|\*]+)?(\.[0-9|x|X|\*]+)?"
    r"(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?"
    r"(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?"
)
_OPS = r"=||!=|>|<|>=|=>|<=|=<|~|~>|\^"
_CONSTRAINT = re.compile(rf"{_S}*({_OPS}){_S}*({_CV}){_S}*")
_RANGE = re.compile(rf"{_S}*({_CV}){_S}+-{_S}+({_CV}){_S}*")
_FIND = re.compile(rf"({_OPS}){_S}*({_CV})")
_VALID = re.compile(rf"({_S}*({_OPS}){_S}*({_CV}){_S}*)((?:{_S}+|,{_S}*)({_OPS}){_S}*({_CV}){_S}*)*")

_WILDCARDS = frozenset(("x", "X", "*"))


@dataclass(frozen=True, slots=True)
class _Constraint:
    con: Version
    orig: str
    op: str
    minor_dirty: bool
    patch_dirty: bool
    dirty: bool

    def __str__(self) -> str:
        return self.op + self.orig


def _rewrite_range(text: str) -> str:
    out = text
    for m in _RANGE.finditer(text):
        out = out.replace(m.group(0), f">= {m.group(1)}, <= {m.group(11)} ", 1)
    return out


def _parse_one(text: str, lib: str) -> _Constraint:
    m = _CONSTRAINT.fullmatch(text)
    if m is None:
        raise _improper(text, lib)
    major, minor, patch, pre = m.group(3), m.group(4) or "", m.group(5) or "", m.group(6) or ""
    ver = m.group(2)
    minor_dirty = patch_dirty = dirty = False
    if major in _WILDCARDS:
        ver = "0.0.0" + pre
        dirty = True
    elif minor[1:] in _WILDCARDS or not minor:
        minor_dirty = dirty = True
        ver = f"{major}.0.0{pre}"
    elif patch[1:] in _WILDCARDS or not patch:
        dirty = patch_dirty = True
        ver = f"{major}{minor}.0{pre}"
    try:
        con = parse_version(ver, lib=lib)
    except SemverError:
        raise SemverError("constraint Parser Error" if lib == V3_3 else "constraint parser error") from None
    return _Constraint(con, m.group(2), m.group(1), minor_dirty, patch_dirty, dirty)


def _improper(text: str, lib: str) -> SemverError:
    """3.5.0 prints the constraint with `%q`, the releases before it bare."""
    if lib == V3_5:
        text = quote(text)
    return SemverError(f"improper constraint: {text}")


def _tilde(v: Version, c: _Constraint) -> bool:
    if v < c.con:
        return False
    con = c.con
    if con.major == 0 and con.minor == 0 and con.patch == 0 and not c.minor_dirty and not c.patch_dirty:
        return True
    if v.major != con.major:
        return False
    return v.minor == con.minor or c.minor_dirty


def _tilde_or_equal(v: Version, c: _Constraint) -> bool:
    return _tilde(v, c) if c.dirty else v == c.con


def _not_equal(v: Version, c: _Constraint) -> bool:
    con = c.con
    if c.dirty:
        if con.major != v.major:
            return True
        if con.minor != v.minor and not c.minor_dirty:
            return True
        if c.minor_dirty:
            return False
        if con.patch != v.patch and not c.patch_dirty:
            return True
        if c.patch_dirty:
            if v.prerelease or con.prerelease:
                return compare_prerelease(v.prerelease, con.prerelease) != 0
            return False
    return v != con


def _greater_than(v: Version, c: _Constraint) -> bool:
    if not c.dirty:
        return v.compare(c.con) == 1
    if v.major > c.con.major:
        return True
    if v.major < c.con.major or c.minor_dirty:
        return False
    if c.patch_dirty:
        return v.minor > c.con.minor
    return v.compare(c.con) == 1


def _less_than(v: Version, c: _Constraint) -> bool:
    return v.compare(c.con) < 0


def _greater_equal(v: Version, c: _Constraint) -> bool:
    return v.compare(c.con) >= 0


def _less_equal(v: Version, c: _Constraint) -> bool:
    if not c.dirty:
        return v.compare(c.con) <= 0
    if v.major > c.con.major:
        return False
    return not (v.major == c.con.major and v.minor > c.con.minor and not c.minor_dirty)


def _caret(v: Version, c: _Constraint) -> bool:
    con = c.con
    if v < con:
        return False
    if con.major > 0 or c.minor_dirty:
        return v.major == con.major
    if con.major == 0 and v.major > 0:
        return False
    if con.minor > 0 or c.patch_dirty:
        return v.minor == con.minor
    if con.minor == 0 and v.minor > 0:
        return False
    return con.patch == v.patch


_OPERATORS: dict[str, Callable[[Version, _Constraint], bool]] = {
    "": _tilde_or_equal,
    "=": _tilde_or_equal,
    "!=": _not_equal,
    ">": _greater_than,
    "<": _less_than,
    ">=": _greater_equal,
    "=>": _greater_equal,
    "<=": _less_equal,
    "=<": _less_equal,
    "~": _tilde,
    "~>": _tilde,
    "^": _caret,
}


class Constraints:
    """A parsed constraint string: OR groups of AND-ed constraints."""

    __slots__ = ("_group_has_pre", "_groups", "include_prerelease", "lib")

    def __init__(self, groups: tuple[tuple[_Constraint, ...], ...], lib: str, include_prerelease: bool = False):
        self._groups = groups
        self._group_has_pre = [any(c.con.prerelease for c in g) for g in groups]
        self.lib = lib
        self.include_prerelease = include_prerelease

    def check(self, version: Version) -> bool:
        """Whether the version satisfies the constraints (Masterminds' `Check`)."""
        for group, has_pre in zip(self._groups, self._group_has_pre, strict=True):
            if version.prerelease and not self._admits_prerelease(group, has_pre):
                continue
            if all(_OPERATORS[c.op](version, c) for c in group):
                return True
        return False

    def _admits_prerelease(self, group: tuple[_Constraint, ...], has_pre: bool) -> bool:
        if self.lib != V3_3:
            return self.include_prerelease or has_pre
        # 3.3.0 asks each constraint; `!=` only refuses a pre-release when it has a wildcard.
        return all(c.con.prerelease or (c.op == "!=" and not c.dirty) for c in group)

    def __str__(self) -> str:
        return " || ".join(" ".join(str(c) for c in group) for group in self._groups)

    def __repr__(self) -> str:
        return f"Constraints({self.__str__()!r})"


@lru_cache(maxsize=1024)
def _parse_groups(text: str, lib: str) -> tuple[tuple[_Constraint, ...], ...]:
    """Parsing is regex-heavy and charts repeat the same few constraints, so results are cached."""
    groups = []
    for segment in _rewrite_range(text).split("||"):
        if not _VALID.fullmatch(segment):
            raise _improper(segment, lib)
        pieces = [m.group(0) for m in _FIND.finditer(segment)] or [segment]
        groups.append(tuple(_parse_one(piece, lib) for piece in pieces))
    return tuple(groups)


def parse_constraints(text: str, *, lib: str = V3_4, include_prerelease: bool = False) -> Constraints:
    """`NewConstraint`: raises SemverError with Masterminds' text (`improper constraint: …`).

    `include_prerelease` is 3.4.0's `IncludePrerelease` field; 3.3.0 has no such switch and ignores it.
    """
    return Constraints(_parse_groups(text, lib), lib, include_prerelease)


__all__ = ["V3_3", "V3_4", "V3_5", "Constraints", "parse_constraints"]
