"""Which feasible node a pod goes to: kube-scheduler's default score plugins, weighted as its default profile.

Each plugin scores every feasible node 0–100 and normalizes as it does (kubernetes v1.34,
pkg/scheduler/framework/plugins/...); the node with the highest weighted sum wins:

- TaintToleration, weight 3: fewer untolerated `PreferNoSchedule` taints (100 when no node has one);
- NodeAffinity, weight 2: the weights of the matching `preferredDuringScheduling…` terms, scaled to the best;
- NodeResourcesFit (LeastAllocated), weight 1: the mean over CPU and memory of the share left free, a container
  without a request counted as 100m / 200Mi;
- PodTopologySpread, weight 2: for `ScheduleAnyway` constraints, the matching pods in the node's domain (times
  log(domains + 2), plus `maxSkew - 1`), inverted so the least crowded domain scores highest;
- InterPodAffinity, weight 2: per topology domain, the preferred (anti-)affinity terms of the pod and of the pods
  placed (and their required affinity terms at weight 1) that pair them, scaled min–max;
- NodeResourcesBalancedAllocation, weight 1: 100 × (1 − half the gap between the CPU and memory shares).

ImageLocality (weight 1) is left out: the sim pulls no images, so it would score every node alike. Nor are the
system-default spread constraints that kube-scheduler gives a pod stating none (zone and hostname, from the
selectors of its Services and owners). Ties, which kube-scheduler breaks at random, go to the node whose name
sorts first, so a rehearsal is repeatable.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable

from wavecd.sim.controllers import affinity
from wavecd.sim.controllers.capacity import allocatable, pod_requests
from wavecd.sim.controllers.labels import object_labels, selects
from wavecd.sim.controllers.placement import (
    Snapshot,
    matches_node_affinity,
    matches_node_selector_term,
    tolerates,
)

__all__ = ["WEIGHTS", "best_node"]

MAX = 100
WEIGHTS = {
    "TaintToleration": 3,
    "NodeAffinity": 2,
    "NodeResourcesFit": 1,
    "PodTopologySpread": 2,
    "InterPodAffinity": 2,
    "NodeResourcesBalancedAllocation": 1,
}
Scores = dict[str, int]  # node name -> score


def _name(node: dict) -> str:
    return str(node["metadata"]["name"])


def _least_allocated(pod: dict, nodes: list[dict], snap: Snapshot) -> Scores:
    want = pod_requests(pod, non_zero=True)
    scores = {}
    for node in nodes:
        room, used = allocatable(node), snap.used(_name(node), non_zero=True) + want
        parts = [
            (free - taken) * MAX // free if taken <= free else 0
            for free, taken in ((room.cpu, used.cpu), (room.memory, used.memory))
            if free
        ]
        scores[_name(node)] = sum(parts) // len(parts) if parts else 0
    return scores


def _balanced(pod: dict, nodes: list[dict], snap: Snapshot) -> Scores:
    want = pod_requests(pod)
    if not want.cpu and not want.memory:
        return dict.fromkeys(map(_name, nodes), 0)  # a best-effort pod: the plugin skips it
    scores = {}
    for node in nodes:
        room, used = allocatable(node), snap.used(_name(node)) + want
        shares = [min(1.0, taken / free) for free, taken in ((room.cpu, used.cpu), (room.memory, used.memory)) if free]
        gap = abs(shares[0] - shares[1]) / 2 if len(shares) == 2 else 0.0
        scores[_name(node)] = int((1 - gap) * MAX)
    return scores


def _default_normalize(scores: Scores, *, reverse: bool) -> Scores:
    """The framework's DefaultNormalizeScore: scaled so that the highest is 100 (reversed: lowest is 100)."""
    top = max(scores.values(), default=0)
    if top == 0:
        return {n: MAX if reverse else 0 for n in scores}
    return {n: MAX - s * MAX // top if reverse else s * MAX // top for n, s in scores.items()}


def _node_affinity(pod: dict, nodes: list[dict], snap: Snapshot) -> Scores:
    preferred = (((pod.get("spec") or {}).get("affinity") or {}).get("nodeAffinity") or {}).get(
        "preferredDuringSchedulingIgnoredDuringExecution"
    ) or []
    raw = {
        _name(node): sum(
            int(t.get("weight") or 0) for t in preferred if matches_node_selector_term(t.get("preference") or {}, node)
        )
        for node in nodes
    }
    return _default_normalize(raw, reverse=False)


def _taint_toleration(pod: dict, nodes: list[dict], snap: Snapshot) -> Scores:
    tolerations = [
        t for t in (pod.get("spec") or {}).get("tolerations") or [] if t.get("effect") in (None, "", "PreferNoSchedule")
    ]
    raw = {
        _name(node): sum(
            1
            for taint in (node.get("spec") or {}).get("taints") or []
            if taint.get("effect") == "PreferNoSchedule" and not any(tolerates(t, taint) for t in tolerations)
        )
        for node in nodes
    }
    return _default_normalize(raw, reverse=True)


def _spread(pod: dict, nodes: list[dict], snap: Snapshot) -> Scores:
    """PodTopologySpread's score for the `ScheduleAnyway` constraints (nodeAffinityPolicy Honor)."""
    constraints = [
        c
        for c in (pod.get("spec") or {}).get("topologySpreadConstraints") or []
        if c.get("whenUnsatisfiable") == "ScheduleAnyway"
    ]
    if not constraints:
        return dict.fromkeys(map(_name, nodes), 0)
    keys = [str(c.get("topologyKey") or "") for c in constraints]
    counted = [n for n in nodes if all(k in object_labels(n) for k in keys)]
    namespace = (pod.get("metadata") or {}).get("namespace")
    eligible = [n for n in snap.nodes if all(k in object_labels(n) for k in keys) and matches_node_affinity(pod, n)]
    raw: dict[str, float] = dict.fromkeys(map(_name, counted), 0.0)
    for constraint, key in zip(constraints, keys, strict=True):
        domains = {object_labels(n)[key] for n in counted}
        weight = math.log(len(domains) + 2)
        per_domain: Counter[str] = Counter()
        for node in eligible:
            for other in snap.bound.get(_name(node), []):
                meta = other.get("metadata") or {}
                if (
                    meta.get("namespace") == namespace
                    and not meta.get("deletionTimestamp")
                    and selects(constraint.get("labelSelector"), meta.get("labels") or {})
                ):
                    per_domain[object_labels(node)[key]] += 1
        for node in counted:
            count = per_domain[object_labels(node)[key]]
            raw[_name(node)] += count * weight + int(constraint.get("maxSkew", 1)) - 1
    rounded = {n: round(s) for n, s in raw.items()}
    low, high = min(rounded.values(), default=0), max(rounded.values(), default=0)
    return {
        _name(n): (
            0 if _name(n) not in rounded else MAX if high == 0 else MAX * (high + low - rounded[_name(n)]) // high
        )
        for n in nodes
    }


def _inter_pod(pod: dict, nodes: list[dict], snap: Snapshot) -> Scores:
    """InterPodAffinity's score: per topology domain, the weights of the terms that pair the pod with a placed
    pod, in either direction (the pod's preferred terms, the placed pod's preferred terms and, at weight 1, its
    required affinity terms; anti-affinity subtracts)."""
    namespaces = snap.namespace_labels
    mine = [(t, 1) for t in affinity.preferred_terms(pod, affinity.AFFINITY)] + [
        (t, -1) for t in affinity.preferred_terms(pod, affinity.ANTI_AFFINITY)
    ]
    domains: Counter[tuple[str, str]] = Counter()
    for other, where in snap.placed():
        if not mine and not (other.get("spec") or {}).get("affinity"):
            continue  # neither side states a term: nothing to pair
        labels = object_labels(where)
        theirs = [(t, 1) for t in affinity.preferred_terms(other, affinity.AFFINITY)]
        theirs += [(t, -1) for t in affinity.preferred_terms(other, affinity.ANTI_AFFINITY)]
        hard = [
            (affinity.Term(t.spec, t.owner_namespace, 1), 1) for t in affinity.required_terms(other, affinity.AFFINITY)
        ]
        for terms, target in ((mine, other), (theirs + hard, pod)):
            for term, sign in terms:
                key = term.topology_key
                if key in labels and term.matches(target, namespaces):
                    domains[(key, labels[key])] += sign * term.weight
    if not domains:
        return dict.fromkeys(map(_name, nodes), 0)
    raw = {_name(n): sum(v for (k, value), v in domains.items() if object_labels(n).get(k) == value) for n in nodes}
    low, high = min(raw.values()), max(raw.values())
    return {n: int(MAX * (s - low) / (high - low)) if high > low else 0 for n, s in raw.items()}


_PLUGINS: dict[str, Callable[[dict, list[dict], Snapshot], Scores]] = {
    "TaintToleration": _taint_toleration,
    "NodeAffinity": _node_affinity,
    "NodeResourcesFit": _least_allocated,
    "PodTopologySpread": _spread,
    "InterPodAffinity": _inter_pod,
    "NodeResourcesBalancedAllocation": _balanced,
}


def _node_scores(pod: dict, nodes: list[dict], snap: Snapshot) -> dict[str, int]:
    """Every feasible node's weighted total."""
    totals = dict.fromkeys(map(_name, nodes), 0)
    for plugin, score in _PLUGINS.items():
        for name, value in score(pod, nodes, snap).items():
            totals[name] += WEIGHTS[plugin] * value
    return totals


def best_node(pod: dict, nodes: list[dict], snap: Snapshot) -> dict:
    """The feasible node kube-scheduler's default profile would pick (ties: the first name)."""
    if len(nodes) == 1:
        return nodes[0]
    totals = _node_scores(pod, nodes, snap)
    return min(nodes, key=lambda n: (-totals[_name(n)], _name(n)))
