"""A Karpenter stand-in (`karpenter.sh/v1`): NodePools turn unschedulable pods into NodeClaims and Nodes.

It acts only on the NodePools a tree installs (with Karpenter's CRDs); a cluster without them keeps its own
nodes. Each pass over the pending pods (oldest first) skips a pod that fits a node being launched, and
otherwise asks the NodePools (highest `weight` first) for a node: the instance types the pool's requirements
allow (category, generation, family, size, cpu, memory, arch, instance type, capacity type — spot first —
and zone) that keep the pool within its `limits`, the smallest that holds the pod and the pending pods like
it, in the first zone where the scheduler's filters (labels, taints, spread) would take it. The NodeClaim
reports `Launched`, `Registered`, `Initialized` and `Ready` after its delay (`sim.wavecd.io/ready-after` on
the NodePool, 20 s by default) and its Node joins the cluster; the pod is then scheduled there. A pod no pool
can serve stays Pending, with a Karpenter `FailedScheduling` Event saying why. A node that holds no pods but
DaemonSet ones for the pool's `disruption.consolidateAfter` is removed with its NodeClaim.
"""

from __future__ import annotations

import hashlib

from wavecd.common import DEFAULT_KUBE_VERSION
from wavecd.sim.controllers import capacity, lifecycle, preferences, scheduler, workloads
from wavecd.sim.controllers.capacity import INSTANCE_TYPES, InstanceType, Resources, pod_requests, quantity
from wavecd.sim.controllers.common import owner_ref, safe_create, safe_delete, set_condition, write_status
from wavecd.sim.controllers.engine import Context
from wavecd.sim.controllers.events import record_event
from wavecd.sim.controllers.labels import matches_requirement
from wavecd.sim.controllers.placement import Snapshot, first_rejection
from wavecd.sim.registry import Kind
from wavecd.sim.store import clone
from wavecd.sim.timing import parse_duration, sim_annotations

__all__ = ["capacity_freed", "reconcile_node", "reconcile_nodeclaim", "reconcile_nodepool"]

GROUP = "karpenter.sh"
KARPENTER = "karpenter"
NODEPOOL_LABEL = "karpenter.sh/nodepool"
CAPACITY_TYPE = "karpenter.sh/capacity-type"
ZONE = "topology.kubernetes.io/zone"
_CLAIM_CONDITIONS = ("Launched", "Registered", "Initialized", "Ready")
Trial = tuple[str, list[dict]]  # a trial node's name, and the daemon pods any new node would run


def _kind(ctx: Context, plural: str) -> Kind | None:
    return ctx.api.registry.by_resource(GROUP, plural)


def _items(ctx: Context, plural: str) -> list[dict]:
    kind = _kind(ctx, plural)
    if kind is None:
        return []
    items, _ = ctx.api.list(kind, None)
    return [i for i in items if not i["metadata"].get("deletionTimestamp")]


def _ready(obj: dict) -> bool:
    return any(
        c.get("type") == "Ready" and c.get("status") == "True"
        for c in (obj.get("status") or {}).get("conditions") or []
    )


def _template(pool: dict) -> dict:
    return ((pool.get("spec") or {}).get("template") or {}) or {}


def _requirements(pool: dict) -> list[dict]:
    return (_template(pool).get("spec") or {}).get("requirements") or []


def _allowed(pool: dict, key: str, default: tuple[str, ...]) -> list[str]:
    return [
        v for v in default if all(matches_requirement(r, {key: v}) for r in _requirements(pool) if r.get("key") == key)
    ]


def _instance_types(pool: dict) -> list[InstanceType]:
    """The instance types the pool's requirements allow, smallest first."""
    found = []
    for instance in INSTANCE_TYPES:
        labels = instance.labels()
        if all(matches_requirement(r, labels) for r in _requirements(pool) if r.get("key") in labels):
            found.append(instance)
    return sorted(found, key=lambda t: (t.cpu, t.memory_gib, t.name))


def _capacity_values(claim: dict) -> dict:
    """The claim's capacity: its status once launched, its instance type's before."""
    values = (claim.get("status") or {}).get("capacity") or {}
    if not values:
        instance = capacity.instance_type(
            (claim["metadata"].get("labels") or {}).get("node.kubernetes.io/instance-type", "")
        )
        values = instance.capacity() if instance is not None else {}
    return dict(values)


def _claim_capacity(claim: dict) -> Resources:
    values = _capacity_values(claim)
    return Resources(
        quantity(values.get("cpu"), milli=True), quantity(values.get("memory")), quantity(values.get("pods"))
    )


