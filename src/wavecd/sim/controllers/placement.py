"""Where a pod may run: kube-scheduler's filter plugins for what GitOps charts set, and its failure message.

Filters run in kube-scheduler's default order and stop at the first that rejects a node, as its framework
does: NodeUnschedulable, TaintToleration (NoSchedule/NoExecute), NodeAffinity (`nodeSelector` and the
required node affinity: In, NotIn, Exists, DoesNotExist, Gt, Lt), NodeResourcesFit (cpu, memory, pods) and
PodTopologySpread (`whenUnsatisfiable: DoNotSchedule`) and InterPodAffinity (required terms, see `affinity`).
Preferences (`preferred…`, `ScheduleAnyway`) do not filter: `scoring` ranks the nodes left. Reason strings are
the plugins' own.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from wavecd.sim.controllers import affinity
from wavecd.sim.controllers.affinity import Placed
from wavecd.sim.controllers.capacity import Resources, allocatable, pod_requests
from wavecd.sim.controllers.labels import matches_requirement, object_labels, selects

__all__ = [
    "Rejection",
    "Snapshot",
    "first_rejection",
    "fit_error",
    "matches_node_affinity",
    "matches_node_selector_term",
    "tolerates",
    "tolerates_taints",
]

# Not resolvable by preempting pods (kube-scheduler's UnschedulableAndUnresolvable status code).
_UNRESOLVABLE = True


@dataclass(frozen=True)
class Rejection:
    """Why one node refuses a pod: the plugin's reasons, and whether evicting pods could change that."""

    reasons: tuple[str, ...]
    unresolvable: bool


@dataclass
class Snapshot:
    """The nodes and, per node name, the pods bound to it (what the scheduler's cache holds)."""

    nodes: list[dict]
    bound: dict[str, list[dict]] = field(default_factory=dict)
    namespace_labels: dict[str, dict[str, str]] = field(default_factory=dict)
    # what each bound pod requests, parsed once per snapshot: every node check and score sums them again
    _requests: dict[tuple[int, bool], tuple[dict, Resources]] = field(default_factory=dict)

    def used(self, node_name: str, *, non_zero: bool = False) -> Resources:
        """The requests of the pods bound to a node (`non_zero`: as scoring counts them)."""
        total = Resources()
        for pod in self.bound.get(node_name, []):
            key = (id(pod), non_zero)
            cached = self._requests.get(key)
            if cached is None or cached[0] is not pod:  # the pod itself is kept, so an id is never mistaken
                cached = self._requests[key] = (pod, pod_requests(pod, non_zero=non_zero))
            total += cached[1]
        return total

    def assume(self, pod: dict, node_name: str) -> None:
        self.bound.setdefault(node_name, []).append(pod)

    def placed(self) -> Placed:
        """Every bound pod with its node (pods of nodes no longer there left out)."""
        return [(pod, node) for node in self.nodes for pod in self.bound.get(node["metadata"]["name"], [])]


def matches_node_selector_term(term: dict, node: dict) -> bool:
    """One node selector term (expressions and fields ANDed); an empty term matches no node."""
    expressions = term.get("matchExpressions") or []
    fields = term.get("matchFields") or []
    if not expressions and not fields:
        return False  # an empty term matches no node
    name = {"metadata.name": (node.get("metadata") or {}).get("name", "")}
    return all(matches_requirement(e, object_labels(node)) for e in expressions) and all(
        matches_requirement(f, name) for f in fields
    )


def matches_node_affinity(pod: dict, node: dict) -> bool:
    """`nodeSelector` and `requiredDuringSchedulingIgnoredDuringExecution` (terms ORed, expressions ANDed)."""
    spec = pod.get("spec") or {}
    labels = object_labels(node)
    if any(labels.get(k) != str(v) for k, v in (spec.get("nodeSelector") or {}).items()):
        return False
    required = ((spec.get("affinity") or {}).get("nodeAffinity") or {}).get(
        "requiredDuringSchedulingIgnoredDuringExecution"
    )
    if required is None:
        return True
    return any(matches_node_selector_term(term, node) for term in required.get("nodeSelectorTerms") or [])


def tolerates(toleration: dict, taint: dict) -> bool:
    """Whether one toleration tolerates one taint (an empty effect or key tolerates every one)."""
    if toleration.get("effect") and toleration.get("effect") != taint.get("effect"):
        return False
    if toleration.get("key") and toleration.get("key") != taint.get("key"):
        return False
    if toleration.get("operator") == "Exists":
        return True
    return toleration.get("value", "") == taint.get("value", "")


def tolerates_taints(tolerations: list[dict], node: dict) -> dict | None:
    """The first NoSchedule/NoExecute taint of the node that no toleration tolerates; None when all are."""
    for taint in (node.get("spec") or {}).get("taints") or []:
        if taint.get("effect") not in ("NoSchedule", "NoExecute"):
            continue
        if not any(tolerates(t, taint) for t in tolerations):
            return taint
    return None


def _insufficient(pod: dict, node: dict, snapshot: Snapshot) -> tuple[str, ...]:
    want, room, used = pod_requests(pod), allocatable(node), snapshot.used(node["metadata"]["name"])
    reasons = []
    if used.pods + 1 > room.pods:
        reasons.append("Too many pods")
    if want.cpu and want.cpu > room.cpu - used.cpu:
        reasons.append("Insufficient cpu")
    if want.memory and want.memory > room.memory - used.memory:
        reasons.append("Insufficient memory")
    return tuple(reasons)


