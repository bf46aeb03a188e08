"""Why a workload waits for its pods: the scheduler's word on a pod no node takes.

Argo CD's health of a Deployment counts replicas (`Waiting for rollout to finish: 0 of 2 updated replicas are
available...`); when the wait is for capacity, the reason is on the pods, as `kubectl describe pod` shows it:
`PodScheduled=False`, reason `Unschedulable`, and kube-scheduler's message. The gate adds the first such pod's
message to the workload's wait message, so a rollout waiting on a full cluster (or a Karpenter NodePool at its
limits) says so, and a timeout names it. A cluster that refuses the pod list costs nothing but the note.
"""

from __future__ import annotations

from typing import Any

from wavecd.kube import ForbiddenError, KubeClient

__all__ = ["unschedulable_note"]

_WORKLOADS = frozenset({"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"})


def _unschedulable(pod: dict[str, Any]) -> str | None:
    if (pod.get("spec") or {}).get("nodeName"):
        return None
    for condition in (pod.get("status") or {}).get("conditions") or []:
        if condition.get("type") == "PodScheduled" and condition.get("reason") == "Unschedulable":
            return str(condition.get("message") or "Unschedulable")
    return None


def unschedulable_note(client: KubeClient, live: dict[str, Any]) -> str:
    """`pod <name> is Pending: <scheduler's message>` for the workload's first unschedulable pod, else ``."""
    if live.get("apiVersion") != "apps/v1" or live.get("kind") not in _WORKLOADS:
        return ""
    labels = ((live.get("spec") or {}).get("selector") or {}).get("matchLabels") or {}
    namespace = (live.get("metadata") or {}).get("namespace")
    if not labels or not namespace:
        return ""
    try:
        pods = client.list("v1", "Pod", namespace, label_selector={str(k): str(v) for k, v in labels.items()})
    except ForbiddenError:
        return ""
    for pod in sorted(pods, key=lambda p: str((p.get("metadata") or {}).get("name", ""))):
        message = _unschedulable(pod)
        if message is not None:
            return f"pod {pod['metadata']['name']} is Pending: {message}"
    return ""
