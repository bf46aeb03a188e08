"""Why a workload waits for its pods: the scheduler's word on a pod no node takes.

Argo CD's health of a Deployment counts replicas (`Waiting for rollout to finish: 0 of 2 updated replicas are
available...`); when the wait is for capacity, the reason is on the pods, as `kubectl describe pod` shows it:
`PodScheduled=False`, reason `Unschedulable`, and kube-scheduler's message. The gate adds the first such pod's
message to the workload's wait message, so a rollout waiting on a full cluster (or a Karpenter NodePool at its
limits) says so, and a timeout names it. A cluster that refuses the pod list costs nothing but the note.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from wavecd.kube import ForbiddenError, KubeClient

__all__ = ["WORKLOADS", "unschedulable_note"]

WORKLOADS = frozenset({"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"})


def _unschedulable(pod: dict[str, Any]) -> str | None:
    if (pod.get("spec") or {}).get("nodeName"):
        return None
    for condition in (pod.get("status") or {}).get("conditions") or []:
        if condition.get("type") == "PodScheduled" and condition.get("reason") == "Unschedulable":
            return str(condition.get("message") or "Unschedulable")
    return None


# The pods of a namespace carrying all these labels, as a watch has them; None when it cannot say.
CachedPods = Callable[[str, dict[str, str]], list[dict[str, Any]] | None]


def unschedulable_note(client: KubeClient, live: dict[str, Any], cached: CachedPods | None = None) -> str:
    """`pod <name> is Pending: <scheduler's message>` for the workload's first unschedulable pod, else ``.
    The pods come from `cached` (a pod watch) when it has them, else from a list request."""
    if live.get("apiVersion") != "apps/v1" or live.get("kind") not in WORKLOADS:
        return ""
    labels = ((live.get("spec") or {}).get("selector") or {}).get("matchLabels") or {}
    namespace = (live.get("metadata") or {}).get("namespace")
    if not labels or not namespace:
        return ""
    selector = {str(k): str(v) for k, v in labels.items()}
    pods = cached(str(namespace), selector) if cached is not None else None
    if pods is None:
        try:
            pods = client.list("v1", "Pod", namespace, label_selector=selector)
        except ForbiddenError:
            return ""
    for pod in sorted(pods, key=lambda p: str((p.get("metadata") or {}).get("name", ""))):
        message = _unschedulable(pod)
        if message is not None:
            return f"pod {pod['metadata']['name']} is Pending: {message}"
    return ""
