"""gobwas/glob with `/` as separator, as `.Files.Glob` uses it.

`*` any run without `/`, `**` any run, `?` one non-`/` character, `[abc]`/`[!abc]`/`[a-z]` classes,
`{a,b}` alternatives (nestable), `\\` escapes. A pattern gobwas cannot compile makes Helm fall back to `**`
(everything matches), so `compile_glob` returns None for those and callers treat None as match-all.
"""

from __future__ import annotations

import re
from functools import lru_cache


class _BadGlob(ValueError):
    pass


def _translate(p: str, i: int, in_alt: bool) -> tuple[str, int]:
    out: list[str] = []
    n = len(p)
    while i < n:
        ch = p[i]
        if ch == "*":
            if i + 1 < n and p[i + 1] == "*":
                out.append(".*")
                i += 2
            else:
                out.append("[^/]*")
                i += 1
        elif ch == "?":
            out.append("[^/]")
            i += 1
        elif ch == "[":
            end = p.find("]", i + 1)
            if end == -1:
                raise _BadGlob(p)
            body = p[i + 1 : end]
            negate = body.startswith("!")
            if negate:
                body = body[1:]
            if not body:
                raise _BadGlob(p)
            escaped = "".join("\\" + c if c in "\\^[]" else c for c in body)
            out.append(f"[^{escaped}]" if negate else f"[{escaped}]")
            i = end + 1
        elif ch == "{":
            alts: list[str] = []
            i += 1
            while True:
                text, i = _translate(p, i, True)
                alts.append(text)
                if i >= n:
                    raise _BadGlob(p)
                if p[i] == "}":
                    i += 1
                    break
                i += 1
            out.append("(?:" + "|".join(alts) + ")")
        elif in_alt and ch in ",}":
            return "".join(out), i
        elif ch == "\\":
            if i + 1 >= n:
                raise _BadGlob(p)
            out.append(re.escape(p[i + 1]))
            i += 2
        else:
            out.append(re.escape(ch))
            i += 1
    return "".join(out), i


@lru_cache(maxsize=512)
def compile_glob(pattern: str) -> re.Pattern[str] | None:
    """The regex for a glob, or None when gobwas would reject it (Helm then matches everything)."""
    try:
        text, _ = _translate(pattern, 0, False)
    except _BadGlob:
        return None
    return re.compile(text + r"\Z", re.DOTALL)


def glob_match(pattern: str, name: str) -> bool:
    compiled = compile_glob(pattern)
    return compiled is None or compiled.match(name) is not None
