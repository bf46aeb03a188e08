"""Sprig's regex functions (regex.go) over wavecd.sprig.goregex (Go's RE2 dialect).

`regexMatch` treats a bad pattern as no match; the other plain variants use Go's `MustCompile`, whose
panic text wraps the error (`regexp: Compile(`[`): error parsing regexp: ...`); the `must` variants
fail with the bare error.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from wavecd.core.goquote import quote as go_quote
from wavecd.gotemplate.funcs import GoFunc, GoFuncError
from wavecd.gotemplate.gotypes import GoStringList, NilStringList
from wavecd.sprig import goregex
from wavecd.sprig.goregex import GoRegexError, compile_go_regex


def _backquotable(s: str) -> bool:
    """strconv.CanBackquote."""
    for ch in s:
        if ch == "`" or ch == "\ufeff" or ch == "\x7f" or (ch < " " and ch != "\t") or "\ud800" <= ch <= "\udfff":
            return False
    return True


def _must_compile(pattern: str) -> re.Pattern[str]:
    try:
        return compile_go_regex(pattern)
    except GoRegexError as err:
        shown = f"`{pattern}`" if _backquotable(pattern) else go_quote(pattern)
        raise GoFuncError(f"regexp: Compile({shown}): {err.message}") from None


def _compile(pattern: str) -> re.Pattern[str]:
    try:
        return compile_go_regex(pattern)
    except GoRegexError as err:
        raise GoFuncError(err.message) from None


def regex_match(pattern: str, s: str) -> bool:
    try:
        return goregex.match(compile_go_regex(pattern), s)
    except GoRegexError:
        return False


def _strings(found: list[str]) -> GoStringList:
    """Go's FindAllString and Split return nil, not an empty slice, when they produce nothing (no match,
    n=0), and toJson tells the two apart."""
    return GoStringList(found) if found else NilStringList()


def _pair(name: str, op: Callable[..., Any], *params: str) -> list[GoFunc]:
    """The plain (MustCompile) and `must` (Compile) variants of one regex operation."""
    return [
        GoFunc(name, lambda pattern, *rest: op(_must_compile(pattern), *rest), params),
        GoFunc("must" + name[0].upper() + name[1:], lambda pattern, *rest: op(_compile(pattern), *rest), params),
    ]


FUNCS = [
    GoFunc("regexMatch", regex_match, ("string", "string")),
    GoFunc("mustRegexMatch", lambda pattern, s: goregex.match(_compile(pattern), s), ("string", "string")),
    *_pair("regexFindAll", lambda r, s, n: _strings(goregex.find_all(r, s, n)), "string", "string", "int"),
    *_pair("regexFind", goregex.find, "string", "string"),
    *_pair("regexReplaceAll", goregex.replace_all, "string", "string", "string"),
    *_pair("regexReplaceAllLiteral", goregex.replace_all_literal, "string", "string", "string"),
    *_pair("regexSplit", lambda r, s, n: _strings(goregex.split(r, s, n)), "string", "string", "int"),
    GoFunc("regexQuoteMeta", goregex.quote_meta, ("string",)),
]
