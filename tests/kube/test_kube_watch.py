"""Watches against the simulated cluster: the event stream the apiserver sends (synthetic ADDED for what exists
when no resourceVersion is given, then ADDED/MODIFIED/DELETED; replay after a resourceVersion; 410 Expired for
one the server no longer has), and the ways a watch ends: stop(), breaking out, or its timeout."""

from __future__ import annotations

import threading
import time

import pytest
from kube_manifests import config_map

from wavecd.core import ManualClock
from wavecd.kube import ExpiredError, KubeClient, NoKindMatchError
from wavecd.sim.cluster import SimCluster


def names(events):
    return [(kind, obj["metadata"]["name"]) for kind, obj in events]


def collect(watch, count):
    """The first `count` events (the timeout on the watch is only a safety net)."""
    out = []
    for event in watch:
        out.append(event)
        if len(out) == count:
            watch.stop()
    return out


def test_without_resource_version_existing_objects_come_first_as_added(kube, ns):
    """A change made right after the initial ADDED events is neither lost nor doubled."""
    kube.apply(config_map("b"))
    kube.apply(config_map("a"))
    seen = []
    with kube.watch("v1", "ConfigMap", ns, timeout=10) as watch:
        for event in watch:
            seen.append(event)
            if len(seen) == 2:
                kube.apply(config_map("a", a="2"))
            if len(seen) == 3:
                break
    assert sorted(names(seen[:2])) == [("ADDED", "a"), ("ADDED", "b")]
    assert names(seen[2:]) == [("MODIFIED", "a")]
    assert all(obj["apiVersion"] == "v1" and obj["kind"] == "ConfigMap" for _, obj in seen)


def test_changes_after_a_resource_version(kube, ns):
    start = kube.apply(config_map("a"))["metadata"]["resourceVersion"]
    kube.apply(config_map("a", a="2"))
    kube.apply(config_map("b"))
    kube.delete("v1", "ConfigMap", "a", ns)
    with kube.watch("v1", "ConfigMap", ns, resource_version=start, timeout=10) as watch:
        events = collect(watch, 3)
    assert names(events) == [("MODIFIED", "a"), ("ADDED", "b"), ("DELETED", "a")]
    assert events[0][1]["data"] == {"a": "2"}
    assert events[0][1]["kind"] == "ConfigMap"
    assert watch.resource_version == events[-1][1]["metadata"]["resourceVersion"]


def test_live_events_while_watching(kube, ns):
    start = kube.apply(config_map("seed"))["metadata"]["resourceVersion"]
    watch = kube.watch("v1", "ConfigMap", ns, resource_version=start, timeout=10)
    seen = []
    reader = threading.Thread(target=lambda: seen.extend(collect(watch, 2)))
    reader.start()
    kube.apply(config_map("live"))
    kube.apply(config_map("live", a="2"))
    reader.join(10)
    assert names(seen) == [("ADDED", "live"), ("MODIFIED", "live")]


def test_a_namespaced_watch_sees_only_its_namespace_and_all_namespaces_see_all(kube, ns):
    start = kube.apply(config_map("here"))["metadata"]["resourceVersion"]
    kube.apply(config_map("there", namespace="default"))
    kube.apply(config_map("here2"))
    with kube.watch("v1", "ConfigMap", ns, resource_version=start, timeout=10) as watch:
        assert names(collect(watch, 1)) == [("ADDED", "here2")]
    with kube.watch("v1", "ConfigMap", resource_version=start, timeout=10) as watch:
        assert names(collect(watch, 2)) == [("ADDED", "there"), ("ADDED", "here2")]


def test_label_and_field_selectors(kube, ns):
    start = kube.apply(config_map("seed"))["metadata"]["resourceVersion"]
    db = config_map("db")
    db["metadata"]["labels"] = {"tier": "db"}
    kube.apply(config_map("web"))
    kube.apply(db)
    with kube.watch("v1", "ConfigMap", ns, start, label_selector={"tier": "db"}, timeout=10) as watch:
        assert names(collect(watch, 1)) == [("ADDED", "db")]
    with kube.watch("v1", "ConfigMap", ns, start, field_selector={"metadata.name": "web"}, timeout=10) as watch:
        assert names(collect(watch, 1)) == [("ADDED", "web")]


def test_cluster_scoped_kind(kube):
    with kube.watch("v1", "Namespace", timeout=10) as watch:
        assert ("ADDED", "kube-system") in names(collect(watch, 5))


