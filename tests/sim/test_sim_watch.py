"""Watch semantics (kubernetes `staging/src/k8s.io/apiserver/pkg/storage/cacher/`): synthetic ADDED events,
watch-list with the initial-events-end bookmark, resuming from a resourceVersion, selectors, timeouts, and 410
Expired for a version the server no longer has."""

from __future__ import annotations

import json
import threading

import httpx
import pytest

from wavecd.core import ManualClock
from wavecd.sim.cluster import SimCluster

CMS = "/api/v1/namespaces/app/configmaps"


def cm(name, value="1"):
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": name, "namespace": "app"},
        "data": {"a": value},
    }


def events(client, query, count):
    """The first `count` events of a watch (the server ends the stream at timeoutSeconds anyway)."""
    out = []
    with client.stream("GET", f"{CMS}?watch=true&timeoutSeconds=5&{query}") as response:
        assert response.status_code == 200
        for line in response.iter_lines():
            out.append(json.loads(line))
            if len(out) == count:
                break
    return out


def test_watch_list_ends_initial_events_with_bookmark(client, ns):
    client.post(CMS, json=cm("a"))
    client.post(CMS, json=cm("b"))
    query = (
        "sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true"
        "&fieldSelector=metadata.name%3Da"
    )
    with client.stream("GET", f"{CMS}?watch=true&timeoutSeconds=5&{query}") as response:
        lines = response.iter_lines()
        first = json.loads(next(lines))
        assert (first["type"], first["object"]["metadata"]["name"]) == ("ADDED", "a")
        bookmark = json.loads(next(lines))
        assert bookmark["type"] == "BOOKMARK"
        assert bookmark["object"]["metadata"]["annotations"] == {"k8s.io/initial-events-end": "true"}
        assert bookmark["object"]["kind"] == "ConfigMap"
        client.put(f"{CMS}/b", json=cm("b", "2"))  # filtered out by the field selector
        client.put(f"{CMS}/a", json=cm("a", "2"))
        modified = json.loads(next(lines))
        assert (modified["type"], modified["object"]["data"]) == ("MODIFIED", {"a": "2"})


def test_watch_without_version_starts_with_synthetic_added(client, ns):
    client.post(CMS, json=cm("a"))
    first = events(client, "labelSelector=", 1)
    assert first[0]["type"] == "ADDED"


def test_watch_resumes_after_a_resource_version(client, ns):
    rv = client.post(CMS, json=cm("a")).json()["metadata"]["resourceVersion"]
    client.put(f"{CMS}/a", json=cm("a", "2"))
    client.delete(f"{CMS}/a")
    replay = events(client, f"resourceVersion={rv}", 2)
    assert [e["type"] for e in replay] == ["MODIFIED", "DELETED"]
    assert int(replay[1]["object"]["metadata"]["resourceVersion"]) > int(
        replay[0]["object"]["metadata"]["resourceVersion"]
    )


def test_watch_list_requires_not_older_than(client, ns):
    response = client.get(f"{CMS}?watch=true&sendInitialEvents=true")
    assert response.status_code == 422


def test_watch_times_out(client, ns):
    with client.stream("GET", f"{CMS}?watch=1&timeoutSeconds=1&resourceVersion=999999") as response:
        assert list(response.iter_lines()) == []


def test_too_old_version_after_restart_is_gone(tmp_path):
    state = str(tmp_path / "state.db")
    with SimCluster(clock=ManualClock(), state_path=state) as sim, httpx.Client(base_url=sim.url) as client:
        client.post("/api/v1/namespaces", json={"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "app"}})
        rv = client.post(CMS, json=cm("a")).json()["metadata"]["resourceVersion"]
    with SimCluster(clock=ManualClock(), state_path=state) as sim, httpx.Client(base_url=sim.url) as client:
        assert client.get(f"{CMS}/a").json()["data"] == {"a": "1"}
        expired = events(client, f"resourceVersion={int(rv) - 1}", 1)[0]
        assert expired["type"] == "ERROR"
        assert expired["object"]["code"] == 410 and expired["object"]["reason"] == "Expired"
        assert expired["object"]["message"].startswith(f"too old resource version: {int(rv) - 1} (")


def test_a_stopped_server_answers_nothing_more_on_a_kept_alive_connection():
    """Its client sees the connection drop, as after an apiserver restart, not answers from the old store."""
    sim = SimCluster(clock=ManualClock()).start()
    with httpx.Client(base_url=sim.url, timeout=5) as client:
        assert client.get("/api").status_code == 200
        sim.stop()
        with pytest.raises(httpx.TransportError):
            client.get("/api")


def test_a_custom_resource_watch_ends_when_its_crd_is_deleted(client, sim, ns):
    """As the apiserver ends them when it stops serving the resource; a new watch is then 404."""
    crd = {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "gadgets.example.com"},
        "spec": {
            "group": "example.com",
            "scope": "Namespaced",
            "names": {"plural": "gadgets", "singular": "gadget", "kind": "Gadget"},
            "versions": [{"name": "v1", "served": True, "storage": True}],
        },
    }
    assert client.post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", json=crd).status_code == 201
    sim.advance(1)
    gadgets = "/apis/example.com/v1/namespaces/app/gadgets"
    gadget = {"apiVersion": "example.com/v1", "kind": "Gadget", "metadata": {"name": "g", "namespace": "app"}}
    rv = client.post(gadgets, json=gadget).json()["metadata"]["resourceVersion"]
    seen: list[dict] = []
    opened = threading.Event()

    def watch() -> None:
        with client.stream("GET", f"{gadgets}?watch=true&timeoutSeconds=30&resourceVersion={rv}") as response:
            assert response.status_code == 200
            opened.set()
            seen.extend(json.loads(line) for line in response.iter_lines())

    reader = threading.Thread(target=watch)
    reader.start()
    # The CRD goes once the watch is open: deleted before the request arrived, it answers 404 (a Status, not
    # a watch), as the apiserver would.
    assert opened.wait(5), "the watch did not open"
    client.delete("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/gadgets.example.com")
    sim.advance(5)
    reader.join(5)
    assert not reader.is_alive(), "the watch outlived its CRD"
    assert [(event["type"], event["object"]["metadata"]["name"]) for event in seen] == [("DELETED", "g")]
    assert client.get(f"{gadgets}?watch=true&timeoutSeconds=1").status_code == 404


def test_table_watch_for_kubectl_get_w(client, ns):
    client.post(CMS, json=cm("a"))
    accept = {"Accept": "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"}
    with client.stream("GET", f"{CMS}?watch=true&timeoutSeconds=5", headers=accept) as response:
        lines = response.iter_lines()
        first = json.loads(next(lines))
        client.put(f"{CMS}/a", json=cm("a", "2"))
        second = json.loads(next(lines))
    assert first["object"]["kind"] == "Table" and first["object"]["columnDefinitions"]
    assert first["object"]["rows"][0]["cells"][:2] == ["a", 1]
    assert second["type"] == "MODIFIED" and second["object"]["columnDefinitions"] == []


def test_objects_entering_and_leaving_a_selector(client, ns):
    rv = client.post(CMS, json=cm("a")).json()["metadata"]["resourceVersion"]
    labelled = cm("a")
    labelled["metadata"]["labels"] = {"tier": "web"}
    client.put(f"{CMS}/a", json=labelled)
    client.put(f"{CMS}/a", json=cm("a", "3"))
    seen = events(client, f"resourceVersion={rv}&labelSelector=tier%3Dweb", 2)
    assert [e["type"] for e in seen] == ["ADDED", "DELETED"]
