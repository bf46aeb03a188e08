"""The shape a policy's rules must have before they are evaluated — what Kyverno's CRD schema enforces when a
policy is applied — so that a malformed policy is refused with a message naming the field and what it must
be, never evaluated into a crash."""

from __future__ import annotations

from typing import Any

__all__ = ["rule_shape_errors"]

_STRING_LISTS = ("kinds", "names", "namespaces", "operations")
_MAPS = ("selector", "namespaceSelector", "annotations")
_RULE_LISTS = ("context",)
_RULE_MAPS = ("match", "exclude", "validate", "mutate", "generate")


def _is_strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _filter_errors(item: Any, where: str) -> list[str]:
    if not isinstance(item, dict):
        return [f"{where} must be an object"]
    errors: list[str] = []
    resources = item.get("resources", {})
    if not isinstance(resources, dict):
        return [f"{where}.resources must be an object"]
    for key in _STRING_LISTS:
        if key in resources and resources[key] is not None and not _is_strings(resources[key]):
            errors.append(f"{where}.resources.{key} must be a list of strings")
    if "name" in resources and resources["name"] is not None and not isinstance(resources["name"], str):
        errors.append(f"{where}.resources.name must be a string")
    for key in _MAPS:
        if key in resources and resources[key] is not None and not isinstance(resources[key], dict):
            errors.append(f"{where}.resources.{key} must be an object")
    for key in ("matchExpressions",):
        for selector in ("selector", "namespaceSelector"):
            found = resources.get(selector)
            if isinstance(found, dict) and key in found and not isinstance(found[key], list):
                errors.append(f"{where}.resources.{selector}.{key} must be a list")
    for key in ("roles", "clusterRoles", "subjects"):
        if key in item and item[key] is not None and not isinstance(item[key], list):
            errors.append(f"{where}.{key} must be a list")
    return errors


def _block_errors(block: dict[str, Any], where: str) -> list[str]:
    errors: list[str] = []
    for key in ("any", "all"):
        if key in block and block[key] is not None:
            if not isinstance(block[key], list):
                errors.append(f"{where}.{key} must be a list")
                continue
            for i, item in enumerate(block[key]):
                errors.extend(_filter_errors(item, f"{where}.{key}[{i}]"))
    errors.extend(_filter_errors(block, where))
    return errors


def _conditions_errors(conditions: Any, where: str) -> list[str]:
    if conditions is None:
        return []
    if isinstance(conditions, list):
        groups = {"": conditions}
    elif isinstance(conditions, dict):
        groups = {f".{k}": conditions[k] for k in ("any", "all") if conditions.get(k) is not None}
    else:
        return [f"{where} must be an object with any/all, or a list"]
    errors: list[str] = []
    for suffix, group in groups.items():
        if not isinstance(group, list) or not all(isinstance(c, dict) for c in group):
            errors.append(f"{where}{suffix} must be a list of conditions")
    return errors


def _validate_errors(validate: dict[str, Any], where: str) -> list[str]:
    errors: list[str] = []
    deny = validate.get("deny")
    if deny is not None:
        if not isinstance(deny, dict):
            errors.append(f"{where}.deny must be an object")
        else:
            errors.extend(_conditions_errors(deny.get("conditions"), f"{where}.deny.conditions"))
    if validate.get("anyPattern") is not None and not isinstance(validate["anyPattern"], list):
        errors.append(f"{where}.anyPattern must be a list")
    if "message" in validate and validate["message"] is not None and not isinstance(validate["message"], str):
        errors.append(f"{where}.message must be a string")
    foreach = validate.get("foreach")
    if foreach is not None:
        if not isinstance(foreach, list) or not all(isinstance(f, dict) for f in foreach):
            return [*errors, f"{where}.foreach must be a list of objects"]
        for i, entry in enumerate(foreach):
            inner = f"{where}.foreach[{i}]"
            if not isinstance(entry.get("list", ""), str):
                errors.append(f"{inner}.list must be a string")
            errors.extend(_conditions_errors(entry.get("preconditions"), f"{inner}.preconditions"))
            errors.extend(_context_errors(entry.get("context"), f"{inner}.context"))
            errors.extend(_validate_errors(entry, inner))
    return errors


def _context_errors(context: Any, where: str) -> list[str]:
    if context is None:
        return []
    if not isinstance(context, list) or not all(isinstance(e, dict) for e in context):
        return [f"{where} must be a list of objects"]
    return [
        f"{where}[{i}].variable must be an object"
        for i, entry in enumerate(context)
        if "variable" in entry and not isinstance(entry["variable"], dict)
    ]


def rule_shape_errors(rule: dict[str, Any]) -> list[str]:
    """What is wrong with a rule's shape, as `<field> must be …` texts; empty when it can be evaluated."""
    errors = [f"{key} must be an object" for key in _RULE_MAPS if key in rule and not isinstance(rule[key], dict)]
    errors.extend(f"{key} must be a list" for key in _RULE_LISTS if key in rule and not isinstance(rule[key], list))
    if errors:
        return errors
    for key in ("match", "exclude"):
        if isinstance(rule.get(key), dict):
            errors.extend(_block_errors(rule[key], key))
    errors.extend(_context_errors(rule.get("context"), "context"))
    errors.extend(_conditions_errors(rule.get("preconditions"), "preconditions"))
    if isinstance(rule.get("validate"), dict):
        errors.extend(_validate_errors(rule["validate"], "validate"))
    return errors