def test_stop_from_another_thread_ends_a_blocked_watch(kube, ns):
    start = kube.apply(config_map("seed"))["metadata"]["resourceVersion"]
    watch = kube.watch("v1", "ConfigMap", ns, resource_version=start)
    seen = []
    finished = threading.Event()

    def read():
        seen.extend(watch)
        finished.set()

    reader = threading.Thread(target=read)
    reader.start()
    kube.apply(config_map("one"))
    watch.stop()
    assert finished.wait(10), "stop() did not end the watch"
    reader.join(10)
    assert watch.stopped
    assert names(seen) in ([], [("ADDED", "one")])


def test_breaking_out_of_the_loop_ends_the_watch(kube, ns):
    kube.apply(config_map("a"))
    kube.apply(config_map("b"))
    watch = kube.watch("v1", "ConfigMap", ns, timeout=10)
    for _ in watch:
        break
    with pytest.raises(RuntimeError, match="only once"):
        list(watch)


def test_timeout_ends_the_watch_without_error(kube, ns):
    start = kube.apply(config_map("seed"))["metadata"]["resourceVersion"]
    with kube.watch("v1", "ConfigMap", ns, resource_version=start, timeout=0.2) as watch:
        assert list(watch) == []


def test_unknown_kind_is_no_match(kube):
    with pytest.raises(NoKindMatchError):
        kube.watch("example.com/v1", "Widget")


def test_expired_resource_version_after_a_restart(tmp_path):
    state = str(tmp_path / "sim.db")
    with SimCluster(clock=ManualClock(), state_path=state) as sim, KubeClient.for_server(sim.url) as kube:
        old = kube.apply(config_map("a", namespace="default"))["metadata"]["resourceVersion"]
        kube.apply(config_map("a", namespace="default", a="2"))
    with SimCluster(clock=ManualClock(), state_path=state) as sim, KubeClient.for_server(sim.url) as kube:
        watch = kube.watch("v1", "ConfigMap", "default", resource_version=old, timeout=10)
        with pytest.raises(ExpiredError) as caught:
            list(watch)
    assert (caught.value.code, caught.value.reason) == (410, "Expired")
    assert caught.value.message.startswith(f"too old resource version: {old} (")


def test_stop_while_the_request_is_on_its_way_ends_the_watch_at_once(kube, ns):
    """A quiet watch gets its first line only with the server's bookmark, seconds later: a stop() that comes
    before there is a response to interrupt must still end it now."""
    start = kube.apply(config_map("seed"))["metadata"]["resourceVersion"]
    for _ in range(20):
        watch = kube.watch("v1", "ConfigMap", ns, resource_version=start)
        reader = threading.Thread(target=lambda w=watch: list(w))
        reader.start()
        time.sleep(0.001)
        watch.stop()
        reader.join(1)
        assert not reader.is_alive(), "stop() did not end the watch"


def test_a_watch_from_list_for_watch_sees_exactly_the_later_changes(kube, ns):
    kube.apply(config_map("a"))
    kube.apply(config_map("elsewhere", namespace="default"))
    items, resource_version = kube.list_for_watch("v1", "ConfigMap")
    assert {(obj["apiVersion"], obj["kind"], obj["metadata"]["name"]) for obj in items} >= {
        ("v1", "ConfigMap", "a"),
        ("v1", "ConfigMap", "elsewhere"),
    }
    kube.apply(config_map("b"))
    with kube.watch("v1", "ConfigMap", resource_version=resource_version, timeout=10) as watch:
        assert names(collect(watch, 1)) == [("ADDED", "b")]


def test_a_hundred_open_watches_leave_room_for_more_and_for_discovery(kube, ns):
    """A cluster cache keeps a watch open per kind; httpx's default pool of 100 connections would make the
    next one, and discovery, wait until they time out."""
    start = kube.apply(config_map("seed"))["metadata"]["resourceVersion"]
    watches = [kube.watch("v1", "ConfigMap", ns, resource_version=start, timeout=20) for _ in range(101)]
    seen: list[list] = [[] for _ in watches]
    readers = [
        threading.Thread(target=lambda w=w, out=out: out.extend(collect(w, 1)))
        for w, out in zip(watches, seen, strict=True)
    ]
    for reader in readers:
        reader.start()
    try:
        assert kube.resources(refresh=True)
        kube.apply(config_map("news"))
        for reader in readers:
            reader.join(20)
        assert [names(out) for out in seen] == [[("ADDED", "news")]] * len(watches)
    finally:
        for watch in watches:
            watch.stop()
