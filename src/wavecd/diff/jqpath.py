"""The part of jq that `ignoreDifferences.jqPathExpressions` are written in, evaluated as Argo CD's
`del(<expr>)`.

Argo CD hands each expression to gojq. wavecd understands the path expressions people write there and
nothing more: a pipeline (`|`) of paths — `.a.b`, `."a.b"`, `.["a"]`, `.a[0]`, `.a[]` — and
`select(PATH == LITERAL)` / `select(PATH != LITERAL)` with a string, number, `true`, `false` or `null`.
Anything else is a `JqUnsupported` error, which the caller reports rather than guess: an expression is
either understood and honoured, or named as not honoured.
"""

from __future__ import annotations

import json
import re
from typing import Any

__all__ = ["JqUnsupported", "delete_paths"]

Path = tuple[str | int, ...]

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<pipe>\|)
      | (?P<select>select\s*\()
      | (?P<close>\))
      | (?P<op>==|!=)
      | (?P<iterate>\[\])
      | (?P<index>\[\s*(?P<number>-?\d+)\s*\])
      | (?P<bracket>\[\s*(?P<bracketed>"(?:[^"\\]|\\.)*")\s*\])
      | (?P<field>\.(?:(?P<name>[A-Za-z_][A-Za-z0-9_]*)|(?P<quoted>"(?:[^"\\]|\\.)*"))?)
      | (?P<literal>"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?|true|false|null)
    )""",
    re.VERBOSE,
)


class JqUnsupported(ValueError):
    """The expression is outside the jq wavecd evaluates."""


def _tokens(text: str) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    position = 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _TOKEN.match(text, position)
        if match is None:
            raise JqUnsupported(f"unsupported jq at {text[position : position + 20]!r}")
        kind = match.lastgroup if match.lastgroup not in ("name", "quoted", "number", "bracketed") else None
        groups = match.groupdict()
        if groups["field"] is not None:
            key = groups["name"] or (json.loads(groups["quoted"]) if groups["quoted"] else None)
            out.append(("field", key))
        elif groups["index"] is not None:
            out.append(("index", int(groups["number"])))
        elif groups["bracket"] is not None:
            out.append(("field", json.loads(groups["bracketed"])))
        elif groups["literal"] is not None:
            out.append(("literal", json.loads(groups["literal"])))
        else:
            assert kind is not None
            out.append((kind, match.group(kind)))
        position = match.end()
    return out


def _steps(tokens: list[tuple[str, Any]], at: int) -> tuple[list[tuple[str, Any]], int]:
    """A path (its field / index / iterate steps) starting at `at`, and where it ends."""
    steps: list[tuple[str, Any]] = []
    while at < len(tokens) and tokens[at][0] in ("field", "index", "iterate"):
        if tokens[at] != ("field", None):  # a lone `.` is the identity
            steps.append(tokens[at])
        at += 1
    return steps, at


def _walk(doc: Any, paths: list[Path], steps: list[tuple[str, Any]]) -> list[Path]:
    for kind, arg in steps:
        following: list[Path] = []
        for path in paths:
            value = _get(doc, path)
            if kind == "field" and isinstance(value, dict) and arg in value:
                following.append((*path, arg))
            elif kind == "index" and isinstance(value, list) and -len(value) <= arg < len(value):
                following.append((*path, arg % len(value)))
            elif kind == "iterate" and isinstance(value, list):
                following += [(*path, index) for index in range(len(value))]
            elif kind == "iterate" and isinstance(value, dict):
                following += [(*path, key) for key in value]
        paths = following
    return paths


def _get(doc: Any, path: Path) -> Any:
    for part in path:
        doc = doc[part]
    return doc


def _paths(doc: Any, text: str) -> list[Path]:
    tokens = _tokens(text)
    paths: list[Path] = [()]
    at = 0
    expect_term = True
    while at < len(tokens):
        kind = tokens[at][0]
        if expect_term and kind in ("field", "index", "iterate"):
            steps, at = _steps(tokens, at)
            paths = _walk(doc, paths, steps)
            expect_term = False
        elif expect_term and kind == "select":
            steps, at = _steps(tokens, at + 1)
            if at + 2 >= len(tokens) or tokens[at][0] != "op" or tokens[at + 1][0] != "literal":
                raise JqUnsupported(f"unsupported select in {text!r}: expected select(PATH == LITERAL)")
            equal, literal = tokens[at][1] == "==", tokens[at + 1][1]
            if tokens[at + 2][0] != "close":
                raise JqUnsupported(f"unsupported select in {text!r}: expected ')'")
            at += 3
            kept = []
            for path in paths:
                found = _walk(doc, [path], steps)
                value = _get(doc, found[0]) if len(found) == 1 else None
                if (value == literal and type(value) is type(literal)) == equal:
                    kept.append(path)
            paths = kept
            expect_term = False
        elif not expect_term and kind == "pipe":
            at += 1
            expect_term = True
        else:
            raise JqUnsupported(f"unsupported jq {text!r}")
    if expect_term:
        raise JqUnsupported(f"unsupported jq {text!r}: it ends where a path was expected")
    return paths


def delete_paths(doc: Any, text: str) -> None:
    """`del(text)` applied to `doc` in place; JqUnsupported when `text` is outside the supported jq."""
    paths = _paths(doc, text)
    if () in paths:
        raise JqUnsupported(f"jq {text!r} would delete the whole object")
    # deepest first, and the higher list index first, so each deletion leaves the other paths valid
    for path in sorted(set(paths), key=lambda p: (len(p), [str(part).zfill(12) for part in p]), reverse=True):
        parent = _get(doc, path[:-1])
        del parent[path[-1]]
