"""A resource matched against a `pattern` (Kyverno `pkg/engine/validate/validate.go` with the anchor handlers of
`pkg/engine/anchor/handlers.go` and the metadata wildcards of `pkg/engine/wildcards`).

The result is None (the resource satisfies the pattern) or a `PatternError`: a skip (a conditional or global
anchor did not hold), a failure at a path such as `/spec/containers/0/image/`, or a failure without a path
(Kyverno reports that one as an execution error)."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from wavecd.kyverno.anchors import CONDITION, EQUALITY, EXISTENCE, GLOBAL, NEGATION, Anchor, is_anchor, parse_anchor
from wavecd.kyverno.operators import validate_value
from wavecd.kyverno.wildcard import contains_wildcard, wildcard_match

__all__ = ["PatternError", "match_pattern"]

_CONDITIONAL_MSG = "conditional anchor mismatch"
_GLOBAL_MSG = "global anchor mismatch"
_NEGATION_MSG = "negation anchor matched in resource"


@dataclass
class PatternError:
    """Why a resource does not satisfy a pattern."""

    message: str
    path: str = ""
    skip: bool = False


@dataclass
class _Err:
    """An error inside the walk: `kind` is the anchor that raised it, or `pattern` for a skip carried up."""

    message: str
    kind: str = ""

    def is_skip(self) -> bool:
        if self.kind in ("conditional", "global"):
            return True
        if self.kind == "negation":
            return False
        return _CONDITIONAL_MSG in self.message or _GLOBAL_MSG in self.message

    def is_fail(self) -> bool:
        return self.kind == "negation" or (self.kind == "" and _NEGATION_MSG in self.message)


@dataclass
class _AnchorMap:
    """Which conditional, existence and negation anchors found their key somewhere (anchormap.go)."""

    seen: dict[str, bool] = field(default_factory=dict)

    def check(self, pattern: dict[str, Any], resource: Any) -> None:
        for key in pattern:
            anchor = parse_anchor(key)
            if anchor is None or anchor.modifier not in (CONDITION, EXISTENCE, NEGATION):
                continue
            if self.seen.get(key):
                continue
            self.seen.setdefault(key, False)
            if _has_key(resource, anchor.key):
                self.seen[key] = True

    def keys_are_missing(self) -> bool:
        return any(not found and not is_anchor(key, NEGATION) for key, found in self.seen.items())


def _has_key(resource: Any, key: str) -> bool:
    if isinstance(resource, dict):
        return key in resource
    if isinstance(resource, list):
        return any(_has_key(item, key) for item in resource)
    return False


_Result = tuple[str, _Err | None]
_OK: _Result = ("", None)


def match_pattern(resource: Any, pattern: Any) -> PatternError | None:
    """None when `resource` satisfies `pattern`, else why not (validate.go#MatchPattern)."""
    anchors = _AnchorMap()
    path, err = _element(resource, copy.deepcopy(pattern), "/", anchors)
    if err is None:
        return None
    if err.is_skip():
        return PatternError(err.message, "", skip=True)
    if err.is_fail():
        return PatternError(err.message, path)
    if anchors.keys_are_missing():
        return PatternError(err.message, "")
    return PatternError(err.message, path)


_GO_TYPES = (
    (dict, "map[string]interface {}"),
    (list, "[]interface {}"),
    (bool, "bool"),
    (int, "int64"),
    (float, "float64"),
    (str, "string"),
)


def _go_type(value: Any) -> str:
    """Go's `%T` of a decoded resource value, as Kyverno's mismatch messages print it."""
    return next((name for kind, name in _GO_TYPES if isinstance(value, kind)), "<nil>")


def _element(resource: Any, pattern: Any, path: str, anchors: _AnchorMap) -> _Result:
    if isinstance(pattern, dict):
        if not isinstance(resource, dict):
            return path, _Err(
                f"pattern and resource have different structures. Path: {path}. "
                f"Expected {_go_type(pattern)}, found {_go_type(resource)}"
            )
        anchors.check(pattern, resource)
        return _map(resource, pattern, path, anchors)
    if isinstance(pattern, list):
        if not isinstance(resource, list):
            return path, _Err(
                f"validation rule failed at path {path}, resource does not satisfy the expected overlay pattern"
            )
        return _array(resource, pattern, path, anchors)
    if isinstance(resource, list):
        if all(validate_value(item, pattern) for item in resource):
            return _OK
        return path, _Err(f"resource value '{resource}' does not match '{pattern}' at path {path}")
    if not validate_value(resource, pattern):
        return path, _Err(f"resource value '{resource}' does not match '{pattern}' at path {path}")
    return _OK


def _combine(errors: list[_Err]) -> str:
    return "; ".join(err.message for err in errors)


def _has_raw_anchor_skip(errors: list[_Err]) -> bool:
    return any(err.kind != "pattern" for err in errors)


def _map(resource: dict[str, Any], pattern: dict[str, Any], path: str, anchors: _AnchorMap) -> _Result:
    pattern = _expand_in_metadata(pattern, resource)
    anchored = {k: v for k, v in pattern.items() if is_anchor(k, CONDITION, EXISTENCE, EQUALITY, NEGATION)}
    plain = {k: v for k, v in pattern.items() if k not in anchored}
    skips: list[_Err] = []
    applied = 0
    for key in sorted(anchored):
        handler_path, err = _handle(key, anchored[key], resource, path, anchors)
        if err is not None:
            if err.is_skip():
                skips.append(err)
                continue
            if not _has_raw_anchor_skip(skips):
                return handler_path, err
            continue
        applied += 1
    if skips and (applied == 0 or _has_raw_anchor_skip(skips)):
        return path, _Err(_combine(skips), "pattern")
    for key in _ordered_plain_keys(plain):
        handler_path, err = _handle(key, plain[key], resource, path, anchors)
        if err is not None:
            return handler_path, err
    return _OK


def _has_nested_anchors(pattern: Any) -> bool:
    if isinstance(pattern, dict):
        if any(is_anchor(k, CONDITION, EXISTENCE, EQUALITY, NEGATION, GLOBAL) for k in pattern):
            return True
        return any(_has_nested_anchors(v) for v in pattern.values())
    if isinstance(pattern, list):
        return any(_has_nested_anchors(v) for v in pattern)
    return False


def _ordered_plain_keys(plain: dict[str, Any]) -> list[str]:
    """Global anchors and keys whose subtree holds an anchor first (each pushed to the front), then the rest."""
    front: list[str] = []
    back: list[str] = []
    for key in sorted(plain):
        if is_anchor(key, GLOBAL) or _has_nested_anchors(plain[key]):
            front.insert(0, key)
        else:
            back.append(key)
    return front + back


def _handle(key: str, pattern: Any, resource: dict[str, Any], path: str, anchors: _AnchorMap) -> _Result:
    anchor = parse_anchor(key)
    if anchor is None or anchor.modifier == "+":
        return _default(key, pattern, resource, path, anchors)
    current = path + anchor.key + "/"
    present = anchor.key in resource
    value = resource.get(anchor.key)
    if anchor.modifier == NEGATION:
        if present:
            return current, _Err(f"{_NEGATION_MSG}: {current} is not allowed", "negation")
        return _OK
    if anchor.modifier == EQUALITY:
        if present:
            sub_path, err = _element(value, pattern, current, anchors)
            if err is not None:
                return sub_path, err
        return _OK
    if anchor.modifier == CONDITION:
        if not present:
            return current, _Err(
                f"{_CONDITIONAL_MSG}: conditional anchor key doesn't exist in the resource", "conditional"
            )
        sub_path, err = _element(value, pattern, current, anchors)
        if err is not None:
            return sub_path, _Err(f"{_CONDITIONAL_MSG}: {err.message}", "conditional")
        return _OK
    if anchor.modifier == GLOBAL:
        if present:
            sub_path, err = _element(value, pattern, current, anchors)
            if err is not None:
                return sub_path, _Err(f"{_GLOBAL_MSG}: {err.message}", "global")
        return _OK
    return _existence(anchor, pattern, value, present, current, anchors)


def _existence(anchor: Anchor, pattern: Any, value: Any, present: bool, current: str, anchors: _AnchorMap) -> _Result:
    if not present:
        return _OK
    if not isinstance(value, list):
        return current, _Err(
            f"invalid resource type {_go_type(value)}: "
            "Existence ^ () anchor can be used only on list/array type resource"
        )
    if not isinstance(pattern, list):
        return current, _Err(
            f"invalid pattern type {_go_type(pattern)}: Pattern has to be of list to compare against resource"
        )
    for item in pattern:
        if not isinstance(item, dict):
            return current, _Err(
                f"invalid pattern type {_go_type(pattern)}: "
                "Pattern has to be of type map to compare against items in resource"
            )
        if not any(_element(element, item, f"{current}{i}/", anchors)[1] is None for i, element in enumerate(value)):
            return current, _Err(f"existence anchor validation failed at path {current}")
    return _OK


def _default(key: str, pattern: Any, resource: dict[str, Any], path: str, anchors: _AnchorMap) -> _Result:
    if pattern == "*":
        if resource.get(key) is not None:
            return _OK
        return path, _Err(f"{path}/{key} not found")
    return _element(resource.get(key), pattern, path + key + "/", anchors)


def _array(resource: list[Any], pattern: list[Any], path: str, anchors: _AnchorMap) -> _Result:
    if not pattern:
        return path, _Err("pattern Array empty")
    first = pattern[0]
    if isinstance(first, dict):
        return _all_elements(((element, first) for element in resource), path, anchors)
    if not isinstance(first, list):
        return _element(resource, first, path, anchors)
    if len(resource) < len(pattern):
        return "", _Err(
            f"validate Array failed, array length mismatch, resource Array len is {len(resource)} "
            f"and pattern Array len is {len(pattern)}"
        )
    return _all_elements(((resource[i], item) for i, item in enumerate(pattern)), path, anchors)


def _all_elements(pairs: Iterable[tuple[Any, Any]], path: str, anchors: _AnchorMap) -> _Result:
    """Each (resource, pattern) element in turn: the first failure ends it; skipped elements are dropped, and
    when all are skipped the array is (validateArrayOfMaps)."""
    skips: list[_Err] = []
    applied = 0
    for i, (element, pattern) in enumerate(pairs):
        elem_path, err = _element(element, pattern, f"{path}{i}/", anchors)
        if err is not None:
            if err.is_skip():
                skips.append(err)
                continue
            return elem_path, err
        applied += 1
    if applied == 0 and skips:
        return path, _Err(_combine(skips), "pattern")
    return _OK


def _expand_in_metadata(pattern: dict[str, Any], resource: dict[str, Any]) -> dict[str, Any]:
    """Wildcard keys under `metadata.labels` and `metadata.annotations` renamed to the first resource key they
    match (wildcards.go#ExpandInMetadata)."""
    meta_key = _pattern_key("metadata", pattern)
    resource_meta = resource.get("metadata")
    if meta_key is None or not isinstance(pattern[meta_key], dict) or resource_meta is None:
        return pattern
    metadata = pattern[meta_key]
    for tag in ("labels", "annotations"):
        tag_key = _pattern_key(tag, metadata)
        if tag_key is None or not isinstance(metadata[tag_key], dict) or not isinstance(resource_meta, dict):
            continue
        resource_tag = resource_meta.get(_pattern_key(tag, resource_meta) or tag)
        if not isinstance(resource_tag, dict):
            continue
        patterns = {k: v for k, v in metadata[tag_key].items() if isinstance(v, str)}
        values = {k: v for k, v in resource_tag.items() if isinstance(v, str)}
        metadata[tag_key] = {_expand_key(k, values): v for k, v in patterns.items()}
    return pattern


def _pattern_key(tag: str, data: dict[str, Any]) -> str | None:
    for key in data:
        anchor = parse_anchor(key)
        if key == tag or (anchor is not None and anchor.key == tag):
            return key
    return None


def _expand_key(key: str, values: dict[str, str]) -> str:
    if not contains_wildcard(key):
        return key
    anchor = parse_anchor(key)
    bare = anchor.key if anchor is not None else key
    found = next((k for k in values if wildcard_match(bare, k)), bare)
    return Anchor(anchor.modifier, found).text() if anchor is not None else found
