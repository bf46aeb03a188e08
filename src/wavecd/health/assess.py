"""The health of one object: gitops-engine's `GetResourceHealth` resolution order.

1. being deleted (and not held by the hook finalizer) → Progressing "Pending deletion";
2. a configured rule for the object's group/kind (Argo's health customisations; the Application rule is on by
   default), else the Lua check Argo CD ships for the kind (CronJob, PodDisruptionBudget, ApplicationSet);
3. the built-in check for the kind;
4. otherwise no health (None): custom resources are not judged unless a rule says how.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from wavecd.common import HealthStatus
from wavecd.health import apiservice, argo, autoscaling, job, network, pod, shipped, workloads
from wavecd.health.fields import ConversionError
from wavecd.health.hooks import has_hook_finalizer
from wavecd.health.status import Health

Rule = Callable[[dict[str, Any]], Health | None]

# (group, kind) -> check. Keyed without the version: gitops-engine dispatches on group and kind.
_BUILTIN: dict[tuple[str, str], Callable[[dict[str, Any]], Health]] = {
    ("apps", "Deployment"): workloads.deployment,
    ("apps", "StatefulSet"): workloads.statefulset,
    ("apps", "ReplicaSet"): workloads.replicaset,
    ("apps", "DaemonSet"): workloads.daemonset,
    ("extensions", "Ingress"): network.ingress,
    ("networking.k8s.io", "Ingress"): network.ingress,
    ("argoproj.io", "Workflow"): argo.workflow,
    ("apiregistration.k8s.io", "APIService"): apiservice.apiservice,
    ("", "Service"): network.service,
    ("", "PersistentVolumeClaim"): network.pvc,
    ("batch", "Job"): job.job,
    ("autoscaling", "HorizontalPodAutoscaler"): autoscaling.hpa,
}
# The typed checks accept only these versions; any other version of the kind is an error (Unknown).
_VERSIONS: dict[tuple[str, str], tuple[str, ...]] = {
    ("apps", "Deployment"): ("v1",),
    ("apps", "StatefulSet"): ("v1",),
    ("apps", "ReplicaSet"): ("v1",),
    ("apps", "DaemonSet"): ("v1",),
    ("", "Service"): ("v1",),
    ("", "PersistentVolumeClaim"): ("v1",),
    ("", "Pod"): ("v1",),
    ("batch", "Job"): ("v1",),
    ("apiregistration.k8s.io", "APIService"): ("v1", "v1beta1"),
    ("autoscaling", "HorizontalPodAutoscaler"): ("v1", "v2", "v2beta1", "v2beta2"),
}

# Rules wavecd applies unless the caller passes its own: the Application health of Argo's upgrade notes.
DEFAULT_RULES: Mapping[str, Rule] = {"argoproj.io/Application": argo.application}
# Argo CD's own shipped Lua checks: used unless a configured rule covers the kind.
SHIPPED_RULES: Mapping[str, Rule] = {
    "batch/CronJob": shipped.cronjob,
    "policy/PodDisruptionBudget": shipped.pod_disruption_budget,
    "argoproj.io/ApplicationSet": shipped.application_set,
}


def group_version_kind(obj: dict[str, Any]) -> tuple[str, str, str]:
    api_version = str(obj.get("apiVersion") or "")
    group, _, version = api_version.rpartition("/")
    return group, version, str(obj.get("kind") or "")


def rule_key(group: str, kind: str) -> str:
    """The key a rule is configured under: `group/Kind`, or just `Kind` for the core group."""
    return f"{group}/{kind}" if group else kind


def _builtin(obj: dict[str, Any], group: str, version: str, kind: str, is_hook: bool) -> Health | None:
    key = (group, kind)
    if key == ("", "Pod"):
        check: Callable[[dict[str, Any]], Health] | None = lambda o: pod.pod(o, is_hook)  # noqa: E731
    else:
        check = _BUILTIN.get(key)
    if check is None:
        return None
    allowed = _VERSIONS.get(key)
    if allowed is not None and version not in allowed:
        return Health(HealthStatus.UNKNOWN, f"unsupported {kind} GVK: {group}/{version}, Kind={kind}")
    try:
        return check(obj)
    except ConversionError as err:
        return Health(HealthStatus.UNKNOWN, f"failed to convert unstructured {kind} to typed: {err}")


def assess(obj: dict[str, Any], *, is_hook: bool = False, rules: Mapping[str, Rule] | None = None) -> Health | None:
    """Health of a live object, or None when nothing judges its kind.

    `rules` maps `group/Kind` (core: `Kind`) to a check that overrides the built-in one; a rule returning None
    falls through to the built-in check. Defaults to `DEFAULT_RULES`.
    """
    meta = obj.get("metadata") or {}
    if meta.get("deletionTimestamp") is not None and not has_hook_finalizer(obj):
        return Health(HealthStatus.PROGRESSING, "Pending deletion")
    group, version, kind = group_version_kind(obj)
    key = rule_key(group, kind)
    rule = (DEFAULT_RULES if rules is None else rules).get(key) or SHIPPED_RULES.get(key)
    if rule is not None:
        try:
            result = rule(obj)
        except ConversionError as err:
            return Health(HealthStatus.UNKNOWN, str(err))
        if result is not None:
            return result
    return _builtin(obj, group, version, kind, is_hook)
