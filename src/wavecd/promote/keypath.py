"""A parameter name as `helm --set` writes it: `image.tag`, `env[0].value`, `annotations.a\\.b/c`."""

from __future__ import annotations

import re

from wavecd.core import UserInputError

__all__ = ["KeyPath", "format_path", "parse_key"]

# a key, or a list index
KeyPath = tuple[str | int, ...]

_INDEX = re.compile(r"\[(\d+)\]")


def parse_key(text: str) -> KeyPath:
    """The path of `text`: keys split on unescaped dots, `[N]` a list index. Refuses what `--set` refuses."""
    parts: list[str | int] = []
    key = ""
    i = 0
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text):
            key += text[i + 1]
            i += 2
            continue
        if char == ".":
            if not key and (not parts or not isinstance(parts[-1], int)):
                raise UserInputError(f"parameter {text!r}: empty key before '.'")
            if key:
                parts.append(key)
            key = ""
        elif char == "[":
            match = _INDEX.match(text, i)
            if match is None:
                raise UserInputError(f"parameter {text!r}: expected a list index like [0] at position {i}")
            if key:
                parts.append(key)
                key = ""
            elif not parts:
                raise UserInputError(f"parameter {text!r}: a list index needs a key before it")
            parts.append(int(match.group(1)))
            i = match.end()
            continue
        else:
            key += char
        i += 1
    if key:
        parts.append(key)
    if not parts or not isinstance(parts[0], str) or text.endswith("."):
        raise UserInputError(f"parameter {text!r}: expected a name like image.tag")
    return tuple(parts)


def format_path(path: KeyPath) -> str:
    """The path written back as `--set` writes it."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            escaped = part.replace("\\", "\\\\").replace(".", "\\.")
            out += f".{escaped}" if out else escaped
    return out
