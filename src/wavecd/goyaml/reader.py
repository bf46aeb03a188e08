"""YAML read as Helm reads it: `sigs.k8s.io/yaml.Unmarshal` into a Go value, one document or Helm v4's many.

The decoding itself is in decoder.py; this module adds what the callers see: the target type's checks,
Helm v4's split on `---` lines with deep merging, and the file name on errors.
"""

from __future__ import annotations

from typing import Any

from wavecd.core.errors import Location
from wavecd.goyaml.decoder import JSON_PREFIX, copy_value, decode_documents
from wavecd.goyaml.errors import GoYamlError

__all__ = ["GoYamlError", "load", "merge_maps", "split_documents", "split_documents_at"]

_KIND_NAMES = {dict: "object", list: "array", str: "string", float: "number", bool: "bool"}


def _check_target(value: Any, expect: str | None) -> Any:
    """json.Unmarshal into map[string]interface{} or []interface{}: null leaves it empty, others fail."""
    if expect is None:
        return value
    want, go_type = (dict, "map[string]interface {}") if expect == "map" else (list, "[]interface {}")
    if value is None:
        return want()
    if type(value) is not want:
        raise GoYamlError(
            f"{JSON_PREFIX}json: cannot unmarshal {_KIND_NAMES[type(value)]} into Go value of type {go_type}"
        )
    return value


# the same values files and charts are read again and again across an app tree: keep the last results
# (callers own what they get, so each caller gets a copy)
_RECENT: dict[tuple[str, str, str | None], Any] = {}
_RECENT_LIMIT = 256
_RECENT_TEXT_LIMIT = 256 * 1024
_MISS = object()


def load(text: str, *, source: str = "<input>", documents: str = "first", expect: str | None = None) -> Any:
    """Read YAML as sigs.k8s.io/yaml.Unmarshal does for Helm.

    documents: "first" — the first document only (Unmarshal, Helm v3 values, fromYaml); "all" — a list of
    every document; "merge" — Helm v4 values: the text split on `---` lines, each part read on its own
    (line numbers restart) and the maps deep-merged, later wins.
    expect: None (any value), "map" or "list" — the Go target type, with its json error when the document
    is something else (null gives an empty map/list).
    """
    key = (text, documents, expect)
    cached = _RECENT.get(key, _MISS)
    if cached is not _MISS:
        return copy_value(cached)
    try:
        if documents == "first":
            docs = decode_documents(text, 1)
            value = _check_target(docs[0] if docs else None, expect)
        elif documents == "all":
            value = [_check_target(d, expect) for d in decode_documents(text, None)]
        elif documents == "merge":
            value = _load_merged(text)
        else:
            raise ValueError(f"documents must be first, all or merge, not {documents!r}")
    except GoYamlError as e:
        if source != "<input>":
            e.location = Location(file=source, line=e.line)
        raise
    if len(text) <= _RECENT_TEXT_LIMIT:
        if len(_RECENT) >= _RECENT_LIMIT:
            del _RECENT[next(iter(_RECENT))]
        _RECENT[key] = value
        return copy_value(value)
    return value


def split_documents(text: str) -> list[str]:
    """k8s.io/apimachinery's YAMLReader as Helm v4 uses it: parts between `---` lines, lines LF-ended.

    Raises GoYamlError for a separator line followed by anything but a comment, with Helm's prefix.
    """
    try:
        return [part for _, part in split_documents_at(text)]
    except GoYamlError as e:
        raise GoYamlError(f"error reading yaml document: {e.message}") from None


def split_documents_at(text: str) -> list[tuple[int, str]]:
    """`split_documents` with the number of lines of `text` before each part (for error locations).

    Raises GoYamlError with YAMLReader's own text for a separator line followed by anything but a comment.
    """
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    parts: list[tuple[int, str]] = []
    buf: list[str] = []
    start = 0
    for number, line in enumerate(lines):
        if line.endswith("\r"):
            line = line[:-1]
        if line.startswith("---"):
            trimmed = line[3:].strip()
            if trimmed and trimmed[0] != "#":
                raise GoYamlError(f"invalid Yaml document separator: {trimmed}")
            if buf:
                parts.append((start, "".join(buf)))
                buf = []
                continue
        if not buf:
            start = number
        buf.append(line + "\n")
    if buf:
        parts.append((start, "".join(buf)))
    return parts


def merge_maps(a: dict, b: dict) -> dict:
    """Helm v4's MergeMaps: nested maps merge, anything else from b replaces."""
    out = dict(a)
    for k, v in b.items():
        if type(v) is dict:
            bv = out.get(k)
            if type(bv) is dict:
                out[k] = merge_maps(bv, v)
                continue
        out[k] = v
    return out


def _load_merged(text: str) -> dict:
    values: dict = {}
    for part in split_documents(text):
        try:
            docs = decode_documents(part, 1)
            current = _check_target(docs[0] if docs else None, "map")
        except GoYamlError as e:
            raise GoYamlError(f"cannot unmarshal yaml document: {e.message}", line=e.line) from None
        values = merge_maps(values, current)
    return values
