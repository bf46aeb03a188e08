"""Which resources a rule applies to (Kyverno `pkg/engine/utils/match.go`, `pkg/utils/match`,
`pkg/utils/kube/kind.go`): `match` and `exclude` with `any`/`all` filters of kinds, names, namespaces,
annotations, selectors, namespace selectors, operations and user info."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from wavecd.kyverno.wildcard import contains_wildcard, wildcard_match

__all__ = ["Request", "UserInfo", "check_kind", "metadata_of", "parse_kind_selector", "rule_matches"]

_VERSION = re.compile(r"^(v\d+((alpha|beta)\d+)?|\*)$")


@dataclass(frozen=True)
class UserInfo:
    """Who makes an admission request; empty (`UserInfo()`) offline, where user filters never match."""

    username: str = ""
    groups: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    cluster_roles: tuple[str, ...] = ()

    def is_empty(self) -> bool:
        return not (self.username or self.groups or self.roles or self.cluster_roles)


@dataclass(frozen=True)
class Request:
    """What a rule is matched against besides the resource: the operation, the namespace's labels, the user."""

    operation: str = "CREATE"
    namespace_labels: dict[str, str] = field(default_factory=dict)
    user: UserInfo = field(default_factory=UserInfo)
    subresource: str = ""


def parse_kind_selector(text: str) -> tuple[str, str, str, str]:
    """group, version, kind and subresource of a `kinds` entry such as `Pod`, `v1/Pod`, `apps/v1/Deployment`,
    `Pod/exec`, `*/scale` or `*/*` (kind.go#ParseKindSelector)."""
    parts = text.split("/")
    parts = parts[:-1] + parts[-1].split(".")
    if len(parts) == 1:
        return "*", "*", parts[0], ""
    if len(parts) == 2:
        if parts[0] == "*" and parts[1] == "*":
            return "*", "*", "*", "*"
        if parts[0] == "*" and parts[1].lower() == parts[1]:
            return "*", "*", parts[0], parts[1]
        if _VERSION.match(parts[0]):
            return "*", parts[0], parts[1], ""
        return "*", "*", parts[0], parts[1]
    if len(parts) == 3:
        if _VERSION.match(parts[0]):
            return "*", parts[0], parts[1], parts[2]
        return parts[0], parts[1], parts[2], ""
    if len(parts) == 4:
        return parts[0], parts[1], parts[2], parts[3]
    return "", "", "", ""


def _gvk(resource: dict[str, Any]) -> tuple[str, str, str]:
    api_version = str(resource.get("apiVersion") or "")
    group, _, version = api_version.rpartition("/")
    return group, version, str(resource.get("kind") or "")


def check_kind(kinds: list[str], resource: dict[str, Any], subresource: str = "") -> bool:
    """Whether one of `kinds` names the resource's group, version and kind (kind.go#CheckKind)."""
    group, version, kind = _gvk(resource)
    for entry in kinds:
        g, v, k, sub = parse_kind_selector(entry)
        if wildcard_match(g, group) and wildcard_match(v, version) and wildcard_match(k, kind):
            if wildcard_match(sub, subresource):
                return True
            if (group, version, kind) == ("", "v1", "Pod") and subresource == "ephemeralcontainers":
                return True
    return False


def metadata_of(resource: dict[str, Any]) -> dict[str, Any]:
    """A resource's `metadata`, or an empty map when it has none (or not a map)."""
    meta = resource.get("metadata")
    return meta if isinstance(meta, dict) else {}


def _string_map(value: Any) -> dict[str, str]:
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}


class SelectorError(Exception):
    """A label selector Kubernetes would refuse."""


def selector_matches(selector: Any, labels: dict[str, str]) -> bool:
    """A `LabelSelector` over `labels`, with Kyverno's wildcards in `matchLabels` (wildcards.go#ReplaceInSelector)."""
    if not isinstance(selector, dict):
        raise SelectorError("selector is not an object")
    for key, value in _string_map(selector.get("matchLabels")).items():
        if contains_wildcard(key) or contains_wildcard(value):
            found = next(
                ((k, v) for k, v in labels.items() if wildcard_match(key, k) and wildcard_match(value, v)), None
            )
            key, value = found or (key.replace("*", "0").replace("?", "0"), value.replace("*", "0").replace("?", "0"))
        if labels.get(key) != value:
            return False
    for expression in selector.get("matchExpressions") or []:
        if not isinstance(expression, dict):
            raise SelectorError("a matchExpressions entry is not an object")
        key = str(expression.get("key", ""))
        operator = expression.get("operator")
        values = [str(v) for v in expression.get("values") or []]
        if operator == "In":
            if not values:
                raise SelectorError("values: Required value: must be specified when `operator` is 'In' or 'NotIn'")
            if labels.get(key) not in values:
                return False
        elif operator == "NotIn":
            if not values:
                raise SelectorError("values: Required value: must be specified when `operator` is 'In' or 'NotIn'")
            if key in labels and labels[key] in values:
                return False
        elif operator == "Exists":
            if key not in labels:
                return False
        elif operator == "DoesNotExist":
            if key in labels:
                return False
        else:
            raise SelectorError(f'"{operator}" is not a valid label selector operator')
    return True