def _within_limits(pool: dict, used: Resources, instance: InstanceType) -> bool:
    limits = (pool.get("spec") or {}).get("limits") or {}
    grown = used + Resources(instance.cpu * 1000, instance.memory_gib * 1024**3)
    if "cpu" in limits and grown.cpu > quantity(limits["cpu"], milli=True):
        return False
    return not ("memory" in limits and grown.memory > quantity(limits["memory"]))


def _node_labels(pool: dict, instance: InstanceType, capacity_type: str, zone: str) -> dict[str, str]:
    labels = {str(k): str(v) for k, v in ((_template(pool).get("metadata") or {}).get("labels") or {}).items()}
    for req in _requirements(pool):
        values = req.get("values") or []
        if req.get("operator") == "In" and len(values) == 1:
            labels.setdefault(str(req.get("key")), str(values[0]))
    labels.update(
        {
            **instance.labels(),
            NODEPOOL_LABEL: pool["metadata"]["name"],
            CAPACITY_TYPE: capacity_type,
            ZONE: zone,
            "topology.kubernetes.io/region": capacity.REGION,
            "karpenter.sh/initialized": "true",
            "karpenter.sh/registered": "true",
        }
    )
    return labels


def _taints(pool: dict) -> list[dict]:
    return [clone(t) for t in (_template(pool).get("spec") or {}).get("taints") or []]


def _trial(name: str, pool: dict, instance: InstanceType, capacity_type: str, zone: str) -> dict:
    node = capacity.node_body(name, instance, _node_labels(pool, instance, capacity_type, zone), _taints(pool))
    node["status"] = capacity.node_status(instance, "", DEFAULT_KUBE_VERSION)
    return node


def _claim_name(pool: dict, seed: str) -> str:
    return f"{pool['metadata']['name']}-{hashlib.sha256(seed.encode()).hexdigest()[:5]}"


def _daemon_pods(ctx: Context) -> list[dict]:
    """A pod of each DaemonSet, as its template would make it."""
    kind = ctx.api.registry.by_resource("apps", "daemonsets")
    sets, _ = ctx.api.list(kind, None) if kind is not None else ([], None)
    return [
        {
            "metadata": {"namespace": d["metadata"].get("namespace"), "labels": clone(_pod_template_labels(d))},
            "spec": clone(((d.get("spec") or {}).get("template") or {}).get("spec") or {}),
        }
        for d in sets
        if not d["metadata"].get("deletionTimestamp")
    ]


def _pod_template_labels(daemonset: dict) -> dict:
    return (((daemonset.get("spec") or {}).get("template") or {}).get("metadata") or {}).get("labels") or {}


def _daemons_for(node: dict, daemons: list[dict]) -> list[dict]:
    """The daemon pods a new node will run: Karpenter counts their requests as the node's overhead
    (getDaemonOverhead in karpenter's pkg/controllers/provisioning/scheduling/scheduler.go)."""
    return [d for d in daemons if workloads.daemon_fits(d, node)]


def _overhead(node: dict, daemons: list[dict]) -> Resources:
    total = Resources()
    for daemon in _daemons_for(node, daemons):
        total += pod_requests(daemon)
    return total


def _add_node(snap: Snapshot, node: dict, daemons: list[dict]) -> None:
    snap.nodes.append(node)
    snap.bound[node["metadata"]["name"]] = _daemons_for(node, daemons)


def _choose(pool: dict, pod: dict, batch: Resources, snap: Snapshot, used: Resources, trial: Trial) -> dict | str:
    """A trial node of `pool` for `pod` (the smallest that also holds `batch`, else the largest that holds the
    pod), or Karpenter's reason why the pool cannot serve it. Every size counts the daemon pods' requests."""
    name, daemons = trial
    pool_name = pool["metadata"]["name"]
    types = _instance_types(pool)
    capacity_types = _allowed(pool, CAPACITY_TYPE, ("spot", "on-demand"))[:1] or ["on-demand"]
    zones = _allowed(pool, ZONE, capacity.ZONES)
    overhead = (
        _overhead(_trial(name, pool, types[0], capacity_types[0], zones[0]), daemons)
        if types and zones
        else Resources()
    )
    want = pod_requests(pod) + overhead
    big_enough = [t for t in types if want.fits_in(_allocatable(t))]
    if not big_enough:
        return f'incompatible with nodepool "{pool_name}", no instance type satisfied resources and requirements'
    within = [t for t in big_enough if _within_limits(pool, used, t)]
    if not within:
        return f'all available instance types exceed limits for nodepool: "{pool_name}"'
    fitting: list[dict] = []
    reason = ""
    for instance in within:
        for zone in zones:
            node = _trial(name, pool, instance, capacity_types[0], zone)
            # The pool's other zones are topology domains too, empty until a node launches there: Karpenter
            # counts the domains its NodePools offer, not only those of existing nodes (its scheduling/topology.go).
            before = len(snap.nodes)
            snap.nodes.append(node)
            snap.nodes.extend(_trial(f"{name}-{o}", pool, instance, capacity_types[0], o) for o in zones if o != zone)
            snap.bound[name] = _daemons_for(node, daemons)
            rejection = first_rejection(pod, node, snap)
            del snap.nodes[before:]
            snap.bound.pop(name, None)
            if rejection is not None:
                reason = reason or "; ".join(rejection.reasons)
                continue
            if (batch + overhead).fits_in(_allocatable(instance)):
                return node
            fitting.append(node)
            break
    if fitting:
        return fitting[-1]
    return f'incompatible with nodepool "{pool_name}", {reason}'


