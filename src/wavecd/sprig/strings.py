"""Sprig's string functions (strings.go and the string entries of functions.go).

Lengths and offsets are Go's: bytes of UTF-8, so `trunc 2 "héllo"` cuts inside `é` exactly as Helm does.
"""

from __future__ import annotations

from typing import Any

from wavecd.core.goquote import quote as go_quote
from wavecd.gotemplate.funcs import GoFunc, GoFuncError
from wavecd.gotemplate.gofmt import format_value
from wavecd.gotemplate.gotypes import GoStringList, GoStringMap
from wavecd.sprig import textcase
from wavecd.sprig.gounicode import lower, trim_space, upper
from wavecd.sprig.goval import as_items, from_go_bytes, go_bytes, go_len, is_list_kind, strval

_NEGATIVE_REPEAT = "strings: negative Repeat count"


def _slice_error(low: int | None, high: int | None, length: int) -> GoFuncError:
    """Go's runtime message for a string slice expression out of range."""
    if high is not None and high > length:
        return GoFuncError(f"runtime error: slice bounds out of range [:{high}] with length {length}")
    if high is not None and high < 0:
        return GoFuncError(f"runtime error: slice bounds out of range [:{high}]")
    if low is not None and high is None:
        return GoFuncError(f"runtime error: slice bounds out of range [{low}:{length}]")
    return GoFuncError(f"runtime error: slice bounds out of range [{low}:{high}]")


def _byte_slice(s: str, low: int | None, high: int | None) -> str:
    """s[low:high] on the bytes of a Go string, with Go's panics for bad bounds."""
    n = go_len(s)
    lo = 0 if low is None else low
    hi = n if high is None else high
    if hi < 0 or hi > n or lo < 0 or lo > hi:
        raise _slice_error(low, high, n)
    if s.isascii():
        return s[lo:hi]
    return from_go_bytes(go_bytes(s)[lo:hi])


def trunc(c: int, s: str) -> str:
    n = go_len(s)
    if c < 0 and n + c > 0:
        return _byte_slice(s, n + c, None)
    if c >= 0 and n > c:
        return _byte_slice(s, None, c)
    return s


def substr(start: int, end: int, s: str) -> str:
    if start < 0:
        return _byte_slice(s, None, end)
    if end < 0 or end > go_len(s):
        return _byte_slice(s, start, None)
    return _byte_slice(s, start, end)


def abbrev(width: int, s: str) -> str:
    if width < 4:
        return s
    return textcase.abbreviate_full(s, 0, width)


def abbrevboth(left: int, right: int, s: str) -> str:
    if right < 4 or (left > 0 and right < 7):
        return s
    return textcase.abbreviate_full(s, left, right)


def repeat(count: int, s: str) -> str:
    if count < 0:
        raise GoFuncError(_NEGATIVE_REPEAT)
    return s * count


def quote(*args: Any) -> str:
    return " ".join(go_quote(strval(a)) for a in args if a is not None)


def squote(*args: Any) -> str:
    return " ".join(f"'{format_value(a)}'" for a in args if a is not None)


def cat(*args: Any) -> str:
    return " ".join(format_value(a) for a in args if a is not None)


def indent(spaces: int, s: str) -> str:
    if spaces < 0:
        raise GoFuncError(_NEGATIVE_REPEAT)
    pad = " " * spaces
    return pad + s.replace("\n", "\n" + pad)


def nindent(spaces: int, s: str) -> str:
    return "\n" + indent(spaces, s)


def replace(old: str, new: str, s: str) -> str:
    # With an empty `old` Go inserts `new` around every rune and every invalid byte; Python does the
    # same around every code point, and an invalid byte is one surrogate code point here.
    return s.replace(old, new)


def plural(one: str, many: str, count: int) -> str:
    return one if count == 1 else many


def strslice(v: Any) -> GoStringList:
    """Sprig's `strslice` (`toStrings`): elements by `strval`, nil elements dropped; a scalar becomes one.
    Only a Go `[]string` is returned as it is: a named []string type (Helm's VersionSet) is copied into one."""
    if v.__class__ is GoStringList:
        return v
    if is_list_kind(v):
        return GoStringList(strval(x) for x in as_items(v) if x is not None)
    if v is None:
        return GoStringList()
    return GoStringList([strval(v)])


def join(sep: str, v: Any) -> str:
    return sep.join(strslice(v))


