"""Go's `path/filepath.Match` (on a `/` system): the glob used by `.helmignore` and `--show-only`.

`*` matches any run of non-`/` characters, `?` one non-`/` character, `[...]` a class (`^` negates,
`a-z` ranges), `\\` escapes. Patterns compile once to a regex; a malformed pattern raises `BadPattern`
(Go's `syntax error in pattern`).
"""

from __future__ import annotations

import re
from functools import lru_cache


class BadPattern(ValueError):
    """filepath.ErrBadPattern."""

    def __init__(self) -> None:
        super().__init__("syntax error in pattern")


def _class(pattern: str, i: int) -> tuple[str, int]:
    """Translate the class starting after `[` at index i; return (regex, index after `]`)."""
    n = len(pattern)
    negate = i < n and pattern[i] == "^"
    if negate:
        i += 1
    parts: list[str] = []
    while True:
        if i < n and pattern[i] == "]" and parts:
            i += 1
            break
        lo, i = _class_char(pattern, i)
        hi = lo
        if i < n and pattern[i] == "-":
            hi, i = _class_char(pattern, i + 1)
        if lo <= hi:
            parts.append(re.escape(lo) if lo == hi else f"{re.escape(lo)}-{re.escape(hi)}")
        else:
            parts.append("")
    body = "".join(parts)
    if not body:
        return ("(?s:.)" if negate else "(?!)"), i
    return (f"[^{body}]" if negate else f"[{body}]"), i


def _class_char(pattern: str, i: int) -> tuple[str, int]:
    if i >= len(pattern) or pattern[i] in "-]":
        raise BadPattern()
    if pattern[i] == "\\":
        i += 1
        if i >= len(pattern):
            raise BadPattern()
    return pattern[i], i + 1


@lru_cache(maxsize=1024)
def compile_pattern(pattern: str) -> re.Pattern[str]:
    """The regex equivalent of a filepath.Match pattern; raises BadPattern like Go does."""
    out: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        ch = pattern[i]
        if ch == "*":
            out.append("[^/]*")
            i += 1
        elif ch == "?":
            out.append("[^/]")
            i += 1
        elif ch == "[":
            text, i = _class(pattern, i + 1)
            out.append(text)
        elif ch == "\\":
            if i + 1 >= n:
                raise BadPattern()
            out.append(re.escape(pattern[i + 1]))
            i += 2
        else:
            out.append(re.escape(ch))
            i += 1
    return re.compile("".join(out) + r"\Z", re.DOTALL)


def match(pattern: str, name: str) -> bool:
    """filepath.Match(pattern, name); raises BadPattern for a malformed pattern."""
    return compile_pattern(pattern).match(name) is not None