def _allocatable(instance: InstanceType) -> Resources:
    return capacity.allocatable({"status": {"allocatable": instance.allocatable()}})


def _in_flight(snap: Snapshot, claims: list[dict], daemons: list[dict]) -> None:
    """NodeClaims whose Node has not joined yet count as nodes for this pass (their pods are nominated), with
    the daemon pods they will run."""
    names = {n["metadata"]["name"] for n in snap.nodes}
    for claim in claims:
        if claim["metadata"]["name"] not in names:
            _add_node(snap, _claim_node(claim), daemons)


def _claim_node(claim: dict) -> dict:
    labels = claim["metadata"].get("labels") or {}
    instance = capacity.instance_type(labels.get("node.kubernetes.io/instance-type", ""))
    assert instance is not None
    node = capacity.node_body(
        claim["metadata"]["name"], instance, dict(labels), (claim.get("spec") or {}).get("taints") or []
    )
    node["status"] = capacity.node_status(instance, "", DEFAULT_KUBE_VERSION)
    return node


def provision(ctx: Context) -> None:
    """One provisioning pass over the unschedulable pods."""
    pools = sorted(
        (p for p in _items(ctx, "nodepools") if _ready(p)),
        key=lambda p: (-int((p.get("spec") or {}).get("weight") or 0), p["metadata"]["name"]),
    )
    # A pod that is preempting (nominated to a node) waits for its victims to go, not for a new node.
    pending = [p for p in scheduler.pending_pods(ctx) if not (p.get("status") or {}).get("nominatedNodeName")]
    claim_kind = _kind(ctx, "nodeclaims")
    if not pools or not pending or claim_kind is None:
        return
    claims = _items(ctx, "nodeclaims")
    snap = scheduler.snapshot(ctx)
    daemons = _daemon_pods(ctx)
    _in_flight(snap, claims, daemons)
    used: dict[str, Resources] = {}
    for claim in claims:
        pool_name = (claim["metadata"].get("labels") or {}).get(NODEPOOL_LABEL, "")
        used[pool_name] = used.get(pool_name, Resources()) + _claim_capacity(claim)
    for index, pod in enumerate(pending):
        batch = Resources()
        for other in pending[index:]:
            batch += pod_requests(other)
        relaxed = clone(pod)
        while True:
            reasons = _place(ctx, claim_kind, pools, preferences.strict(relaxed), batch, snap, used, daemons)
            if reasons is None:
                break
            if not preferences.relax(relaxed):
                message = "Failed to schedule pod, " + "; ".join(reasons)
                record_event(ctx, pod, "FailedScheduling", message, KARPENTER, warning=True, once=True)
                break


def _place(
    ctx: Context,
    claim_kind: Kind,
    pools: list[dict],
    pod: dict,
    batch: Resources,
    snap: Snapshot,
    used: dict[str, Resources],
    daemons: list[dict],
) -> list[str] | None:
    """Karpenter's placement of one pod: a node that exists or is launching, else a new NodeClaim from the first
    pool that can serve it (None), or why no pool can."""
    home = next((n for n in snap.nodes if first_rejection(pod, n, snap) is None), None)
    if home is not None:
        snap.assume(pod, home["metadata"]["name"])
        return None
    reasons = []
    for pool in pools:
        pool_name = pool["metadata"]["name"]
        name = _claim_name(pool, f"{pod['metadata']['uid']}{ctx.now}")
        chosen = _choose(pool, pod, batch, snap, used.get(pool_name, Resources()), (name, daemons))
        if isinstance(chosen, str):
            reasons.append(chosen)
            continue
        created = safe_create(ctx, claim_kind, None, _claim_body(pool, chosen, batch))
        if created is None:
            return None
        _add_node(snap, chosen, daemons)
        snap.assume(pod, name)
        used[pool_name] = used.get(pool_name, Resources()) + _claim_capacity(created)
        record_event(ctx, pod, "Nominated", f"Pod should schedule on: nodeclaim/{name}", KARPENTER, once=True)
        return None
    return reasons


