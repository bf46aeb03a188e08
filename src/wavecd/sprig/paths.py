"""Sprig's path functions: Go's `path` package, and `path/filepath` on Linux (the same rules).

Python's posixpath differs in the corners charts hit (`posixpath.normpath("//a")` keeps both slashes,
`basename("a/b/")` is empty), so Go's lexical rules are reproduced here.
"""

from __future__ import annotations

from wavecd.gotemplate.funcs import GoFunc


def clean(path: str) -> str:
    """path.Clean: drop empty and `.` elements, resolve `..` lexically, never end in a slash."""
    if path == "":
        return "."
    rooted = path.startswith("/")
    parts: list[str] = []
    for part in path.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if parts and parts[-1] != "..":
                parts.pop()
            elif not rooted:
                parts.append("..")
            continue
        parts.append(part)
    joined = "/".join(parts)
    if rooted:
        return "/" + joined
    return joined or "."


def base(path: str) -> str:
    """path.Base: the last element, trailing slashes ignored; `.` for "" and `/` for all slashes."""
    if path == "":
        return "."
    path = path.rstrip("/")
    if path == "":
        return "/"
    return path[path.rfind("/") + 1 :]


def dirname(path: str) -> str:
    """path.Dir: everything before the last element, cleaned."""
    return clean(path[: path.rfind("/") + 1])


def ext(path: str) -> str:
    """path.Ext: the suffix from the final dot of the last element, or ""."""
    for i in range(len(path) - 1, -1, -1):
        if path[i] == "/":
            break
        if path[i] == ".":
            return path[i:]
    return ""


def is_abs(path: str) -> bool:
    return path.startswith("/")


FUNCS = [
    GoFunc("base", base, ("string",)),
    GoFunc("dir", dirname, ("string",)),
    GoFunc("clean", clean, ("string",)),
    GoFunc("ext", ext, ("string",)),
    GoFunc("isAbs", is_abs, ("string",)),
    GoFunc("osBase", base, ("string",)),
    GoFunc("osClean", clean, ("string",)),
    GoFunc("osDir", dirname, ("string",)),
    GoFunc("osExt", ext, ("string",)),
    GoFunc("osIsAbs", is_abs, ("string",)),
]
