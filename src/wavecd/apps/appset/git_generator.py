"""The git generator: parameter sets from a repository's directories or files.

Directories come from every folder path of the repository (hidden folders skipped), matched with Go's
`path.Match`; files from `git ls-files`-style globs (`*` crosses `/`), processed in sorted order.
"""

from __future__ import annotations

import fnmatch
import posixpath
from typing import Any

from wavecd.apps.appset.errors import AppSetError
from wavecd.apps.appset.functions import sanitize_name
from wavecd.apps.appset.params import flatten
from wavecd.goyaml import reader
from wavecd.helm.gomatch import BadPattern, compile_pattern


def go_path_match(pattern: str, name: str) -> bool:
    """Go's `path.Match`; a malformed pattern matches nothing (Argo CD logs it and moves on)."""
    try:
        return compile_pattern(pattern).match(name) is not None
    except BadPattern:
        return False


def _directories(paths: list[str]) -> list[str]:
    found: set[str] = set()
    for path in paths:
        parts = path.split("/")[:-1]
        for depth in range(1, len(parts) + 1):
            if parts[depth - 1].startswith("."):
                break
            found.add("/".join(parts[:depth]))
    return sorted(found)


def _path_params(directory: str, prefix: str, go_template: bool, filename: str | None) -> dict[str, Any]:
    basename = posixpath.basename(directory)
    if go_template:
        info: dict[str, Any] = {
            "path": directory,
            "basename": basename,
            "basenameNormalized": sanitize_name(basename),
        }
        if filename is not None:
            info["filename"] = filename
            info["filenameNormalized"] = sanitize_name(filename)
        info["segments"] = directory.split("/")
        return {prefix: {"path": info}} if prefix else {"path": info}
    name = f"{prefix}.path" if prefix else "path"
    flat = {
        name: directory,
        f"{name}.basename": basename,
        f"{name}.basenameNormalized": sanitize_name(basename),
    }
    if filename is not None:
        flat[f"{name}.filename"] = filename
        flat[f"{name}.filenameNormalized"] = sanitize_name(filename)
    for index, segment in enumerate(directory.split("/")):
        if segment:
            flat[f"{name}[{index}]"] = segment
    return flat


def git_params(spec: dict[str, Any], context: Any, go_template: bool) -> list[dict[str, Any]]:
    repo_url = spec.get("repoURL", "")
    revision = spec.get("revision", "")
    prefix = spec.get("pathParamPrefix", "")
    paths = context.git_paths(repo_url, revision)
    if spec.get("directories"):
        params = []
        for directory in _directories(paths):
            matches = [d for d in spec["directories"] if go_path_match(d.get("path", ""), directory)]
            if any(not d.get("exclude") for d in matches) and not any(d.get("exclude") for d in matches):
                params.append(_path_params(directory, prefix, go_template, None))
        return params
    if spec.get("files"):
        selected: set[str] = set()
        for item in spec["files"]:
            if not item.get("exclude"):
                selected.update(p for p in paths if fnmatch.fnmatchcase(p, item.get("path", "")))
        for item in spec["files"]:
            if item.get("exclude"):
                selected.difference_update(p for p in paths if fnmatch.fnmatchcase(p, item.get("path", "")))
        params = []
        for path in sorted(selected):
            params.extend(_file_params(path, context.git_read(repo_url, revision, path), repo_url, prefix, go_template))
        return params
    raise AppSetError("git generator needs directories or files")


def _file_params(path: str, content: bytes, repo_url: str, prefix: str, go_template: bool) -> list[dict[str, Any]]:
    try:
        loaded = reader.load(content.decode("utf-8"), source=path)
    except reader.GoYamlError as err:
        raise AppSetError(
            f"unable to process file '{path}' from repository '{repo_url}': unable to parse file: {err.message}"
        ) from None
    objects = loaded if isinstance(loaded, list) else [loaded or {}]
    directory = posixpath.dirname(path) or "."
    results = []
    for obj in objects:
        if not isinstance(obj, dict):
            raise AppSetError(f"unable to process file '{path}' from repository '{repo_url}': unable to parse file")
        base = dict(obj) if go_template else flatten(obj)
        base.update(_path_params(directory, prefix, go_template, posixpath.basename(path)))
        results.append(base)
    return results