def _claim_body(pool: dict, node: dict, batch: Resources) -> dict:
    labels = dict(node["metadata"]["labels"])
    labels.pop("kubernetes.io/hostname", None)
    template_spec = _template(pool).get("spec") or {}
    spec: dict = {
        "nodeClassRef": clone(template_spec.get("nodeClassRef") or {}),
        "requirements": [
            *clone(_requirements(pool)),
            {
                "key": "node.kubernetes.io/instance-type",
                "operator": "In",
                "values": [labels["node.kubernetes.io/instance-type"]],
            },
        ],
        "resources": {"requests": {"cpu": f"{batch.cpu}m", "memory": str(batch.memory), "pods": str(batch.pods)}},
    }
    if node["spec"].get("taints"):
        spec["taints"] = clone(node["spec"]["taints"])
    if template_spec.get("expireAfter"):
        spec["expireAfter"] = template_spec["expireAfter"]
    body: dict = {
        "apiVersion": f"{GROUP}/v1",
        "kind": "NodeClaim",
        "metadata": {
            "name": node["metadata"]["name"],
            "labels": labels,
            "ownerReferences": [{**owner_ref(pool, controller=False), "blockOwnerDeletion": True}],
        },
        "spec": spec,
    }
    annotations = sim_annotations(pool["metadata"].get("annotations"))
    if annotations:
        body["metadata"]["annotations"] = annotations
    return body


def reconcile_nodepool(ctx: Context, kind: Kind, pool: dict) -> None:
    lifecycle.ready_condition(ctx, kind, pool)
    if pool["metadata"].get("deletionTimestamp"):
        return
    provision(ctx)
    _count_resources(ctx, kind, pool["metadata"]["name"])


def _count_resources(ctx: Context, kind: Kind, pool_name: str) -> None:
    """`status.resources`: the capacity of the pool's NodeClaims, launching ones included, and their number, as
    Karpenter's nodepool counter writes it (pkg/controllers/nodepool/counter in kubernetes-sigs/karpenter)."""
    pool = ctx.api.find(kind, None, pool_name)
    if pool is None:
        return
    claims = [
        c for c in _items(ctx, "nodeclaims") if (c["metadata"].get("labels") or {}).get(NODEPOOL_LABEL) == pool_name
    ]
    total, storage = Resources(), 0
    for claim in claims:
        total += _claim_capacity(claim)
        storage += quantity(_capacity_values(claim).get("ephemeral-storage"))
    status = clone(pool.get("status") or {})
    status["resources"] = {
        "cpu": f"{total.cpu // 1000}" if total.cpu % 1000 == 0 else f"{total.cpu}m",
        "memory": f"{total.memory // 1024}Ki" if total.memory else "0",
        "pods": str(total.pods),
        "ephemeral-storage": f"{storage // 1024}Ki" if storage else "0",
        "nodes": str(len(claims)),
    }
    write_status(ctx, kind, pool, status, manager=KARPENTER)


def _pool_changed(ctx: Context, claim: dict) -> None:
    pool_name = (claim["metadata"].get("labels") or {}).get(NODEPOOL_LABEL)
    if pool_name:
        ctx.engine.enqueue((GROUP, "nodepools", "", pool_name))


def _bound_pods(ctx: Context, node_name: str) -> list[dict]:
    pods, _ = ctx.api.list(ctx.core("pods"), None)
    return [
        p
        for p in pods
        if (p.get("spec") or {}).get("nodeName") == node_name
        and (p.get("status") or {}).get("phase") not in ("Succeeded", "Failed")
        and not any(r.get("kind") == "DaemonSet" for r in p["metadata"].get("ownerReferences") or [])
    ]


def _address(name: str) -> str:
    digest = hashlib.sha256(name.encode()).digest()
    return f"10.0.{digest[0]}.{1 + digest[1] % 254}"


def _register(ctx: Context, claim: dict) -> dict | None:
    """The claim's Node, created (Ready) if it is not there yet."""
    nodes = ctx.core("nodes")
    name = claim["metadata"]["name"]
    node = ctx.api.find(nodes, None, name)
    if node is not None:
        return node
    body = _claim_node(claim)
    status = body.pop("status")
    status["addresses"] = [{"type": "InternalIP", "address": _address(name)}]
    body["metadata"]["ownerReferences"] = [{**owner_ref(claim, controller=False), "blockOwnerDeletion": True}]
    created = safe_create(ctx, nodes, None, body)
    if created is None:
        return None
    return write_status(ctx, nodes, created, status, manager="kubelet")


