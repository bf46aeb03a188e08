"""Karpenter's view of a pod's preferences: required first, then relaxed one at a time.

Karpenter sizes nodes for the pod as if its preferences were requirements — preferred pod affinity and
anti-affinity terms, the heaviest preferred node affinity term, `ScheduleAnyway` spread constraints — and
only when no node can be found that way drops them, one per attempt, in the order of its `Preferences.Relax`
(kubernetes-sigs/karpenter, pkg/controllers/provisioning/scheduling/preferences.go): a required node affinity
term beyond the first (terms are ORed), the heaviest preferred pod affinity term, the heaviest preferred pod
anti-affinity term, the heaviest preferred node affinity term, then a `ScheduleAnyway` constraint. (Its last
step, tolerating `PreferNoSchedule` taints, does not matter here: such taints never filter.)
"""

from __future__ import annotations

from wavecd.sim.store import clone

__all__ = ["relax", "strict"]

_REQUIRED = "requiredDuringSchedulingIgnoredDuringExecution"
_PREFERRED = "preferredDuringSchedulingIgnoredDuringExecution"


def _affinity(pod: dict) -> dict:
    return (pod.get("spec") or {}).get("affinity") or {}


def _heaviest_first(terms: list[dict]) -> list[dict]:
    return sorted(terms, key=lambda t: -int(t.get("weight") or 0))


def strict(pod: dict) -> dict:
    """A copy of the pod whose preferences are requirements, as Karpenter schedules it."""
    out = clone(pod)
    spec = out.setdefault("spec", {})
    affinity = spec.get("affinity") or {}
    for kind in ("podAffinity", "podAntiAffinity"):
        block = affinity.get(kind) or {}
        preferred = [t.get("podAffinityTerm") or {} for t in block.pop(_PREFERRED, None) or []]
        if preferred:
            block[_REQUIRED] = [*(block.get(_REQUIRED) or []), *preferred]
    node = affinity.get("nodeAffinity") or {}
    preferred_nodes = _heaviest_first(node.pop(_PREFERRED, None) or [])
    wanted = (preferred_nodes[0].get("preference") or {}).get("matchExpressions") if preferred_nodes else None
    if wanted:
        terms = (node.get(_REQUIRED) or {}).get("nodeSelectorTerms") or [{}]
        node[_REQUIRED] = {
            "nodeSelectorTerms": [
                {**term, "matchExpressions": [*(term.get("matchExpressions") or []), *wanted]} for term in terms
            ]
        }
    for constraint in spec.get("topologySpreadConstraints") or []:
        if constraint.get("whenUnsatisfiable") == "ScheduleAnyway":
            constraint["whenUnsatisfiable"] = "DoNotSchedule"
    return out


def _drop_heaviest(block: dict) -> bool:
    terms = _heaviest_first(block.get(_PREFERRED) or [])
    if not terms:
        return False
    block[_PREFERRED] = terms[1:]
    return True


def relax(pod: dict) -> bool:
    """Drop the next preference from `pod` (changed in place); False when none is left."""
    affinity = _affinity(pod)
    required = ((affinity.get("nodeAffinity") or {}).get(_REQUIRED) or {}).get("nodeSelectorTerms") or []
    if len(required) > 1:
        affinity["nodeAffinity"][_REQUIRED]["nodeSelectorTerms"] = required[1:]
        return True
    for kind in ("podAffinity", "podAntiAffinity", "nodeAffinity"):
        if _drop_heaviest(affinity.get(kind) or {}):
            return True
    constraints = (pod.get("spec") or {}).get("topologySpreadConstraints") or []
    for index, constraint in enumerate(constraints):
        if constraint.get("whenUnsatisfiable") == "ScheduleAnyway":
            del constraints[index]
            return True
    return False
