"""What the sync waits for after it applies a task, said for people (`wavecd plan`).

The gate itself is `sync`'s (`sync/gate.py`): every step of an app waits until each object it applied is
Healthy by its kind's health check, a hook until it has completed, and a prune until the object is gone; an
object whose kind no health check judges passes once applied. Whether a kind is judged is asked of
`health.assess` itself, so this page of words can never disagree with the check the sync runs; the words
only name the check.
"""

from __future__ import annotations

from wavecd.health import assess
from wavecd.plan.task import Task

__all__ = ["NO_GATE", "gate_of"]

NO_GATE = "applied (no health check)"

# (group, kind) -> the condition its health check waits for (gitops-engine `pkg/health/`, Argo CD's Lua checks).
_CONDITIONS: dict[tuple[str, str], str] = {
    ("apps", "Deployment"): "Deployment rollout",
    ("apps", "StatefulSet"): "StatefulSet rollout",
    ("apps", "DaemonSet"): "DaemonSet rollout",
    ("apps", "ReplicaSet"): "ReplicaSet replicas available",
    ("batch", "Job"): "Job completion",
    ("batch", "CronJob"): "CronJob last run not failed",
    ("", "Pod"): "Pod running and ready",
    ("", "PersistentVolumeClaim"): "PersistentVolumeClaim bound",
    ("networking.k8s.io", "Ingress"): "Ingress load-balancer address",
    ("extensions", "Ingress"): "Ingress load-balancer address",
    ("autoscaling", "HorizontalPodAutoscaler"): "HorizontalPodAutoscaler conditions",
    ("apiregistration.k8s.io", "APIService"): "APIService available",
    ("policy", "PodDisruptionBudget"): "PodDisruptionBudget status reported",
    ("argoproj.io", "Application"): "Application health",
    ("argoproj.io", "ApplicationSet"): "ApplicationSet resources up to date",
    ("argoproj.io", "Workflow"): "Workflow succeeded",
}


def gate_of(task: Task) -> str:
    """The condition the step containing `task` waits on for it; `NO_GATE` when it passes once applied."""
    if task.is_prune:
        return "deleted (gone from the cluster)"
    if task.target is None or assess(task.target, is_hook=task.is_hook) is None:
        return "hook created" if task.is_hook else NO_GATE
    if task.is_hook and (task.group, task.kind) == ("", "Pod"):
        condition = "Pod succeeded"
    elif (task.group, task.kind) == ("", "Service"):
        spec = task.target.get("spec")
        load_balancer = isinstance(spec, dict) and spec.get("type") == "LoadBalancer"
        condition = "Service load-balancer address" if load_balancer else "Service (at once, not a LoadBalancer)"
    else:
        condition = _CONDITIONS.get((task.group, task.kind), f"{task.kind} health check")
    return f"hook completes: {condition}" if task.is_hook else f"Healthy: {condition}"