_SPREAD = "node(s) didn't match pod topology spread constraints"


def _spread(pod: dict, node: dict, snapshot: Snapshot) -> Rejection | None:
    """PodTopologySpread's filter for the `DoNotSchedule` constraints (nodeAffinityPolicy Honor, nodeTaintsPolicy
    Ignore: the defaults)."""
    constraints = [
        c
        for c in (pod.get("spec") or {}).get("topologySpreadConstraints") or []
        if c.get("whenUnsatisfiable") == "DoNotSchedule"
    ]
    if not constraints:
        return None
    keys = [c.get("topologyKey", "") for c in constraints]
    if any(k not in object_labels(node) for k in keys):
        return Rejection((_SPREAD + " (missing required label)",), _UNRESOLVABLE)
    namespace = (pod.get("metadata") or {}).get("namespace")
    eligible = [n for n in snapshot.nodes if all(k in object_labels(n) for k in keys) and matches_node_affinity(pod, n)]
    for constraint, key in zip(constraints, keys, strict=True):
        counts: Counter[str] = Counter({object_labels(n)[key]: 0 for n in eligible})
        for candidate in eligible:
            for other in snapshot.bound.get(candidate["metadata"]["name"], []):
                meta = other.get("metadata") or {}
                same = meta.get("namespace") == namespace and not meta.get("deletionTimestamp")
                if same and selects(constraint.get("labelSelector"), meta.get("labels") or {}):
                    counts[object_labels(candidate)[key]] += 1
        self_match = 1 if selects(constraint.get("labelSelector"), object_labels(pod)) else 0
        floor = min(counts.values(), default=0)
        if counts[object_labels(node)[key]] + self_match - floor > int(constraint.get("maxSkew", 1)):
            return Rejection((_SPREAD,), not _UNRESOLVABLE)
    return None


def first_rejection(pod: dict, node: dict, snapshot: Snapshot) -> Rejection | None:
    """Why `node` cannot take `pod` now, by the first filter that says so; None when it can."""
    spec = pod.get("spec") or {}
    if (node.get("spec") or {}).get("unschedulable"):
        return Rejection(("node(s) were unschedulable",), _UNRESOLVABLE)
    taint = tolerates_taints(spec.get("tolerations") or [], node)
    if taint is not None:
        # pkg/scheduler/framework/plugins/tainttoleration/taint_toleration.go (Filter)
        reason = f"node(s) had untolerated taint {{{taint.get('key', '')}: {taint.get('value', '')}}}"
        return Rejection((reason,), _UNRESOLVABLE)
    if not matches_node_affinity(pod, node):
        return Rejection(("node(s) didn't match Pod's node affinity/selector",), _UNRESOLVABLE)
    short = _insufficient(pod, node, snapshot)
    if short:
        return Rejection(short, not _UNRESOLVABLE)
    return _spread(pod, node, snapshot) or _inter_pod(pod, node, snapshot)


def _inter_pod(pod: dict, node: dict, snapshot: Snapshot) -> Rejection | None:
    """InterPodAffinity's filter (the last of the default profile's filters)."""
    placed, namespaces = snapshot.placed(), snapshot.namespace_labels
    if not affinity.satisfies_affinity(pod, node, placed, namespaces):
        return Rejection(("node(s) didn't match pod affinity rules",), _UNRESOLVABLE)
    if not affinity.satisfies_anti_affinity(pod, node, placed, namespaces):
        return Rejection(("node(s) didn't match pod anti-affinity rules",), not _UNRESOLVABLE)
    if not affinity.satisfies_existing_anti_affinity(pod, node, placed, namespaces):
        return Rejection(("node(s) didn't satisfy existing pods anti-affinity rules",), not _UNRESOLVABLE)
    return None


def _histogram(counts: Counter[str]) -> str:
    return ", ".join(sorted(f"{n} {reason}" for reason, n in counts.items()))


def fit_error(rejections: list[Rejection], *, preempted: bool = False) -> str:
    """kube-scheduler's FailedScheduling message for a pod every node rejected.

    The format is `FitError.Error()` (pkg/scheduler/framework/types.go): `0/N nodes are available: ` then the
    reasons counted over nodes, as `"<count> <reason>"` strings sorted as strings and joined by `, `, ending with
    `.`; then the preemption PostFilter's status (pkg/scheduler/framework/preemption/preemption.go), `preemption: `
    plus the same format over its own per-node verdicts: a node whose rejection is unresolvable is `Preemption
    is not helpful for scheduling`, any other `No preemption victims found for incoming pod`. When preemption
    did find victims (`preempted`), its status carries no message and the line ends after the reasons.
    """
    if not rejections:
        return "no nodes available to schedule pods"
    total = len(rejections)
    reasons: Counter[str] = Counter(reason for r in rejections for reason in r.reasons)
    preemption: Counter[str] = Counter(
        "Preemption is not helpful for scheduling" if r.unresolvable else "No preemption victims found for incoming pod"
        for r in rejections
    )
    if preempted:
        return f"0/{total} nodes are available: {_histogram(reasons)}."
    return (
        f"0/{total} nodes are available: {_histogram(reasons)}. "
        f"preemption: 0/{total} nodes are available: {_histogram(preemption)}."
    )
