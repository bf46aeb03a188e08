"""A desired manifest made comparable as Argo CD compares it: what Argo CD never diffs is taken out.

Argo CD removes `metadata.creationTimestamp` from every object and, by default
(`resource.compareoptions` `ignoreResourceStatusField: all`), `/status`; then the app's
`spec.ignoreDifferences` (gitops-engine's ignore normalizer). A rule matches an object by `group` and
`kind` as globs — an omitted `group` is the core group only, as an empty glob matches only the empty
string — and by `name` and `namespace` exactly, an omitted one matching any. Its `jsonPointers` are
removed (RFC 6901; a pointer that finds nothing is skipped, as Argo CD skips it), and its
`jqPathExpressions` applied as Argo CD's `del(expr)` (`wavecd.diff.jqpath`); a patch that fails or times
out is skipped, as Argo CD skips it, and one that does not compile is named in a warning.
`managedFieldsManagers` name owners of live fields, which only a cluster has.

Map keys come out sorted when the result is written as YAML (`goyaml.to_yaml`), as Go's encoder sorts them.
"""

from __future__ import annotations

import copy
import fnmatch
from dataclasses import dataclass
from typing import Any

from wavecd.diff.jqpath import JqError, compile_error, delete

__all__ = ["IgnoreRule", "ObjectKey", "ignore_rules", "json_pointer", "normalize", "object_key"]

# (group, kind, namespace, name): how Argo CD pairs objects, the version left out
ObjectKey = tuple[str, str, str, str]


@dataclass(frozen=True)
class IgnoreRule:
    """One entry of an Application's `spec.ignoreDifferences`."""

    group: str
    kind: str
    name: str
    namespace: str
    pointers: tuple[tuple[str, ...], ...]
    jq: tuple[str, ...] = ()

    def matches(self, key: ObjectKey) -> bool:
        group, kind, namespace, name = key
        return (
            _glob(self.group, group)
            and _glob(self.kind, kind)
            and self.name in ("", name)
            and self.namespace in ("", namespace)
        )


def _glob(pattern: str, value: str) -> bool:
    """gobwas/glob as Argo CD compiles it: `*` any run, `?` one character; the empty pattern only matches ""."""
    return value == "" if pattern == "" else fnmatch.fnmatchcase(value, pattern)


def json_pointer(text: str) -> tuple[str, ...]:
    """An RFC 6901 pointer as its reference tokens; ValueError when it does not start with `/`."""
    if text == "":
        return ()
    if not text.startswith("/"):
        raise ValueError(f"invalid JSON pointer {text!r}: it must start with '/'")
    return tuple(part.replace("~1", "/").replace("~0", "~") for part in text[1:].split("/"))


def ignore_rules(app: dict[str, Any]) -> tuple[list[IgnoreRule], list[str]]:
    """The rules of an Application's `spec.ignoreDifferences`, and a warning for each part not honoured."""
    spec = app.get("spec")
    entries = spec.get("ignoreDifferences") if isinstance(spec, dict) else None
    rules: list[IgnoreRule] = []
    warnings: list[str] = []
    for index, entry in enumerate(entries if isinstance(entries, list) else []):
        where = f"spec.ignoreDifferences[{index}]"
        if not isinstance(entry, dict):
            warnings.append(f"{where} is not a mapping; skipped")
            continue
        pointers: list[tuple[str, ...]] = []
        for text in entry.get("jsonPointers") or []:
            try:
                pointers.append(json_pointer(str(text)))
            except ValueError as err:
                warnings.append(f"{where}: {err}; skipped")
        expressions: list[str] = []
        for text in entry.get("jqPathExpressions") or []:
            problem = compile_error(str(text))
            if problem is not None:
                warnings.append(
                    f"{where}: jqPathExpressions {str(text)!r}: {problem}; skipped"
                    " (Argo CD fails the app's comparison on it)"
                )
                continue
            expressions.append(str(text))
        rules.append(
            IgnoreRule(
                group=str(entry.get("group") or ""),
                kind=str(entry.get("kind") or ""),
                name=str(entry.get("name") or ""),
                namespace=str(entry.get("namespace") or ""),
                pointers=tuple(pointers),
                jq=tuple(expressions),
            )
        )
    return rules, warnings


def object_key(obj: dict[str, Any]) -> ObjectKey:
    api_version = str(obj.get("apiVersion") or "")
    group = api_version.rpartition("/")[0]
    meta = obj.get("metadata")
    meta = meta if isinstance(meta, dict) else {}
    return (group, str(obj.get("kind") or ""), str(meta.get("namespace") or ""), str(meta.get("name") or ""))


def normalize(obj: dict[str, Any], rules: list[IgnoreRule]) -> dict[str, Any]:
    """A copy of `obj` without what Argo CD leaves out of a comparison."""
    out = copy.deepcopy(obj)
    meta = out.get("metadata")
    if isinstance(meta, dict):
        meta.pop("creationTimestamp", None)
    out.pop("status", None)
    key = object_key(obj)
    for rule in rules:
        if rule.matches(key):
            for pointer in rule.pointers:
                _remove(out, pointer)
            for expression in rule.jq:
                try:
                    out = delete(out, expression)
                except JqError:
                    continue  # Argo CD skips a failing patch too (a debug log line at most)
    return out


def _remove(doc: Any, pointer: tuple[str, ...]) -> None:
    """JSON patch `remove` at `pointer`; nothing when the path is not there."""
    if not pointer:
        return
    for part in pointer[:-1]:
        doc = _step(doc, part)
        if doc is None:
            return
    last = pointer[-1]
    if isinstance(doc, dict):
        doc.pop(last, None)
    elif isinstance(doc, list) and last.isdigit() and int(last) < len(doc):
        del doc[int(last)]


def _step(doc: Any, part: str) -> Any:
    if isinstance(doc, dict):
        return doc.get(part)
    if isinstance(doc, list) and part.isdigit() and int(part) < len(doc):
        return doc[int(part)]
    return None
