"""Inter-pod affinity and anti-affinity: which pods a term selects, and kube-scheduler's InterPodAffinity filter.

A term (`labelSelector`, `namespaces`, `namespaceSelector`, `topologyKey`) selects pods by their labels in its
namespaces: the listed ones and those whose labels the `namespaceSelector` matches (`{}`: every namespace);
with neither, the namespace of the pod that states the term. A `null` label selector selects nothing, `{}`
every pod. The filter (pkg/scheduler/framework/plugins/interpodaffinity/filtering.go, v1.34) counts, per
topology pair (key, value of the node holding the pod), the bound pods that match, and refuses a node:

- when a required affinity term's key is missing from the node, or its pair holds no pod matching all the
  pod's affinity terms — unless no such pod exists anywhere and the pod matches its own terms (the first pod
  of a group that attracts itself): `node(s) didn't match pod affinity rules`, unresolvable by preemption;
- when the node's pair for a required anti-affinity term holds a matching pod:
  `node(s) didn't match pod anti-affinity rules`;
- when a bound pod's required anti-affinity term matches the incoming pod and the node shares that bound
  pod's pair (the symmetry rule): `node(s) didn't satisfy existing pods anti-affinity rules`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from wavecd.sim.controllers.labels import object_labels, selects

__all__ = [
    "AFFINITY",
    "ANTI_AFFINITY",
    "Placed",
    "Term",
    "preferred_terms",
    "required_terms",
    "satisfies_affinity",
    "satisfies_anti_affinity",
    "satisfies_existing_anti_affinity",
]

AFFINITY = "podAffinity"
ANTI_AFFINITY = "podAntiAffinity"
_REQUIRED = "requiredDuringSchedulingIgnoredDuringExecution"
_PREFERRED = "preferredDuringSchedulingIgnoredDuringExecution"


@dataclass(frozen=True)
class Term:
    """One pod affinity term, with the namespace of the pod that states it (its default scope)."""

    spec: dict
    owner_namespace: str
    weight: int = 0

    @property
    def topology_key(self) -> str:
        return str(self.spec.get("topologyKey") or "")

    def matches(self, pod: dict, namespace_labels: dict[str, dict[str, str]]) -> bool:
        """Whether `pod` is one the term selects (its namespace and its labels)."""
        meta = pod.get("metadata") or {}
        namespace = str(meta.get("namespace") or "")
        listed = [str(n) for n in self.spec.get("namespaces") or []]
        ns_selector = self.spec.get("namespaceSelector")
        if not listed and ns_selector is None:
            in_scope = namespace == self.owner_namespace
        else:
            in_scope = namespace in listed or (
                ns_selector is not None and selects(ns_selector, namespace_labels.get(namespace, {}))
            )
        return in_scope and selects(self.spec.get("labelSelector"), meta.get("labels") or {})


def _affinity(pod: dict, kind: str) -> dict:
    return ((pod.get("spec") or {}).get("affinity") or {}).get(kind) or {}


def _namespace(pod: dict) -> str:
    return str((pod.get("metadata") or {}).get("namespace") or "")


def required_terms(pod: dict, kind: str) -> list[Term]:
    """The pod's `required…` terms of `podAffinity` or `podAntiAffinity`."""
    terms = _affinity(pod, kind).get(_REQUIRED)
    if not terms:
        return []  # most pods: checked for every placed pod on every node, so without building anything
    return [Term(t, _namespace(pod)) for t in terms if isinstance(t, dict)]


def preferred_terms(pod: dict, kind: str) -> list[Term]:
    """The pod's `preferred…` terms of `podAffinity` or `podAntiAffinity`, with their weights."""
    return [
        Term(t.get("podAffinityTerm") or {}, _namespace(pod), int(t.get("weight") or 0))
        for t in _affinity(pod, kind).get(_PREFERRED) or []
        if isinstance(t, dict)
    ]


Placed = list[tuple[dict, dict]]  # (bound pod, its node)


def _pair(node: dict, key: str) -> tuple[str, str] | None:
    labels = object_labels(node)
    return (key, labels[key]) if key in labels else None


def satisfies_affinity(pod: dict, node: dict, placed: Placed, namespace_labels: dict[str, dict[str, str]]) -> bool:
    terms = required_terms(pod, AFFINITY)
    if not terms:
        return True
    counts: Counter[tuple[str, str]] = Counter()
    for other, where in placed:
        if all(t.matches(other, namespace_labels) for t in terms):
            counts.update(p for p in (_pair(where, t.topology_key) for t in terms) if p is not None)
    pairs = [_pair(node, t.topology_key) for t in terms]
    if any(p is None for p in pairs):
        return False  # every topology key must be a label of the node
    if all(counts[p] > 0 for p in pairs if p is not None):
        return True
    return not counts and all(t.matches(pod, namespace_labels) for t in terms)


def satisfies_anti_affinity(pod: dict, node: dict, placed: Placed, namespace_labels: dict[str, dict[str, str]]) -> bool:
    terms = required_terms(pod, ANTI_AFFINITY)
    if not terms:
        return True
    mine = {p for p in (_pair(node, t.topology_key) for t in terms) if p is not None}
    for other, where in placed:
        for term in terms:
            pair = _pair(where, term.topology_key)
            if pair in mine and term.matches(other, namespace_labels):
                return False
    return True


def satisfies_existing_anti_affinity(
    pod: dict, node: dict, placed: Placed, namespace_labels: dict[str, dict[str, str]]
) -> bool:
    labels = object_labels(node)
    for other, where in placed:
        for term in required_terms(other, ANTI_AFFINITY):
            pair = _pair(where, term.topology_key)
            if pair is not None and labels.get(pair[0]) == pair[1] and term.matches(pod, namespace_labels):
                return False
    return True