def _block_errors(
    block: dict[str, Any], user_block: dict[str, Any], resource: dict[str, Any], request: Request
) -> list[str]:
    """The reasons `resource` fails one filter (match.go#doesResourceMatchConditionBlock); empty when it matches."""
    operations = block.get("operations") or []
    if operations and request.operation not in operations:
        return ["operation does not match"]
    errors: list[str] = []
    meta = metadata_of(resource)
    kinds = [str(k) for k in block.get("kinds") or []]
    if kinds and not check_kind(kinds, resource, request.subresource):
        errors.append(f"kind does not match {kinds}")
    name = str(meta.get("name") or meta.get("generateName") or "")
    if block.get("name") and not wildcard_match(str(block["name"]), name):
        errors.append("name does not match")
    names = block.get("names") or []
    if names and not any(wildcard_match(str(n), name) for n in names):
        errors.append("none of the names match")
    namespaces = block.get("namespaces") or []
    if namespaces:
        own = str(meta.get("name") or "") if resource.get("kind") == "Namespace" else str(meta.get("namespace") or "")
        if not any(wildcard_match(str(n), own) for n in namespaces):
            errors.append("namespace does not match")
    annotations = _string_map(block.get("annotations"))
    actual = _string_map(meta.get("annotations"))
    if annotations and not all(
        any(wildcard_match(k, k1) and wildcard_match(v, v1) for k1, v1 in actual.items())
        for k, v in annotations.items()
    ):
        errors.append("annotations does not match")
    if block.get("selector") is not None:
        try:
            if not selector_matches(block["selector"], _string_map(meta.get("labels"))):
                errors.append("selector does not match")
        except SelectorError as err:
            errors.append(f"failed to parse selector: {err}")
    if block.get("namespaceSelector") is not None:
        if resource.get("kind") == "Namespace":
            errors.append("namespace selector is not applicable for namespace resource")
        elif resource.get("kind"):
            try:
                if not selector_matches(block["namespaceSelector"], request.namespace_labels):
                    errors.append("namespace selector does not match labels")
            except SelectorError as err:
                errors.append(f"failed to parse namespace selector: {err}")
    errors.extend(_user_errors(user_block, request.user))
    return errors


def _user_errors(user_block: dict[str, Any], user: UserInfo) -> list[str]:
    errors: list[str] = []
    roles = user_block.get("roles") or []
    if roles and not any(r in roles for r in user.roles):
        errors.append("user info does not match roles for the given conditionBlock")
    cluster_roles = user_block.get("clusterRoles") or []
    if cluster_roles and not any(r in cluster_roles for r in user.cluster_roles):
        errors.append("user info does not match clustersRoles for the given conditionBlock")
    subjects = user_block.get("subjects") or []
    if subjects and not any(_subject_matches(s, user) for s in subjects if isinstance(s, dict)):
        errors.append("user info does not match subject for the given conditionBlock")
    return errors


def _subject_matches(subject: dict[str, Any], user: UserInfo) -> bool:
    kind, name = subject.get("kind"), str(subject.get("name") or "")
    if kind == "ServiceAccount":
        return wildcard_match(f"system:serviceaccount:{subject.get('namespace') or ''}:{name}", user.username)
    if kind == "Group":
        return any(wildcard_match(name, g) for g in user.groups)
    if kind == "User":
        return wildcard_match(name, user.username)
    return False


_USER_KEYS = ("roles", "clusterRoles", "subjects")


def _split_filter(item: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """A filter's resource description and its user info (`resources` nests the first; user keys sit beside)."""
    resources = item.get("resources")
    block = resources if isinstance(resources, dict) else {}
    return block, {k: item[k] for k in _USER_KEYS if item.get(k)}


def _is_empty_block(block: dict[str, Any]) -> bool:
    return not any(block.get(k) for k in block)


def _match_errors(item: dict[str, Any], resource: dict[str, Any], request: Request) -> list[str]:
    block, user_block = _split_filter(item)
    if request.user.is_empty():
        user_block = {}
    if _is_empty_block(block) and not user_block:
        return ["match cannot be empty"]
    return _block_errors(block, user_block, resource, request)


def _excluded_by(item: dict[str, Any], resource: dict[str, Any], request: Request) -> bool:
    block, user_block = _split_filter(item)
    if _is_empty_block(block) and not user_block:
        return False
    return not _block_errors(block, user_block, resource, request)


def rule_matches(rule: dict[str, Any], resource: dict[str, Any], request: Request) -> bool:
    """Whether the rule's `match` selects the resource and its `exclude` does not (MatchesResourceDescription)."""
    match = rule.get("match") if isinstance(rule.get("match"), dict) else {}
    assert isinstance(match, dict)
    if match.get("any"):
        if not any(not _match_errors(item, resource, request) for item in match["any"]):
            return False
    elif match.get("all"):
        if any(_match_errors(item, resource, request) for item in match["all"]):
            return False
    elif _match_errors(match, resource, request):
        return False
    exclude = rule.get("exclude")
    if not isinstance(exclude, dict) or not any(exclude.get(k) for k in exclude):
        return True
    if exclude.get("any"):
        return not any(_excluded_by(item, resource, request) for item in exclude["any"])
    if exclude.get("all"):
        return not all(_excluded_by(item, resource, request) for item in exclude["all"])
    return not _excluded_by(exclude, resource, request)
