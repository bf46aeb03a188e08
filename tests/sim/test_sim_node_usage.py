"""The scheduler's per-node usage index against a from-scratch reading of the store: after any sequence of
binds, phase changes, deletions and rebinds, a pod is placed (and refused) exactly as if every bound pod had
been re-read, which is what the scheduler did before it kept the index."""

from __future__ import annotations

import random

import pytest

from wavecd.sim.controllers import scoring
from wavecd.sim.controllers.placement import Snapshot, first_rejection
from wavecd.sim.controllers.usage import NodeUsage
from wavecd.sim.store import Store

NODES = [
    {
        "metadata": {"name": f"n{i}", "labels": {"kubernetes.io/hostname": f"n{i}", "zone": f"z{i % 2}"}},
        "status": {"allocatable": {"cpu": "2", "memory": "4Gi", "pods": "12"}},
    }
    for i in range(5)
]
CPUS = [None, "100m", "250m", "500m"]
MEMORIES = [None, "64Mi", "256Mi", "1Gi"]


def _pod(name: str, rng: random.Random, node: str | None = None, phase: str = "Running") -> dict:
    requests = {k: v for k, v in (("cpu", rng.choice(CPUS)), ("memory", rng.choice(MEMORIES))) if v}
    spec: dict = {"containers": [{"name": "c", "resources": {"requests": requests}}]}
    if rng.random() < 0.2:
        spec["topologySpreadConstraints"] = [
            {"maxSkew": 1, "topologyKey": "zone", "whenUnsatisfiable": "ScheduleAnyway", "labelSelector": {}}
        ]
    if node:
        spec["nodeName"] = node
    return {"metadata": {"name": name, "namespace": "ns", "labels": {}}, "spec": spec, "status": {"phase": phase}}


def _from_scratch(store: Store) -> Snapshot:
    """Every pod read again: bound to a node and not finished counts there."""
    snap = Snapshot(list(NODES))
    for pod in store.list("", "pods"):
        node = pod["spec"].get("nodeName")
        if node and pod["status"].get("phase") not in ("Succeeded", "Failed"):
            snap.bound.setdefault(node, []).append(pod)
    return snap


def _indexed(store: Store) -> Snapshot:
    snap = Snapshot(list(NODES))
    NodeUsage.of(store).fill(snap)
    return snap


def _verdicts(pod: dict, snap: Snapshot) -> tuple[list[object], str | None]:
    rejections = [first_rejection(pod, node, snap) for node in NODES]
    feasible = [node for node, r in zip(NODES, rejections, strict=True) if r is None]
    best = scoring.best_node(pod, feasible, snap)["metadata"]["name"] if feasible else None
    return rejections, best


def _step(store: Store, rng: random.Random, serial: int) -> None:
    """One change a cluster sees: a pod created (bound or not), bound, finished, rebound or deleted."""
    names = [key[3] for key in store.all_keys()]
    action = rng.choice(["create", "create", "bind", "finish", "delete", "rebind"]) if names else "create"
    key = ("", "pods", "ns", rng.choice(names) if names else "")
    if action == "create":
        node = rng.choice([None, *(n["metadata"]["name"] for n in NODES)])
        store.put(("", "pods", "ns", f"p{serial}"), _pod(f"p{serial}", rng, node))
        return
    pod = store.get(key)
    assert pod is not None
    if action == "delete":
        store.delete(key)
        return
    if action == "finish":
        pod["status"]["phase"] = rng.choice(["Succeeded", "Failed", "Running"])
    else:
        pod["spec"]["nodeName"] = rng.choice(NODES)["metadata"]["name"]
    store.put(key, pod)


@pytest.mark.parametrize("seed", range(4))
def test_placements_after_a_long_sequence_of_changes_match_a_from_scratch_reading(seed):
    rng = random.Random(seed)
    store = Store()
    probes = [_pod(f"probe{i}", rng) for i in range(3)]
    for serial in range(300):
        _step(store, rng, serial)
        if serial < 40:
            continue  # the index is made once pods exist: it must count those it was not told of
        indexed, scratch = _indexed(store), _from_scratch(store)
        for node in NODES:
            name = node["metadata"]["name"]
            assert indexed.bound.get(name, []) == scratch.bound.get(name, [])
            assert indexed.used(name) == scratch.used(name)
            assert indexed.used(name, non_zero=True) == scratch.used(name, non_zero=True)
        for probe in probes:
            assert _verdicts(probe, indexed) == _verdicts(probe, scratch)


def test_a_pod_assumed_onto_a_snapshot_counts_there_once():
    rng = random.Random(7)
    store = Store()
    store.put(("", "pods", "ns", "a"), _pod("a", rng, "n0"))
    snap = _indexed(store)
    before = snap.used("n0")
    extra = _pod("b", rng)
    snap.assume(extra, "n0")
    assert snap.used("n0").pods == before.pods + 1
    assert snap.used("n0") == _from_scratch_with(store, extra, "n0").used("n0")


def _from_scratch_with(store: Store, pod: dict, node: str) -> Snapshot:
    snap = _from_scratch(store)
    snap.assume(pod, node)
    return snap