def sort_alpha(v: Any) -> GoStringList:
    """Sprig sorts a Go `[]string` argument in place (its strslice hands the slice itself to sort), so
    `$_ := sortAlpha $keys` orders `$keys`; any other list is copied first. A named []string type (Helm's
    VersionSet) is copied as well, as the type switch does not take it for a []string."""
    if v.__class__ is GoStringList:
        v.sort(key=go_bytes)
        return v
    if is_list_kind(v):
        return GoStringList(sorted(strslice(v), key=go_bytes))
    return GoStringList([strval(v)])


def _go_split(s: str, sep: str, n: int = -1) -> list[str]:
    """strings.SplitN: an empty separator splits after each UTF-8 sequence; n == 0 gives nothing."""
    if n == 0:
        return []
    if sep == "":
        parts = list(s)
        if 0 < n < len(parts):
            parts = [*parts[: n - 1], "".join(parts[n - 1 :])]
        return parts
    return s.split(sep, n - 1 if n > 0 else -1)


def split(sep: str, s: str) -> GoStringMap:
    return GoStringMap((f"_{i}", part) for i, part in enumerate(_go_split(s, sep)))


def splitn(sep: str, n: int, s: str) -> GoStringMap:
    return GoStringMap((f"_{i}", part) for i, part in enumerate(_go_split(s, sep, n)))


def split_list(sep: str, s: str) -> GoStringList:
    return GoStringList(_go_split(s, sep))


FUNCS = [
    GoFunc("abbrev", abbrev, ("int", "string")),
    GoFunc("abbrevboth", abbrevboth, ("int", "int", "string")),
    GoFunc("trunc", trunc, ("int", "string")),
    GoFunc("trim", trim_space, ("string",)),
    GoFunc("upper", upper, ("string",)),
    GoFunc("lower", lower, ("string",)),
    GoFunc("title", textcase.title, ("string",)),
    GoFunc("untitle", textcase.uncapitalize, ("string",)),
    GoFunc("substr", substr, ("int", "int", "string")),
    GoFunc("repeat", repeat, ("int", "string")),
    GoFunc("trimall", lambda cutset, s: s.strip(cutset), ("string", "string")),
    GoFunc("trimAll", lambda cutset, s: s.strip(cutset), ("string", "string")),
    GoFunc("trimSuffix", lambda suffix, s: s.removesuffix(suffix), ("string", "string")),
    GoFunc("trimPrefix", lambda prefix, s: s.removeprefix(prefix), ("string", "string")),
    GoFunc("nospace", textcase.delete_white_space, ("string",)),
    GoFunc("initials", textcase.initials, ("string",)),
    GoFunc("swapcase", textcase.swap_case, ("string",)),
    GoFunc("snakecase", textcase.snake_case, ("string",)),
    GoFunc("camelcase", textcase.pascal_case, ("string",)),
    GoFunc("kebabcase", textcase.kebab_case, ("string",)),
    GoFunc("wrap", lambda width, s: textcase.wrap_custom(s, width, "", False), ("int", "string")),
    GoFunc("wrapWith", lambda width, sep, s: textcase.wrap_custom(s, width, sep, True), ("int", "string", "string")),
    GoFunc("contains", lambda sub, s: sub in s, ("string", "string")),
    GoFunc("hasPrefix", lambda prefix, s: s.startswith(prefix), ("string", "string")),
    GoFunc("hasSuffix", lambda suffix, s: s.endswith(suffix), ("string", "string")),
    GoFunc("quote", quote, (), "interface {}"),
    GoFunc("squote", squote, (), "interface {}"),
    GoFunc("cat", cat, (), "interface {}"),
    GoFunc("indent", indent, ("int", "string")),
    GoFunc("nindent", nindent, ("int", "string")),
    GoFunc("replace", replace, ("string", "string", "string")),
    GoFunc("plural", plural, ("string", "string", "int")),
    GoFunc("toString", strval, ("interface {}",)),
    GoFunc("split", split, ("string", "string")),
    GoFunc("splitList", split_list, ("string", "string")),
    GoFunc("splitn", splitn, ("string", "int", "string")),
    GoFunc("toStrings", strslice, ("interface {}",)),
    GoFunc("join", join, ("string", "interface {}")),
    GoFunc("sortAlpha", sort_alpha, ("interface {}",)),
]
