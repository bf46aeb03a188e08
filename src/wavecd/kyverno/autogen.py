"""Rules for Pod controllers generated from rules about Pods (Kyverno `pkg/autogen/v1`): a policy whose rules
match only `Pod` (no names, selector or annotations) gets `autogen-<rule>` for DaemonSet, Deployment, Job,
StatefulSet, ReplicaSet and ReplicationController (the pattern moves under `spec.template`) and
`autogen-cronjob-<rule>` for CronJob (under `spec.jobTemplate.spec.template`). The annotation
`pod-policies.kyverno.io/autogen-controllers` narrows or disables it (`none`)."""

from __future__ import annotations

import copy
import json
from typing import Any

__all__ = ["AUTOGEN_ANNOTATION", "compute_rules"]

AUTOGEN_ANNOTATION = "pod-policies.kyverno.io/autogen-controllers"
_CONTROLLERS = ("DaemonSet", "Deployment", "Job", "StatefulSet", "ReplicaSet", "ReplicationController", "CronJob")
_GVK = {
    "DaemonSet": "apps/v1/DaemonSet",
    "Deployment": "apps/v1/Deployment",
    "Job": "batch/v1/Job",
    "StatefulSet": "apps/v1/StatefulSet",
    "ReplicaSet": "apps/v1/ReplicaSet",
    "ReplicationController": "v1/ReplicationController",
    "CronJob": "batch/v1/CronJob",
    "Pod": "v1/Pod",
}
_POD_PATHS = (
    ("request.object.spec", "request.object.spec.template.spec"),
    ("request.oldObject.spec", "request.oldObject.spec.template.spec"),
    ("request.object.metadata", "request.object.spec.template.metadata"),
    ("request.oldObject.metadata", "request.oldObject.spec.template.metadata"),
)
_CRONJOB_PATHS = (
    ("request.object.spec", "request.object.spec.jobTemplate.spec.template.spec"),
    ("request.oldObject.spec", "request.oldObject.spec.jobTemplate.spec.template.spec"),
    ("request.object.metadata", "request.object.spec.jobTemplate.spec.template.metadata"),
    ("request.oldObject.metadata", "request.oldObject.spec.jobTemplate.spec.template.metadata"),
)


def _kind_of(entry: str) -> str:
    """The kind of a `kinds` entry without group, version or subresource (kube.GetKindFromGVK + SplitSubresource)."""
    parts = entry.split("/")
    if len(parts) == 1:
        kind = entry.replace(".", "/", 1)
    elif len(parts) == 2:
        kind = parts[1].replace(".", "/", 1) if parts[0][:1] == "v" and parts[0][1:2].isdigit() else entry
    elif len(parts) == 3:
        kind = parts[1] + "/" + parts[2] if parts[0][:1] == "v" and parts[0][1:2].isdigit() else parts[2]
    else:
        kind = parts[2] + "/" + parts[3] if len(parts) == 4 else ""
    return kind.split("/")[0] if kind.count("/") == 1 else kind


def _contains_kind(kinds: list[str], kind: str) -> bool:
    return any(_kind_of(str(k)) == kind for k in kinds)


def _descriptions(block: Any) -> list[dict[str, Any]]:
    if not isinstance(block, dict):
        return []
    out = [block.get("resources") or {}]
    for key in ("any", "all"):
        out.extend(item.get("resources") or {} for item in block.get(key) or [] if isinstance(item, dict))
    return [d for d in out if isinstance(d, dict)]


def _kinds(block: Any) -> list[str]:
    return [str(k) for d in _descriptions(block) for k in d.get("kinds") or []]


def _can_autogen(rules: list[dict[str, Any]]) -> bool:
    needed = False
    for rule in rules:
        if rule.get("generate"):
            return False
        mutate = rule.get("mutate") or {}
        if mutate.get("patchesJson6902") or any(f.get("patchesJson6902") for f in mutate.get("foreach") or []):
            return False
        for description in _descriptions(rule.get("match")) + _descriptions(rule.get("exclude")):
            kinds = [str(k) for k in description.get("kinds") or []]
            if (
                description.get("name")
                or description.get("names")
                or description.get("selector") is not None
                or description.get("annotations") is not None
                or (len(kinds) > 1 and _contains_kind(kinds, "Pod"))
            ):
                return False
            needed = needed or any(k in (*_CONTROLLERS, "Pod") for k in kinds)
    return needed


