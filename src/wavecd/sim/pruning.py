"""Structural-schema pruning and defaulting of custom resources: fields a CRD's `openAPIV3Schema` does not
declare are dropped on write, as the apiserver does; with `fieldValidation=Strict` they are an error instead,
with `Warn` (the default) a `Warning` header. A declared `default` fills a missing field of an object that is
there (it creates no parent object), as the apiserver's defaulting does.
"""

from __future__ import annotations

import copy

_ROOT_FIELDS = ("apiVersion", "kind", "metadata")


def prune(obj: dict, schema: dict) -> list[str]:
    """Remove undeclared fields from `obj` in place; returns their paths (`spec.foo`, `spec.items[0].bar`)."""
    unknown: list[str] = []
    _walk(obj, schema, "", unknown, root=True)
    return unknown


def _walk(value: object, schema: object, path: str, unknown: list[str], *, root: bool = False) -> None:
    if not isinstance(schema, dict):
        return
    if isinstance(value, list):
        items = schema.get("items")
        for i, item in enumerate(value):
            _walk(item, items, f"{path}[{i}]", unknown)
        return
    if not isinstance(value, dict):
        return
    properties = schema.get("properties") or {}
    extra = schema.get("additionalProperties")
    keep_unknown = schema.get("x-kubernetes-preserve-unknown-fields") is True or extra is True
    embedded = root or schema.get("x-kubernetes-embedded-resource") is True
    for key in list(value):
        child_path = f"{path}.{key}" if path else key
        if key in properties:
            _walk(value[key], properties[key], child_path, unknown)
        elif isinstance(extra, dict):
            _walk(value[key], extra, child_path, unknown)
        elif embedded and key in _ROOT_FIELDS:
            continue
        elif not keep_unknown:
            unknown.append(child_path)
            del value[key]


def fill_defaults(value: object, schema: object) -> None:
    """Set, in place, every missing property that the schema gives a `default`, at every level present."""
    if not isinstance(schema, dict):
        return
    if isinstance(value, list):
        for item in value:
            fill_defaults(item, schema.get("items"))
        return
    if not isinstance(value, dict):
        return
    properties = schema.get("properties") or {}
    for key, child in properties.items():
        if key not in value and isinstance(child, dict) and "default" in child:
            value[key] = copy.deepcopy(child["default"])
        if key in value:
            fill_defaults(value[key], child)
    extra = schema.get("additionalProperties")
    if isinstance(extra, dict):
        for key in value.keys() - properties.keys():
            fill_defaults(value[key], extra)


def strict_message(unknown: list[str]) -> str:
    return "strict decoding error: " + ", ".join(f'unknown field "{p}"' for p in unknown)
