"""A reconcile reads the live objects from the controller's cluster cache, not with a GET per object: the
requests the API server (the simulated cluster, over HTTP) logs during a reconcile are counted. What the
watches hold costs no GET, a second reconcile with nothing changed costs no request at all (the dry runs'
verdicts are remembered by body and live content), a kind the cache does not watch is read with a GET,
and an edit made in the cluster is still found."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from support.waiting import eventually
from wavecd.kube import KubeClient
from wavecd.server.cluster_cache import CacheTiming, ClusterCache
from wavecd.server.reconcile import reconcile_app
from wavecd.server.remembering_client import RememberingClient
from wavecd.sim.cluster import SimCluster
from wavecd.sim.server import LoggedRequest
from wavecd.sync.compare import DIFFERS, DryRunMemo
from wavecd.sync.tracking import instance_name, with_tracking

APP, APP_NAMESPACE, DESTINATION = "web", "argocd", "app"
INSTANCE = instance_name(APP, APP_NAMESPACE)
REVISIONS = ("a" * 40,)
KINDS = [("v1", "ConfigMap"), ("v1", "Namespace"), ("v1", "Service")]


def config_map(name: str, **data: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": data}


def service(name: str) -> dict[str, Any]:
    spec = {"selector": {"app": name}, "ports": [{"port": 80, "targetPort": 8080}]}
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name}, "spec": spec}


TARGETS = [
    {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": DESTINATION}},
    config_map("settings", LOG_LEVEL="info"),
    config_map("features", beta="off"),
    service("web"),
]


@pytest.fixture
def synced(kube: KubeClient) -> list[dict[str, Any]]:
    """The app's objects applied as its sync applies them (tracked, in the destination namespace)."""
    for target in TARGETS:
        body = with_tracking(target, INSTANCE, DESTINATION)
        if target["kind"] != "Namespace":
            body["metadata"]["namespace"] = DESTINATION
        kube.apply(body, force=True)
    return TARGETS


@pytest.fixture
def cache(kube: KubeClient) -> Iterator[ClusterCache]:
    cache = ClusterCache(kube, timing=CacheTiming(relist_delay=0.05, retry_delay=0.05))
    yield cache
    cache.stop()


def requests_during(sim: SimCluster, action: Any) -> tuple[Any, list[LoggedRequest]]:
    """What `action()` returned, and the requests the server answered meanwhile (the watches' own excluded)."""
    before = len(sim.requests)
    result = action()
    return result, [r for r in sim.requests[before:] if "watch=" not in r.path]


def gets(requests: list[LoggedRequest]) -> list[str]:
    return [r.path for r in requests if r.method == "GET"]


def reconcile(kube: KubeClient, cache: ClusterCache | None, memo: DryRunMemo | None) -> Any:
    tracked = cache.by_tracking_instance(INSTANCE) if cache is not None else []
    return reconcile_app(
        kube,
        APP,
        APP_NAMESPACE,
        TARGETS,
        DESTINATION,
        tracked,
        REVISIONS,
        read=cache.read if cache is not None else None,
        memo=memo,
    )


def test_a_reconcile_of_a_cached_app_sends_no_get(kube, sim, synced, cache):
    cache.ensure_kinds(KINDS)
    assert cache.wait_synced(5)
    result, requests = requests_during(sim, lambda: reconcile(kube, cache, DryRunMemo()))
    assert (result.sync, result.health, result.error) == ("Synced", "Healthy", "")
    assert gets(requests) == []
    assert len(requests) == len(TARGETS), "one dry run per object, nothing else"
    assert all(r.method == "PATCH" and "dryRun=All" in r.path for r in requests)


def test_without_the_cache_the_same_reconcile_reads_each_object(kube, sim, synced):
    """The reference the test above is measured against: the same answer, from GETs."""
    result, requests = requests_during(sim, lambda: reconcile(kube, None, None))
    assert (result.sync, result.health) == ("Synced", "Healthy")
    assert len(gets(requests)) == 2 * len(TARGETS), "one GET for health and one for the comparison, per object"


def test_a_second_reconcile_with_nothing_changed_sends_no_request(kube, sim, synced, cache):
    cache.ensure_kinds(KINDS)
    assert cache.wait_synced(5)
    memo = DryRunMemo()
    first = reconcile(kube, cache, memo)
    second, requests = requests_during(sim, lambda: reconcile(kube, cache, memo))
    assert requests == []
    assert second == first


def test_an_edit_in_the_cluster_is_found_with_one_dry_run(kube, sim, synced, cache):
    """Someone's `kubectl edit` reaches the cache through its watch; the remembered verdict of the old
    resourceVersion does not hide it, and only the edited object is asked about again."""
    cache.ensure_kinds(KINDS)
    assert cache.wait_synced(5)
    memo = DryRunMemo()
    reconcile(kube, cache, memo)
    kube.patch("v1", "ConfigMap", "features", {"data": {"beta": "on"}}, namespace=DESTINATION)
    edited = kube.get("v1", "ConfigMap", "features", DESTINATION)["metadata"]["resourceVersion"]
    assert eventually(
        lambda: (
            (cache.read(config_map("features"), DESTINATION) or {}).get("metadata", {}).get("resourceVersion") == edited
        )
    )
    result, requests = requests_during(sim, lambda: reconcile(kube, cache, memo))
    assert result.sync == "OutOfSync"
    assert [(v.name, v.reason) for v in result.out_of_sync] == [("features", DIFFERS)]
    assert [(r.method, r.path.split("?")[0]) for r in requests] == [
        ("PATCH", f"/api/v1/namespaces/{DESTINATION}/configmaps/features")
    ]


