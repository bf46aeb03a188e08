"""The controller's cluster cache against the simulated cluster over HTTP: the first fill equals a list, each
change arrives within a second, a kind served only later is watched when asked again, a watch whose
resourceVersion the server lost (410 Gone, here after a restart) relists and reports what changed meanwhile,
Pods and ReplicaSets lead up their ownerReferences to the tracked Deployment, and stop() leaves no thread."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from support.waiting import eventually
from wavecd.core import ManualClock
from wavecd.kube import KubeClient
from wavecd.server.cluster_cache import CacheTiming, ClusterCache
from wavecd.sim.cluster import SimCluster
from wavecd.sim.server import LoggedRequest
from wavecd.sync.tracking import with_tracking

FAST = CacheTiming(resync=600.0, relist_delay=0.05, retry_delay=0.05)
CONFIG_MAPS = ("v1", "ConfigMap")


def config_map(name: str, **data: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": "app"}, "data": data}


def deployment(name: str) -> dict[str, Any]:
    labels = {"app": name}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": "app"},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": labels},
            "template": {"metadata": {"labels": labels}, "spec": {"containers": [{"name": "c", "image": "nginx"}]}},
        },
    }


def widget_crd() -> dict[str, Any]:
    schema = {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}}
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "widgets.example.com"},
        "spec": {
            "group": "example.com",
            "scope": "Namespaced",
            "names": {"plural": "widgets", "singular": "widget", "kind": "Widget", "listKind": "WidgetList"},
            "versions": [{"name": "v1", "served": True, "storage": True, "schema": schema}],
        },
    }


def names(objects: list[dict[str, Any]]) -> list[str]:
    return sorted(obj["metadata"]["name"] for obj in objects)


def without_managed_fields(obj: dict[str, Any]) -> dict[str, Any]:
    return {**obj, "metadata": {k: v for k, v in obj["metadata"].items() if k != "managedFields"}}


def lists_of(sim: SimCluster, collection: str) -> list[LoggedRequest]:
    """The list requests (not watches) the sim served for a collection."""
    return [r for r in sim.requests if r.method == "GET" and r.path.startswith(f"{collection}?limit=")]


def cache_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("wavecd-cache-")]


class Recorder:
    """on_change: the events, as (type, name) in arrival order."""

    def __init__(self) -> None:
        self.events: list[tuple[str, str]] = []
        self._lock = threading.Lock()

    def __call__(self, event_type: str, obj: dict[str, Any]) -> None:
        with self._lock:
            self.events.append((event_type, obj["metadata"]["name"]))

    def saw(self, *events: tuple[str, str]) -> bool:
        with self._lock:
            return all(event in self.events for event in events)


@pytest.fixture
def ns(kube: KubeClient) -> str:
    kube.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "app"}})
    return "app"


@pytest.fixture
def changes() -> Recorder:
    return Recorder()


@pytest.fixture
def cache(kube: KubeClient, changes: Recorder) -> Iterator[ClusterCache]:
    cache = ClusterCache(kube, on_change=changes, timing=FAST)
    yield cache
    cache.stop()


def test_first_fill_equals_a_list_without_managed_fields(kube, ns, cache, changes):
    kube.apply(config_map("a", k="1"))
    kube.apply(config_map("b", k="2"))
    cache.ensure_kinds([CONFIG_MAPS, ("v1", "Namespace")])
    assert cache.wait_synced(5)
    live = kube.list("v1", "ConfigMap", "app")
    assert any("managedFields" in obj["metadata"] for obj in live)
    assert sorted(cache.list("v1", "ConfigMap", "app"), key=lambda o: o["metadata"]["name"]) == sorted(
        (without_managed_fields(obj) for obj in live), key=lambda o: o["metadata"]["name"]
    )
    assert cache.get("v1", "ConfigMap", "app", "a") == without_managed_fields(kube.get("v1", "ConfigMap", "a", "app"))
    assert "app" in names(cache.list("v1", "Namespace"))
    assert cache.get("v1", "Namespace", "ignored-for-a-cluster-scoped-kind", "app") is not None
    assert cache.get("v1", "ConfigMap", "other", "a") is None
    assert changes.events == [], "the first fill is not news"


def test_changes_arrive_within_a_second(kube, ns, cache, changes):
    cache.ensure_kinds([CONFIG_MAPS])
    assert cache.wait_synced(5)
    kube.apply(config_map("a", k="1"))
    assert eventually(lambda: cache.get("v1", "ConfigMap", "app", "a") is not None, timeout=1.0)
    kube.apply(config_map("a", k="2"))
    assert eventually(lambda: (cache.get("v1", "ConfigMap", "app", "a") or {}).get("data") == {"k": "2"}, timeout=1.0)
    kube.delete("v1", "ConfigMap", "a", "app")
    assert eventually(lambda: cache.get("v1", "ConfigMap", "app", "a") is None, timeout=1.0)
    assert eventually(lambda: len(changes.events) == 3)
    assert changes.events == [("ADDED", "a"), ("MODIFIED", "a"), ("DELETED", "a")]


def test_a_failing_on_change_does_not_stop_the_watch(kube, ns):
    def explode(event_type: str, obj: dict[str, Any]) -> None:
        raise RuntimeError("a bug in the controller")

    cache = ClusterCache(kube, on_change=explode, timing=FAST)
    try:
        cache.ensure_kinds([CONFIG_MAPS])
        assert cache.wait_synced(5)
        kube.apply(config_map("a", k="1"))
        kube.apply(config_map("b", k="1"))
        assert eventually(lambda: names(cache.list("v1", "ConfigMap", "app")) == ["a", "b"])
    finally:
        cache.stop()


def test_objects_handed_out_are_copies(kube, ns, cache):
    kube.apply(config_map("a", k="1"))
    cache.ensure_kinds([CONFIG_MAPS])
    assert cache.wait_synced(5)
    cache.get("v1", "ConfigMap", "app", "a")["data"]["k"] = "changed"
    cache.list("v1", "ConfigMap")[0]["data"]["k"] = "changed"
    assert cache.get("v1", "ConfigMap", "app", "a")["data"] == {"k": "1"}


def test_a_kind_served_later_is_watched_when_asked_again(kube, sim, ns, cache, changes):
    widgets = [("example.com/v1", "Widget")]
    cache.ensure_kinds(widgets)
    assert cache.wait_synced(5), "a kind the server does not serve is not waited for"
    assert cache.list("example.com/v1", "Widget") == []
    kube.apply(widget_crd())
    sim.advance(0.2)  # the CRD becomes Established
    kube.apply({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w", "namespace": "app"}})
    time.sleep(FAST.retry_delay)  # discovery is read again at most once per retry delay
    cache.ensure_kinds(widgets)
    assert cache.wait_synced(5)
    assert names(cache.list("example.com/v1", "Widget", "app")) == ["w"]
    kube.apply({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "v", "namespace": "app"}})
    assert eventually(lambda: changes.saw(("ADDED", "v")))


def test_owner_chain_leads_pods_to_the_tracked_deployment(kube, sim, ns, cache):
    kube.apply(with_tracking(deployment("web"), "shop", "app"))
    kube.apply(deployment("untracked"))
    sim.advance(60)
    cache.ensure_kinds([("apps/v1", "Deployment"), ("apps/v1", "ReplicaSet"), ("v1", "Pod")])
    assert cache.wait_synced(5)
    web = cache.get("apps/v1", "Deployment", "app", "web")
    [replica_set] = cache.owned_by(web["metadata"]["uid"])
    assert replica_set["kind"] == "ReplicaSet"
    pods = cache.owned_by(replica_set["metadata"]["uid"])
    assert len(pods) == 2 and all(pod["kind"] == "Pod" for pod in pods)
    assert [cache.tracking_instance_of(obj) for obj in [web, replica_set, *pods]] == ["shop"] * 4
    assert names(cache.by_tracking_instance("shop")) == ["web"], "a ReplicaSet's copied annotation tracks nothing"
    others = [pod for pod in cache.list("v1", "Pod", "app") if pod["metadata"]["name"].startswith("untracked-")]
    assert len(others) == 2
    assert {cache.tracking_instance_of(pod) for pod in others} == {None}


def test_owner_references_in_a_cycle_end(kube, ns, cache):
    a = kube.apply(config_map("a"))
    b = kube.apply(config_map("b"))

    def owned_by(obj: dict[str, Any]) -> dict[str, Any]:
        ref = {"apiVersion": "v1", "kind": "ConfigMap", "name": obj["metadata"]["name"], "uid": obj["metadata"]["uid"]}
        return {"metadata": {"ownerReferences": [ref]}}

    kube.patch("v1", "ConfigMap", "a", owned_by(b), namespace="app")
    kube.patch("v1", "ConfigMap", "b", owned_by(a), namespace="app")
    cache.ensure_kinds([CONFIG_MAPS])
    assert cache.wait_synced(5)
    assert cache.tracking_instance_of(cache.get("v1", "ConfigMap", "app", "a")) is None


def test_an_expired_watch_relists_and_reports_what_changed_meanwhile(tmp_path: Path, changes):
    """The server restarts from its state with changes the watch never saw: resuming from the old
    resourceVersion is answered 410 Gone, so the kind is listed again, its objects replaced, and the watch
    goes on from the new list."""
    state = str(tmp_path / "sim.db")
    with SimCluster(clock=ManualClock(), state_path=state) as first:
        port = first.port
        kube = KubeClient.for_server(first.url)
        cache = ClusterCache(kube, on_change=changes, timing=FAST)
        kube.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "app"}})
        for name in ("keep", "change", "remove"):
            kube.apply(config_map(name, k="1"))
        cache.ensure_kinds([CONFIG_MAPS])
        synced = cache.wait_synced(5)
    try:
        assert synced
        with (
            SimCluster(clock=ManualClock(), state_path=state) as meanwhile,
            KubeClient.for_server(meanwhile.url) as other,
        ):
            other.apply(config_map("change", k="2"))
            other.delete("v1", "ConfigMap", "remove", "app")
            other.apply(config_map("new", k="1"))
        with SimCluster(clock=ManualClock(), state_path=state, port=port) as restarted:
            assert eventually(lambda: changes.saw(("DELETED", "remove")))
            fresh = kube.list("v1", "ConfigMap", "app")
            assert {obj["metadata"]["name"]: obj for obj in cache.list("v1", "ConfigMap", "app")} == {
                obj["metadata"]["name"]: without_managed_fields(obj) for obj in fresh
            }
            assert changes.saw(("MODIFIED", "change"), ("ADDED", "new"))
            # What a reconcile reads after the relist is the server's state, without asking the server.
            before = len(restarted.requests)
            assert (cache.read(config_map("change"), "app") or {}).get("data") == {"k": "2"}
            assert cache.read(config_map("remove"), "app") is None
            assert [r for r in restarted.requests[before:] if "watch=" not in r.path] == []
            assert ("MODIFIED", "keep") not in changes.events
            assert len(lists_of(restarted, "/api/v1/configmaps")) == 1
            kube.apply(config_map("after", k="1"))
            assert eventually(lambda: changes.saw(("ADDED", "after")))
    finally:
        cache.stop()
        kube.close()


def test_stop_ends_every_thread_promptly(kube, ns, changes):
    before = set(cache_threads())
    cache = ClusterCache(kube, on_change=changes, timing=FAST)
    cache.ensure_kinds([CONFIG_MAPS, ("v1", "Pod"), ("apps/v1", "Deployment"), ("v1", "Namespace")])
    assert cache.wait_synced(5)
    assert len(set(cache_threads()) - before) == 4
    started = time.monotonic()
    cache.stop()
    assert time.monotonic() - started < 2
    assert set(cache_threads()) - before == set()
    cache.ensure_kinds([("v1", "Secret")])
    assert set(cache_threads()) - before == set(), "a stopped cache starts no watch"


def test_a_resync_lists_again_and_reports_nothing_when_nothing_changed(kube, sim, ns, changes):
    kube.apply(config_map("a", k="1"))
    cache = ClusterCache(kube, on_change=changes, timing=CacheTiming(resync=0.2, relist_delay=0.05, retry_delay=0.05))
    try:
        cache.ensure_kinds([CONFIG_MAPS])
        assert cache.wait_synced(5)
        assert eventually(lambda: len(lists_of(sim, "/api/v1/configmaps")) >= 3, timeout=5)
        assert changes.events == []
        kube.apply(config_map("a", k="2"))
        assert eventually(lambda: changes.saw(("MODIFIED", "a")))
    finally:
        cache.stop()


def test_a_kind_whose_crd_is_deleted_is_dropped_and_watched_again_when_served_again(kube, sim, ns, cache, changes):
    widgets = [("example.com/v1", "Widget")]
    kube.apply(widget_crd())
    sim.advance(0.2)
    kube.apply({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w", "namespace": "app"}})
    cache.ensure_kinds(widgets)
    assert cache.wait_synced(5)
    assert names(cache.list("example.com/v1", "Widget")) == ["w"]
    kube.delete("apiextensions.k8s.io/v1", "CustomResourceDefinition", "widgets.example.com")
    sim.advance(5)
    assert eventually(lambda: changes.saw(("DELETED", "w")), timeout=5)
    assert cache.list("example.com/v1", "Widget") == []
    assert eventually(lambda: not [t for t in cache_threads() if t.name.startswith("wavecd-cache-Widget.")])
    kube.apply(widget_crd())
    sim.advance(0.2)
    kube.apply({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "x", "namespace": "app"}})
    time.sleep(FAST.retry_delay)
    cache.ensure_kinds(widgets)
    assert cache.wait_synced(5)
    assert names(cache.list("example.com/v1", "Widget")) == ["x"]


def test_a_kind_is_watched_once_at_a_served_version_whatever_version_is_asked(kube, ns, cache):
    kube.apply(deployment("web"))
    cache.ensure_kinds([("apps/v1beta1", "Deployment")])
    cache.ensure_kinds([("apps/v1", "Deployment")])
    assert cache.wait_synced(5)
    assert len([t for t in cache_threads() if t.name.startswith("wavecd-cache-Deployment.")]) == 1
    assert cache.get("apps/v1beta1", "Deployment", "app", "web")["apiVersion"] == "apps/v1"
