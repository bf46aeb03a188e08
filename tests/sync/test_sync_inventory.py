"""The prune candidates of a rollout: every tracked object of every listable kind, grouped by the app its
tracking annotation names. With `KnownTracked` (the controller's cluster cache) the kinds it holds are read
from it and not listed again: the requests the simulated cluster served are counted."""

from __future__ import annotations

from typing import Any

from wavecd.sync.inventory import KnownTracked, inventory
from wavecd.sync.tracking import with_tracking

NS = "shop"


def config_map(name: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": NS}, "data": {}}


def secret(name: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": name, "namespace": NS}, "data": {}}


def lists(sim: Any, before: int) -> set[str]:
    """The paths read since request number `before` (without their query): collections are lists."""
    return {r.path.split("?")[0] for r in sim.requests[before:] if r.method == "GET" and "watch=" not in r.path}


def names(objects: list[dict[str, Any]]) -> list[str]:
    return sorted(f"{o['kind']}/{o['metadata']['name']}" for o in objects)


def test_every_listable_kind_is_listed_without_a_known_reader(kube, sim):
    kube.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NS}})
    kube.apply(with_tracking(config_map("settings"), "web", NS))
    kube.apply(with_tracking(secret("token"), "web", NS))
    kube.apply(config_map("untracked"))
    before = len(sim.requests)
    tracked = inventory(kube)
    assert names(tracked("web")) == ["ConfigMap/settings", "Secret/token"]
    assert tracked("other") == []
    assert {"/api/v1/configmaps", "/api/v1/secrets"} <= lists(sim, before)


def test_kinds_a_known_reader_holds_are_read_from_it_not_listed(kube, sim):
    kube.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NS}})
    kube.apply(with_tracking(secret("token"), "web", NS))
    cached = with_tracking(config_map("settings"), "web", NS)  # what the cache holds (not in the cluster)
    known = KnownTracked(frozenset({("", "ConfigMap")}), lambda instance: [cached] if instance == "web" else [])
    before = len(sim.requests)
    tracked = inventory(kube, known)
    assert names(tracked("web")) == ["ConfigMap/settings", "Secret/token"]
    listed = lists(sim, before)
    assert "/api/v1/configmaps" not in listed
    assert "/api/v1/secrets" in listed
