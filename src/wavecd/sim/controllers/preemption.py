"""kube-scheduler's DefaultPreemption, basic: a pod no node takes evicts lower-priority pods from one node.

A pod's priority is `spec.priority`, else the `value` of its `priorityClassName`'s PriorityClass, else that of
the PriorityClass marked `globalDefault`, else 0 (the API server's Priority admission resolves it at create;
the sim reads it when scheduling). On the nodes whose rejection preemption could change (not those
`UnschedulableAndUnresolvable`), every pod of lower priority is taken away; where the pod then passes the
filters, victims are given back, highest priority first, while it still does. The node chosen has the lowest
highest-victim priority, then the lowest sum of victim priorities (each offset by MaxInt32 + 1, so that an
extra victim of negative priority still costs more), then the fewest victims, then the first
name (pkg/scheduler/framework/preemption, kubernetes v1.34; PodDisruptionBudgets and victims' start times
are not weighed). A pod with `preemptionPolicy: Never` preempts nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from wavecd.sim.controllers.placement import Rejection, Snapshot, first_rejection

__all__ = ["Victims", "pod_priority", "select_victims"]

# kube-scheduler adds MaxInt32 + 1 to each victim's priority before summing, so every victim costs something:
# without it, evicting [0, -10] would look cheaper than evicting [0].
_SUM_OFFSET = 2**31


@dataclass(frozen=True)
class Victims:
    """The node preemption frees for the pod, and the pods it evicts there."""

    node: str
    pods: list[dict]


def pod_priority(pod: dict, classes: list[dict]) -> int:
    spec = pod.get("spec") or {}
    if isinstance(spec.get("priority"), int):
        return int(spec["priority"])
    name = spec.get("priorityClassName")
    for cls in classes:
        if (name and cls["metadata"]["name"] == name) or (not name and cls.get("globalDefault")):
            return int(cls.get("value") or 0)
    return 0


def _on_node(pod: dict, node: dict, snap: Snapshot, kept: list[dict]) -> bool:
    trial = Snapshot(snap.nodes, {**snap.bound, node["metadata"]["name"]: kept}, snap.namespace_labels)
    return first_rejection(pod, node, trial) is None


def _victims_on(pod: dict, node: dict, snap: Snapshot, priorities: dict[int, int], mine: int) -> list[dict] | None:
    bound = snap.bound.get(node["metadata"]["name"], [])
    lower = [p for p in bound if priorities[id(p)] < mine]
    kept = [p for p in bound if priorities[id(p)] >= mine]
    if not lower or not _on_node(pod, node, snap, kept):
        return None
    victims = []
    for candidate in sorted(lower, key=lambda p: -priorities[id(p)]):  # reprieve the most important first
        if _on_node(pod, node, snap, [*kept, candidate]):
            kept.append(candidate)
        else:
            victims.append(candidate)
    return victims


def select_victims(
    pod: dict, snap: Snapshot, rejections: list[tuple[dict, Rejection]], classes: list[dict]
) -> Victims | None:
    """Where preempting lower-priority pods lets `pod` run, and which; None when nowhere."""
    if (pod.get("spec") or {}).get("preemptionPolicy") == "Never":
        return None
    mine = pod_priority(pod, classes)
    priorities = {id(p): pod_priority(p, classes) for pods in snap.bound.values() for p in pods}
    best: tuple[tuple[int, int, int, str], Victims] | None = None
    for node, rejection in rejections:
        if rejection.unresolvable:
            continue
        victims = _victims_on(pod, node, snap, priorities, mine)
        if not victims:
            continue
        values = [priorities[id(v)] for v in victims]
        key = (max(values), sum(v + _SUM_OFFSET for v in values), len(victims), node["metadata"]["name"])
        if best is None or key < best[0]:
            best = (key, Victims(node["metadata"]["name"], victims))
    return None if best is None else best[1]
