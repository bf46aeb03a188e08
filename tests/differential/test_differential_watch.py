"""Watches: from a list's version, watch-list (`sendInitialEvents`, ending with the `k8s.io/initial-events-end`
bookmark), bookmarks before the timeout, a version too old (410), and the options a watch refuses. Each watch
runs until the server ends it (`timeoutSeconds`), so the whole stream is compared, masked."""

from __future__ import annotations

import pytest

from support.differential import assert_no_differences, comparable_events, crd

pytestmark = [pytest.mark.real_apiserver, pytest.mark.xdist_group("real-apiserver")]

ALL = 20  # more events than any of these watches gets: each is read until the server ends it
WATCH_LIST = {"sendInitialEvents": "true", "resourceVersionMatch": "NotOlderThan", "allowWatchBookmarks": "true"}


def configmap(name: str) -> dict:
    return {"metadata": {"name": name}, "data": {"k": "v"}}


def single_bookmarks(events: list) -> list:
    """The events with a repeated bookmark once: the real apiserver's bookmark timer ticks by whole seconds, so
    the bookmark due 2 s before the timeout may come twice."""
    out: list = []
    for event in events:
        if not (out and event["type"] == out[-1]["type"] == "BOOKMARK"):
            out.append(event)
    return out


def watch_both(servers, path: str, during=None, **params) -> tuple[list, list]:
    """The whole stream of the same watch on both servers; `during(server)` runs once each stream is open."""
    answers = []
    for server in (servers.real, servers.sim):
        own = dict(params)
        if own.get("resourceVersion") == "current":  # the version of a list just made on that server
            own["resourceVersion"] = server.request("GET", path).body["metadata"]["resourceVersion"]
        act = (lambda server=server: during(server)) if during else None
        answers.append(server.watch(path, ALL, during=act, **own))
    real, sim = answers
    return real, sim


def test_watch_from_a_list(servers):
    ns = servers.namespace()
    path = f"/api/v1/namespaces/{ns}/configmaps"

    def changes(server):
        server.request("POST", path, configmap("seen"))
        server.request("PATCH", f"{path}/seen", {"data": {"k": "w"}}, content_type="application/merge-patch+json")
        server.request("DELETE", f"{path}/seen")

    real, sim = watch_both(servers, path, changes, resourceVersion="current", timeoutSeconds="2")
    assert [e["type"] for e in real] == ["ADDED", "MODIFIED", "DELETED"]
    assert_no_differences(comparable_events(real), comparable_events(sim))


def test_watch_list_ends_its_initial_events_with_a_bookmark(servers):
    ns = servers.namespace()
    path = f"/api/v1/namespaces/{ns}/configmaps"
    for name in ("b", "a"):
        servers.both("POST", path, configmap(name))
    real, sim = watch_both(servers, path, **WATCH_LIST, timeoutSeconds="2")
    assert [e["type"] for e in real] == ["ADDED", "ADDED", "BOOKMARK"]
    assert real[-1]["object"]["metadata"]["annotations"] == {"k8s.io/initial-events-end": "true"}
    assert_no_differences(comparable_events(real), comparable_events(sim))


def test_watch_without_initial_events_starts_now(servers):
    ns = servers.namespace()
    path = f"/api/v1/namespaces/{ns}/configmaps"
    servers.both("POST", path, configmap("before"))
    params = {"sendInitialEvents": "false", "resourceVersionMatch": "NotOlderThan", "timeoutSeconds": "2"}
    real, sim = watch_both(servers, path, lambda server: server.request("POST", path, configmap("after")), **params)
    assert [(e["type"], e["object"]["metadata"]["name"]) for e in real] == [("ADDED", "after")]
    assert_no_differences(comparable_events(real), comparable_events(sim))


@pytest.mark.parametrize("bookmarks", ["true", "false"])
def test_bookmark_before_the_timeout(servers, bookmarks):
    """A watcher that allows bookmarks gets one 2 s before its timeout when the resource moved on elsewhere (a
    ConfigMap in another namespace); one that does not, none."""
    ns, elsewhere = servers.namespace(), servers.namespace()
    path = f"/api/v1/namespaces/{ns}/configmaps"

    def changes(server):
        server.request("POST", path, configmap("here"))
        server.request("POST", f"/api/v1/namespaces/{elsewhere}/configmaps", configmap("there"))

    params = {"resourceVersion": "current", "allowWatchBookmarks": bookmarks, "timeoutSeconds": "5"}
    real, sim = watch_both(servers, path, changes, **params)
    real = single_bookmarks(real)
    expected = ["ADDED", "BOOKMARK"] if bookmarks == "true" else ["ADDED"]
    assert [e["type"] for e in real] == expected
    assert_no_differences(comparable_events(real), comparable_events(sim))


@pytest.mark.parametrize(
    "params",
    [
        pytest.param({"sendInitialEvents": "true"}, id="initial-events-without-match"),
        pytest.param({"sendInitialEvents": "true", "resourceVersionMatch": "Exact"}, id="initial-events-exact"),
    ],
)
def test_watch_options_refused(servers, params):
    ns = servers.namespace()
    real, sim = watch_both(servers, f"/api/v1/namespaces/{ns}/configmaps", **params)
    assert real[0]["httpStatus"] == 422
    assert_no_differences(comparable_events(real), comparable_events(sim))


def test_watch_from_before_a_crd_is_gone(servers):
    """A custom resource's watch cache starts when its CRD is established: a version from before is 410."""
    servers.establish(crd("Sprocket", {"type": "object", "x-kubernetes-preserve-unknown-fields": True}))
    path = "/apis/diff.example.com/v1/sprockets"
    real, sim = watch_both(servers, path, resourceVersion="1", timeoutSeconds="2")
    assert real[0]["type"] == "ERROR"
    assert real[0]["object"]["code"] == 410
    assert_no_differences(comparable_events(real), comparable_events(sim))

    real, sim = watch_both(servers, path, resourceVersion="current", timeoutSeconds="2")
    assert real == []
    assert_no_differences(real, sim)