def reconcile_nodeclaim(ctx: Context, kind: Kind, claim: dict) -> None:
    meta = claim["metadata"]
    _pool_changed(ctx, claim)
    if meta.get("deletionTimestamp"):
        return
    timing = ctx.timing(kind, claim)
    since = ctx.since(claim)
    status = clone(claim.get("status") or {})
    conditions = status.get("conditions") or []
    if ctx.now < since + timing.delay or timing.outcome != "ready":
        for condition in _CLAIM_CONDITIONS:
            conditions = set_condition(
                conditions, ctx, condition, "Unknown", "AwaitingReconciliation", "object is awaiting reconciliation"
            )
        status["conditions"] = conditions
        write_status(ctx, kind, claim, status, manager=KARPENTER)
        if timing.outcome == "ready":
            ctx.recheck(kind, claim, since + timing.delay)
        return
    node = _register(ctx, claim)
    if node is None:
        return
    instance = capacity.instance_type((meta.get("labels") or {}).get("node.kubernetes.io/instance-type", ""))
    assert instance is not None
    zone = (meta.get("labels") or {}).get(ZONE, "")
    status.update(
        {
            "providerID": f"aws:///{zone}/i-{hashlib.sha256(meta['name'].encode()).hexdigest()[:17]}",
            "nodeName": node["metadata"]["name"],
            "imageID": "ami-0sim",
            "capacity": instance.capacity(),
            "allocatable": instance.allocatable(),
        }
    )
    for condition in _CLAIM_CONDITIONS:
        conditions = set_condition(conditions, ctx, condition, "True", condition, "")
    empty = not _bound_pods(ctx, node["metadata"]["name"])
    _empty_since(ctx, claim, empty=empty)
    status["conditions"] = conditions
    written = write_status(ctx, kind, claim, status, manager=KARPENTER) or claim
    if empty:
        _consolidate(ctx, kind, written, node)


def _empty_since(ctx: Context, claim: dict, *, empty: bool) -> float:
    """Clock time since which the claim's node has been seen empty (the engine's first-seen memory, keyed by an
    identity that flips between busy and empty, so each busy sighting restarts the count)."""
    return ctx.engine.first_seen((claim["metadata"].get("uid", "") + "/empty", 0 if empty else 1), ctx.now)


def _consolidate(ctx: Context, kind: Kind, claim: dict, node: dict) -> None:
    """Remove an empty node once it has been empty for its NodePool's `consolidateAfter`."""
    pools = _kind(ctx, "nodepools")
    pool_name = (claim["metadata"].get("labels") or {}).get(NODEPOOL_LABEL, "")
    pool = ctx.api.find(pools, None, pool_name) if pools is not None else None
    after = str((((pool or {}).get("spec") or {}).get("disruption") or {}).get("consolidateAfter", "0s"))
    wait = parse_duration(after)
    if wait is None:  # `Never`
        return
    empty_since = _empty_since(ctx, claim, empty=True)
    if ctx.now < empty_since + wait:
        ctx.recheck(kind, claim, empty_since + wait)
        return
    record_event(ctx, node, "DisruptionTerminating", "Disrupting Node: Empty/Delete", KARPENTER, once=True)
    safe_delete(ctx, ctx.core("nodes"), node)
    safe_delete(ctx, kind, claim)


def reconcile_node(ctx: Context, kind: Kind, node: dict) -> None:
    """A node joined (or changed): DaemonSets place their pods on it, unschedulable pods get another try."""
    if not node["metadata"].get("deletionTimestamp"):
        workloads.nodes_changed(ctx)
        scheduler.retry_pending(ctx)


def capacity_freed(ctx: Context, kind: Kind, deleted: dict) -> None:
    """A bound pod went away: pending pods get another try, and its node may now be empty. A NodeClaim went
    away: its pool's resources are counted again."""
    if (kind.group, kind.kind) == (GROUP, "NodeClaim"):
        _pool_changed(ctx, deleted)
    if (kind.group, kind.kind) != ("", "Pod"):
        return
    node_name = (deleted.get("spec") or {}).get("nodeName")
    if not node_name:
        return
    scheduler.retry_pending(ctx)
    claims = _kind(ctx, "nodeclaims")
    claim = ctx.api.find(claims, None, node_name) if claims is not None else None
    if claims is not None and claim is not None:
        _empty_since(ctx, claim, empty=False)  # it held this pod until now: emptiness counts from here
        ctx.recheck(claims, claim, ctx.now)
