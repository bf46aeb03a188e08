"""Namespace lifecycle as kube-apiserver itself runs it: a deleted namespace goes `Terminating` and refuses new
content, its `kubernetes` finalizer changes only through the `finalize` subresource, and it is gone once that
empties. The real apiserver here runs no namespace controller, so a namespace the test deletes holds an object
with a finalizer of its own: the sim's controller then stops where the real server stands still."""

from __future__ import annotations

import pytest

from support.differential import Answer, assert_no_differences, assert_same, managers_sorted

pytestmark = [pytest.mark.real_apiserver, pytest.mark.xdist_group("real-apiserver")]

HOLD = "diff.example.com/hold"


def finalize(name: str, finalizers: list[str], **metadata: object) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {"name": name, **metadata},
        "spec": {"finalizers": finalizers},
    }


def without_conditions(answer: Answer) -> Answer:
    """A namespace without the conditions the sim's namespace controller reports (the real server has none)."""
    body = dict(answer.body)
    body["status"] = {k: v for k, v in (body.get("status") or {}).items() if k != "conditions"}
    meta = dict(body["metadata"])
    meta["managedFields"] = [m for m in meta.get("managedFields", []) if m.get("subresource") != "status"]
    body["metadata"] = meta
    return Answer(answer.status, body)


def test_deleted_namespace_terminates_and_refuses_content(servers):
    ns = servers.namespace()
    held = {"metadata": {"name": "held", "finalizers": [HOLD]}, "data": {"k": "v"}}
    servers.both("POST", f"/api/v1/namespaces/{ns}/configmaps", held)

    real, sim = servers.both("DELETE", f"/api/v1/namespaces/{ns}")
    assert real.status == 200
    assert real.body["status"]["phase"] == "Terminating"
    assert_same(real, sim)

    real, sim = servers.both("GET", f"/api/v1/namespaces/{ns}")
    assert real.body["spec"] == {"finalizers": ["kubernetes"]}
    assert_same(without_conditions(real), without_conditions(sim))

    real, sim = servers.both("POST", f"/api/v1/namespaces/{ns}/configmaps", {"metadata": {"name": "late"}})
    assert real.status == 403
    assert real.body["message"].endswith("because it is being terminated")
    assert_same(real, sim)

    real, sim = servers.both("DELETE", f"/api/v1/namespaces/{ns}")
    assert real.status == 200, "deleting again answers the terminating namespace"
    assert_same(without_conditions(real), without_conditions(sim))

    real, sim = servers.both("PUT", f"/api/v1/namespaces/{ns}/finalize", finalize(ns, []))
    assert real.status == 200
    assert real.body["spec"] == {}
    assert_same(without_conditions(real), without_conditions(sim))

    real, sim = servers.both("GET", f"/api/v1/namespaces/{ns}")
    assert real.status == 404, "finalized: removed by the apiserver itself"
    assert_same(real, sim)


def test_finalizers_change_only_through_finalize(servers):
    ns = servers.namespace()
    path = f"/api/v1/namespaces/{ns}"
    current = servers.real.request("GET", path).body
    rewritten = finalize(ns, ["example.com/other"], labels={"team": "a"})
    answers = []
    for server in (servers.real, servers.sim):
        version = server.request("GET", path).body["metadata"]["resourceVersion"]
        body = {**rewritten, "metadata": {**rewritten["metadata"], "resourceVersion": version}}
        answers.append(server.request("PUT", path, body))
    real, sim = answers
    assert real.status == 200
    assert real.body["spec"] == current["spec"], "an update keeps the finalizers"
    assert_same(real, sim)

    real, sim = servers.both(
        "PUT", f"{path}/finalize", finalize(ns, ["kubernetes", "example.com/other"]), fieldManager="fin"
    )
    assert real.status == 200
    assert real.body["spec"]["finalizers"] == ["kubernetes", "example.com/other"]
    assert_same(managers_sorted(real), managers_sorted(sim))


@pytest.mark.parametrize(
    ("method", "body", "status"),
    [
        pytest.param("PATCH", {"spec": {"finalizers": []}}, 405, id="patch"),
        pytest.param("GET", None, 405, id="get"),
        pytest.param("PUT", finalize("another-name", []), 400, id="name-mismatch"),
    ],
)
def test_finalize_refusals(servers, method, body, status):
    ns = servers.namespace()
    kwargs = {"content_type": "application/merge-patch+json"} if method == "PATCH" else {}
    real, sim = servers.both(method, f"/api/v1/namespaces/{ns}/finalize", body, **kwargs)
    assert real.status == status
    assert_no_differences(real.view, sim.view)