def _retarget(block: dict[str, Any], kinds: list[str], only_pod: bool, exclude: bool) -> dict[str, Any]:
    block = copy.deepcopy(block)
    gvks = [_GVK.get(k, k) for k in kinds]
    if block.get("any") or block.get("all"):
        key = "any" if block.get("any") else "all"
        for item in block[key]:
            resources = item.setdefault("resources", {})
            if not only_pod or _contains_kind(resources.get("kinds") or [], "Pod"):
                resources["kinds"] = list(gvks)
    else:
        resources = block.setdefault("resources", {})
        if not exclude or resources.get("kinds"):
            resources["kinds"] = list(gvks)
    return block


def _generate(
    rule: dict[str, Any], name: str, template_key: str, kinds: list[str], only_pod: bool
) -> dict[str, Any] | None:
    validate = rule.get("validate")
    if not isinstance(validate, dict):
        return None
    new: dict[str, Any] = {k: copy.deepcopy(v) for k, v in rule.items() if k not in ("mutate", "generate")}
    new["name"] = name
    new["match"] = _retarget(rule.get("match") or {}, kinds, only_pod, exclude=False)
    if isinstance(rule.get("exclude"), dict):
        new["exclude"] = _retarget(rule["exclude"], kinds, only_pod, exclude=True)
    keep = ("message", "failureAction", "failureActionOverrides", "allowExistingViolations")
    kept = {k: copy.deepcopy(validate[k]) for k in keep if k in validate}
    if validate.get("pattern") is not None:
        new["validate"] = {**kept, "pattern": {"spec": {template_key: copy.deepcopy(validate["pattern"])}}}
    elif validate.get("deny") is not None:
        new["validate"] = {**kept, "deny": copy.deepcopy(validate["deny"])}
    elif validate.get("anyPattern") is not None:
        patterns = [{"spec": {template_key: copy.deepcopy(p)}} for p in validate["anyPattern"]]
        new["validate"] = {**kept, "anyPattern": patterns}
    elif validate.get("foreach") is not None:
        new["validate"] = {**kept, "foreach": copy.deepcopy(validate["foreach"])}
    else:
        new["validate"] = copy.deepcopy(validate)
    return new


def _rewrite_paths(rule: dict[str, Any], replacements: tuple[tuple[str, str], ...]) -> dict[str, Any]:
    text = json.dumps(rule)
    for old, new in replacements:
        text = text.replace(old, new)
    result: dict[str, Any] = json.loads(text)
    return result


def _controllers(policy: dict[str, Any]) -> list[str]:
    annotations = (policy.get("metadata") or {}).get("annotations")
    value = annotations.get(AUTOGEN_ANNOTATION) if isinstance(annotations, dict) else None
    if value is None:
        return list(_CONTROLLERS)
    if value == "none":
        return []
    if value == "all":
        return list(_CONTROLLERS)
    return [c for c in str(value).split(",") if c]


def compute_rules(policy: dict[str, Any]) -> list[dict[str, Any]]:
    """The policy's rules followed by those Kyverno generates for Pod controllers (autogen.go#computeRules)."""
    spec = policy.get("spec") or {}
    rules = [r for r in spec.get("rules") or [] if isinstance(r, dict)]
    if not _can_autogen(rules):
        return rules
    controllers = _controllers(policy)
    generated: list[dict[str, Any]] = []
    for rule in rules:
        name = str(rule.get("name", ""))
        if name.startswith("autogen-") or not _contains_kind(_kinds(rule.get("match")), "Pod"):
            continue
        exclude_kinds = _kinds(rule.get("exclude"))
        if exclude_kinds and not _contains_kind(exclude_kinds, "Pod"):
            continue
        pod_controllers = sorted(c for c in controllers if c != "CronJob" and c in _CONTROLLERS)
        if pod_controllers:
            rule_for = _generate(rule, ("autogen-" + name)[:63], "template", pod_controllers, only_pod=True)
            if rule_for is not None:
                generated.append(_rewrite_paths(rule_for, _POD_PATHS))
        if "CronJob" in controllers and pod_controllers:
            base = _generate(rule, ("autogen-" + name)[:63], "template", pod_controllers, only_pod=True)
            if base is not None:
                cron = _generate(base, ("autogen-cronjob-" + name)[:63], "jobTemplate", ["CronJob"], only_pod=False)
                if cron is not None:
                    generated.append(_rewrite_paths(cron, _CRONJOB_PATHS))
    if not generated:
        return rules
    return [r for r in rules if not str(r.get("name", "")).startswith("autogen-")] + generated
