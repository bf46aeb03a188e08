"""The default scheduler's part: bind a pod to a node that passes every filter, or leave it Pending.

A pod without `spec.nodeName` is scheduled when its controller first drives it: the filters of `placement`
run against every node and the pods bound to it; among the nodes left, `scoring` picks the one kube-scheduler's
default score plugins rank highest. A pod no node takes
stays Pending with `PodScheduled=False`, reason `Unschedulable`, kube-scheduler's message, and a
`FailedScheduling` Warning Event; a cluster autoscaler (the Karpenter stand-in) is woken, and the pod is
tried again whenever a node is added or a bound pod goes away.
"""

from __future__ import annotations

from wavecd.sim.apierrors import ApiError
from wavecd.sim.controllers import preemption, scoring
from wavecd.sim.controllers.common import safe_delete, set_condition, write_status
from wavecd.sim.controllers.engine import Context
from wavecd.sim.controllers.events import record_event
from wavecd.sim.controllers.placement import Rejection, Snapshot, first_rejection, fit_error
from wavecd.sim.registry import Kind
from wavecd.sim.store import clone

__all__ = ["SCHEDULER", "pending_pods", "retry_pending", "schedule", "snapshot", "unschedulable"]

SCHEDULER = "default-scheduler"
# Who provisions nodes for unschedulable pods, woken when one appears: (group, plural) of cluster-scoped
# objects whose reconciler does it.
AUTOSCALERS = (("karpenter.sh", "nodepools"),)


def _terminal(pod: dict) -> bool:
    return (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed")


def snapshot(ctx: Context) -> Snapshot:
    """The nodes that exist (not being deleted) and the pods bound to each."""
    nodes, _ = ctx.api.list(ctx.core("nodes"), None)
    # Every pod of the cluster, for each pod scheduled: read in place, not copied (the snapshot only reads them).
    pods = ctx.api.peek_list(ctx.core("pods"), None)
    namespaces, _ = ctx.api.list(ctx.core("namespaces"), None)
    snap = Snapshot(
        [n for n in nodes if not n["metadata"].get("deletionTimestamp")],
        namespace_labels={n["metadata"]["name"]: n["metadata"].get("labels") or {} for n in namespaces},
    )
    for pod in pods:
        node_name = (pod.get("spec") or {}).get("nodeName")
        if node_name and not _terminal(pod):
            snap.assume(pod, node_name)
    return snap


def unschedulable(pod: dict) -> bool:
    """Pending because the scheduler found no node (not merely not yet tried)."""
    if (pod.get("spec") or {}).get("nodeName") or pod["metadata"].get("deletionTimestamp"):
        return False
    return any(
        c.get("type") == "PodScheduled" and c.get("reason") == "Unschedulable"
        for c in (pod.get("status") or {}).get("conditions") or []
    )


def pending_pods(ctx: Context) -> list[dict]:
    """Unschedulable pods, oldest first (the order a scheduling queue would retry them)."""
    found, _ = ctx.api.list(ctx.core("pods"), None, match=unschedulable)
    return sorted(found, key=lambda p: (p["metadata"].get("creationTimestamp", ""), p["metadata"]["name"]))


def _bind(ctx: Context, pods: Kind, pod: dict, node_name: str) -> dict | None:
    bound = clone(pod)
    bound["spec"]["nodeName"] = node_name
    meta = pod["metadata"]
    try:
        result, _ = ctx.api.update(pods, meta.get("namespace"), meta["name"], bound, manager=SCHEDULER)
    except ApiError:
        return None
    record_event(
        ctx,
        result,
        "Scheduled",
        f"Successfully assigned {meta.get('namespace')}/{meta['name']} to {node_name}",
        SCHEDULER,
    )
    return result


def _mark_unschedulable(ctx: Context, pods: Kind, pod: dict, message: str, nominated: str | None = None) -> dict:
    status = clone(pod.get("status") or {})
    status["phase"] = "Pending"
    status.pop("nominatedNodeName", None)  # a failed cycle that nominates nothing clears the nomination
    if nominated:
        status["nominatedNodeName"] = nominated
    status["conditions"] = set_condition(
        status.get("conditions") or [], ctx, "PodScheduled", "False", "Unschedulable", message
    )
    written = write_status(ctx, pods, pod, status, manager=SCHEDULER) or pod
    record_event(ctx, pod, "FailedScheduling", message, SCHEDULER, warning=True, once=True)
    for group, plural in AUTOSCALERS:
        for name in ctx.api.store.names(group, plural, ""):
            ctx.engine.enqueue((group, plural, "", name))
    return written


def schedule(ctx: Context, pods: Kind, pod: dict) -> dict:
    """The pod bound to the best node that takes it, or marked unschedulable with the scheduler's message."""
    snap = snapshot(ctx)
    rejections: list[tuple[dict, Rejection]] = []
    feasible = []
    for node in snap.nodes:
        rejection = first_rejection(pod, node, snap)
        if rejection is None:
            feasible.append(node)
        else:
            rejections.append((node, rejection))
    if feasible:
        best = scoring.best_node(pod, feasible, snap)
        return _bind(ctx, pods, pod, best["metadata"]["name"]) or pod
    verdicts = [r for _, r in rejections]
    classes_kind = ctx.api.registry.by_resource("scheduling.k8s.io", "priorityclasses")
    classes, _ = ctx.api.list(classes_kind, None) if classes_kind is not None else ([], None)
    victims = preemption.select_victims(pod, snap, rejections, classes)
    if victims is None:
        return _mark_unschedulable(ctx, pods, pod, fit_error(verdicts))
    for victim in victims.pods:
        record_event(
            ctx,
            victim,
            "Preempted",
            f"Preempted by pod {pod['metadata'].get('uid', '')} on node {victims.node}",
            SCHEDULER,
        )
        safe_delete(ctx, pods, victim)
    return _mark_unschedulable(ctx, pods, pod, fit_error(verdicts, preempted=True), nominated=victims.node)


def retry_pending(ctx: Context) -> None:
    """Capacity changed (a node came, a pod left): unschedulable pods are tried again, through their owners."""
    pods = ctx.core("pods")
    for pod in pending_pods(ctx):
        ctx.recheck(pods, pod, ctx.now)
