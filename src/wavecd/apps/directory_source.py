"""A plain-manifest folder read as Argo CD's repo-server reads it (`findManifests`).

Only `.yaml`, `.yml`, `.json` and `.jsonnet` files count; sub-folders only with `recurse: true`; `include` and
`exclude` are gobwas globs over the path relative to the app folder (`*` crosses `/`, `{a,b}`
alternatives), exclude first. A `.json` file holds exactly one object; YAML files hold any number. A
YAML file that does not parse is an error only when it looks like a manifest (has `apiVersion:`,
`kind:` and `metadata:`), else it is skipped as unrelated. `.jsonnet` files are evaluated with go-jsonnet
(`jsonnet_source`); every file Argo CD would render is rendered, none is silently skipped.
"""

from __future__ import annotations

import json
import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from wavecd.apps.errors import AppError
from wavecd.apps.jsonnet_source import JsonnetContext, evaluate_jsonnet
from wavecd.apps.model import DirectorySpec
from wavecd.apps.yamldocs import load_objects_at
from wavecd.core import Location

_MANIFEST_FILE = re.compile(r"^.*\.(yaml|yml|json|jsonnet)$")


@lru_cache(maxsize=256)
def _glob(pattern: str) -> re.Pattern[str]:
    """gobwas/glob compiled without separators, as Argo CD's `glob.Match` does."""
    out, index = [], 0
    depth = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "*":
            while index + 1 < len(pattern) and pattern[index + 1] == "*":
                index += 1
            out.append(".*")
        elif char == "?":
            out.append(".")
        elif char == "\\" and index + 1 < len(pattern):
            index += 1
            out.append(re.escape(pattern[index]))
        elif char == "[":
            end = pattern.find("]", index + 1)
            if end < 0:
                out.append(re.escape(char))
            else:
                body = pattern[index + 1 : end]
                negate = body.startswith("!")
                body = body[1:] if negate else body
                out.append("[" + ("^" if negate else "") + body.replace("\\", "\\\\") + "]")
                index = end
        elif char == "{":
            depth += 1
            out.append("(?:")
        elif char == "}" and depth:
            depth -= 1
            out.append(")")
        elif char == "," and depth:
            out.append("|")
        else:
            out.append(re.escape(char))
        index += 1
    return re.compile("".join(out) + ")" * depth, re.DOTALL)


def glob_match(pattern: str, name: str) -> bool:
    try:
        return _glob(pattern).fullmatch(name) is not None
    except re.error:
        return False


def _files(app_path: Path, recurse: bool) -> list[Path]:
    """`filepath.Walk` order: lexical by name, a folder's files and sub-folders interleaved."""
    out: list[Path] = []

    def walk(folder: Path) -> None:
        for entry in sorted(os.scandir(folder), key=lambda e: e.name):
            if entry.is_dir(follow_symlinks=False):
                if recurse:
                    walk(Path(entry.path))
            else:
                out.append(Path(entry.path))

    walk(app_path)
    return out


def _read(path: Path, relative: str) -> list[tuple[int | None, dict[str, Any]]]:
    """The file's objects, each with its 1-based first line (None for JSON: one object, the whole file)."""
    text = path.read_text(encoding="utf-8", errors="replace").lstrip("\ufeff")
    if path.name.endswith(".json"):
        try:
            obj, end = json.JSONDecoder().raw_decode(text.lstrip())
        except ValueError as err:
            raise AppError(f'Failed to unmarshal "{path.name}": {err}', location=Location(file=relative)) from None
        if text.lstrip()[end:].strip():
            raise AppError(
                f'Found multiple objects in "{path.name}". Only single objects are allowed in JSON files.',
                location=Location(file=relative),
            )
        if not isinstance(obj, dict):
            raise AppError(f'Failed to unmarshal "{path.name}": not an object', location=Location(file=relative))
        return [(None, obj)]
    try:
        return [(line, obj) for line, _part, obj in load_objects_at(text, relative)]
    except AppError:
        if "apiVersion:" in text and "kind:" in text and "metadata:" in text:
            raise
        return []


def directory_objects_at(
    app_path: Path, spec: DirectorySpec | None, jsonnet: JsonnetContext | None = None
) -> list[tuple[str, int | None, dict[str, Any]]]:
    """Every object of the folder's manifest files, in walk order, with the file (relative to the folder) and
    1-based line it was read at (no line for JSON and Jsonnet: the file is the object, or an evaluation's
    result). `jsonnet`: the repository and build environment `.jsonnet` files see; None: the folder is the
    repository, and no environment."""
    spec = spec or DirectorySpec()
    jsonnet = jsonnet or JsonnetContext(app_path, {})
    chosen: list[tuple[Path, str]] = []
    for path in _files(app_path, spec.recurse):
        if not _MANIFEST_FILE.match(path.name) or not path.is_file():
            continue
        relative = path.relative_to(app_path).as_posix()
        if spec.exclude and glob_match(spec.exclude, relative):
            continue
        if spec.include and not glob_match(spec.include, relative):
            continue
        chosen.append((path, relative))
    evaluated = evaluate_jsonnet([f for f in chosen if f[0].name.endswith(".jsonnet")], app_path, spec.jsonnet, jsonnet)
    objects: list[tuple[str, int | None, dict[str, Any]]] = []
    for path, relative in chosen:
        if relative in evaluated:
            objects.extend((relative, None, obj) for obj in evaluated[relative])
        else:
            objects.extend((relative, line, obj) for line, obj in _read(path, relative))
    return objects
