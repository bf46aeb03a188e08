"""Go's `os.Expand`: `$NAME` and `${NAME}` replaced by what a mapping gives, with Go's edge cases.

Two callers need exactly Go's rules: Sprig's `expandenv` (`os.ExpandEnv`, the process environment) and
Argo CD's `Env.Envsubst` (the build environment of kustomize, Jsonnet and plugins, `$$` a dollar). A bare
`$` (at the end, or before a character that starts no name) stays; bad `${` and `${}` are eaten; special
names (`$1`, `$*`, `${#}`) are one character; a name is ASCII letters, digits and `_`.
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["expand"]

_SPECIAL = frozenset("*#$@!?-0123456789")


def _shell_name(text: str) -> tuple[str, int]:
    """Go's `getShellName`: the name at the start of `text` (after a `$`) and how many characters it spans."""
    if text[0] == "{":
        if len(text) > 2 and text[1] in _SPECIAL and text[2] == "}":
            return text[1], 3
        end = text.find("}", 1)
        if end < 0:
            return "", 1
        return ("", 2) if end == 1 else (text[1:end], end + 1)
    if text[0] in _SPECIAL:
        return text[0], 1
    end = 0
    while end < len(text) and text[end].isascii() and (text[end].isalnum() or text[end] == "_"):
        end += 1
    return text[:end], end


def expand(text: str, mapping: Callable[[str], str]) -> str:
    """`os.Expand(text, mapping)`."""
    out: list[str] = []
    start = index = 0
    while index < len(text):
        if text[index] == "$" and index + 1 < len(text):
            out.append(text[start:index])
            name, width = _shell_name(text[index + 1 :])
            if name:
                out.append(mapping(name))
            elif width == 0:
                out.append("$")
            index += width
            start = index + 1
        index += 1
    return "".join(out) + text[start:] if out else text
