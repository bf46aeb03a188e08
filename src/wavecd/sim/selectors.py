"""Label and field selectors as list and watch requests send them (`?labelSelector=app%3Dweb`)."""

from __future__ import annotations

import re
from collections.abc import Callable

from wavecd.sim.apierrors import bad_request

Predicate = Callable[[dict], bool]
_SET_EXPR = re.compile(r"^\s*(!?)([\w./-]+)\s*(?:(in|notin)\s*\(([^)]*)\))?\s*$")


def _split(text: str) -> list[str]:
    """Split on commas outside parentheses."""
    parts, depth, current = [], 0, []
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return [p.strip() for p in parts if p.strip()]


_KEY = re.compile(r"([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?")
_VALUE = re.compile(r"([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?")


def _requirement(term: str) -> Predicate:
    for op in ("!=", "==", "="):
        if op in term:
            key, value = (s.strip() for s in term.split(op, 1))
            if not _KEY.fullmatch(key) or not _VALUE.fullmatch(value):
                raise bad_request(f"unable to parse requirement: {term!r}")
            if op == "!=":
                return lambda labels, k=key, v=value: labels.get(k) != v
            return lambda labels, k=key, v=value: labels.get(k) == v
    match = _SET_EXPR.match(term)
    if not match:
        raise bad_request(f"unable to parse requirement: {term!r}")
    negate, key, op, values = match.groups()
    if op:
        options = {v.strip() for v in values.split(",") if v.strip()}
        if op == "in":
            return lambda labels: labels.get(key) in options
        return lambda labels: labels.get(key) not in options
    if negate:
        return lambda labels: key not in labels
    return lambda labels: key in labels


def label_selector(text: str | None) -> Predicate:
    if not text:
        return lambda obj: True
    requirements = [_requirement(t) for t in _split(text)]

    def match(obj: dict) -> bool:
        labels = (obj.get("metadata") or {}).get("labels") or {}
        return all(r(labels) for r in requirements)

    return match


def _field_value(obj: dict, path: str) -> str:
    node: object = obj
    for part in path.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    return "" if node is None else str(node)


def field_selector(text: str | None) -> Predicate:
    if not text:
        return lambda obj: True
    checks = []
    for term in _split(text):
        for op in ("!=", "==", "="):
            if op in term:
                path, value = (s.strip() for s in term.split(op, 1))
                checks.append((path, value, op == "!="))
                break
        else:
            raise bad_request(f"invalid selector: '{text}'; can't understand '{term}'")

    def match(obj: dict) -> bool:
        return all((_field_value(obj, p) != v) if neg else (_field_value(obj, p) == v) for p, v, neg in checks)

    return match