def test_a_kind_the_cache_does_not_watch_is_read_with_a_get(kube, sim, synced, cache):
    cache.ensure_kinds([("v1", "ConfigMap"), ("v1", "Namespace")])
    assert cache.wait_synced(5)
    result, requests = requests_during(sim, lambda: reconcile(kube, cache, DryRunMemo()))
    assert (result.sync, result.health) == ("Synced", "Healthy")
    assert [path.split("?")[0] for path in gets(requests)] == [f"/api/v1/namespaces/{DESTINATION}/services/web"] * 2


def test_a_missing_object_is_missing_without_a_get(kube, sim, synced, cache):
    cache.ensure_kinds(KINDS)
    assert cache.wait_synced(5)
    kube.delete("v1", "ConfigMap", "settings", DESTINATION)
    assert eventually(lambda: cache.read(config_map("settings"), DESTINATION) is None)
    result, requests = requests_during(sim, lambda: reconcile(kube, cache, DryRunMemo()))
    assert [(v.name, v.reason) for v in result.out_of_sync] == [("settings", "missing")]
    assert gets(requests) == []
    read = reconcile(kube, None, None)
    assert (result.sync, result.health, result.verdicts) == (read.sync, read.health, read.verdicts)


def deployment(name: str) -> dict[str, Any]:
    labels = {"app": name}
    template = {"metadata": {"labels": labels}, "spec": {"containers": [{"name": name, "image": "nginx:1.27"}]}}
    spec = {"replicas": 2, "selector": {"matchLabels": labels}, "template": template}
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name}, "spec": spec}


def test_a_rollout_writing_a_deployments_status_asks_no_dry_run_again(kube, sim, cache):
    """The Deployment controller writes the status of a Deployment the sync just applied (its
    resourceVersion moves with each write): what an apply reads of it did not change, so its remembered
    verdict stands and the reconciles a rollout brings cost no request."""
    target = deployment("web")
    body = with_tracking(target, INSTANCE, DESTINATION)
    body["metadata"]["namespace"] = DESTINATION
    kube.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": DESTINATION}})
    kube.apply(body, force=True)
    sim.settle()  # what its controller writes at once (before any Pod is up) is written
    applied = kube.get("apps/v1", "Deployment", "web", DESTINATION)
    cache.ensure_kinds([("apps/v1", "Deployment")])
    assert cache.wait_synced(5)
    memo = DryRunMemo()

    def judge() -> Any:
        tracked = cache.by_tracking_instance(INSTANCE)
        return reconcile_app(
            kube, APP, APP_NAMESPACE, [target], DESTINATION, tracked, REVISIONS, read=cache.read, memo=memo
        )

    first, requests = requests_during(sim, judge)
    assert (first.sync, [r.method for r in requests]) == ("Synced", ["PATCH"])  # the one dry run
    sim.advance(30)  # the Deployment's pods come up: its controller writes its status
    rolled = kube.get("apps/v1", "Deployment", "web", DESTINATION)
    assert rolled["metadata"]["resourceVersion"] != applied["metadata"]["resourceVersion"]
    assert eventually(lambda: (cache.read(target, DESTINATION) or {}).get("status") == rolled.get("status"))
    second, requests = requests_during(sim, judge)
    assert (second.sync, second.health, requests) == ("Synced", "Healthy", [])


def test_what_a_sync_just_applied_is_compared_without_a_dry_run(kube, sim, cache):
    """The controller's syncs apply through a `RememberingClient`: the apply's answer is what a dry run of
    the same body would leave unchanged, so the reconcile after the sync asks the API server nothing."""
    memo = DryRunMemo()
    syncing = RememberingClient(kube, memo)
    for target in TARGETS:
        body = with_tracking(target, INSTANCE, DESTINATION)
        if target["kind"] != "Namespace":
            body["metadata"]["namespace"] = DESTINATION
        syncing.apply(body, force=True)
    cache.ensure_kinds(KINDS)
    assert cache.wait_synced(5)
    result, requests = requests_during(sim, lambda: reconcile(kube, cache, memo))
    assert (result.sync, result.health, requests) == ("Synced", "Healthy", [])
    # What someone changes after the sync is still found.
    kube.patch("v1", "ConfigMap", "features", {"data": {"beta": "on"}}, namespace=DESTINATION)
    assert eventually(lambda: (cache.read(config_map("features"), DESTINATION) or {}).get("data") == {"beta": "on"})
    result = reconcile(kube, cache, memo)
    assert [(v.name, v.reason) for v in result.out_of_sync] == [("features", DIFFERS)]
