"""Server-side apply (field managers, conflicts, force) and the three patch types: the sim answers as the real
kube-apiserver does, body for body (uids, resourceVersions and timestamps masked)."""

from __future__ import annotations

import pytest

from support.differential import Answer, assert_same, managers_sorted
from support.differential import deployment as web_deployment

pytestmark = [pytest.mark.real_apiserver, pytest.mark.xdist_group("real-apiserver")]

APPLY = "application/apply-patch+yaml"


def apply_configmap(mode: str) -> dict:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "applied"}, "data": {"mode": mode}}


def deployment(image: str = "nginx:1.27") -> dict:
    containers = [
        {"name": "web", "image": image, "env": [{"name": "A", "value": "1"}]},
        {"name": "sidecar", "image": "busybox:1.36"},
    ]
    return web_deployment(containers, replicas=2)


def causes_sorted(answer: Answer) -> Answer:
    """A conflict's causes in one order (they follow managedFields, whose order differs: see above)."""
    details = answer.body["details"]
    causes = sorted(details["causes"], key=lambda c: c["message"])
    return Answer(answer.status, {**answer.body, "details": {**details, "causes": causes}})


def test_apply_conflict_and_force(servers):
    ns = servers.namespace()
    path = f"/api/v1/namespaces/{ns}/configmaps/applied"
    real, sim = servers.both("PATCH", path, apply_configmap("fast"), content_type=APPLY, fieldManager="alpha")
    assert real.status == 201
    assert_same(real, sim)

    real, sim = servers.both("PATCH", path, apply_configmap("fast"), content_type=APPLY, fieldManager="beta")
    assert real.status == 200, "the same value: shared ownership"
    # docs/sim.md: after an apply that changes nothing, the real apiserver lists the managers in another order.
    assert_same(managers_sorted(real), managers_sorted(sim))

    real, sim = servers.both("PATCH", path, apply_configmap("slow"), content_type=APPLY, fieldManager="gamma")
    assert real.status == 409
    assert_same(causes_sorted(real), causes_sorted(sim))

    real, sim = servers.both(
        "PATCH", path, apply_configmap("slow"), content_type=APPLY, fieldManager="gamma", force="true"
    )
    assert real.status == 200
    assert_same(real, sim)


def test_apply_then_update_manager(servers):
    ns = servers.namespace()
    path = f"/apis/apps/v1/namespaces/{ns}/deployments/web"
    servers.both("PATCH", path, deployment(), content_type=APPLY, fieldManager="wavecd")
    real, sim = servers.both(
        "PATCH", path, {"spec": {"replicas": 3}}, content_type="application/merge-patch+json", fieldManager="kubectl"
    )
    assert real.status == 200
    assert_same(real, sim, controllers=True)
    real, sim = servers.both("PATCH", path, deployment(), content_type=APPLY, fieldManager="wavecd")
    assert real.status == 409
    assert_same(real, sim, controllers=True)


def test_apply_dropping_a_field_removes_it(servers):
    ns = servers.namespace()
    path = f"/apis/apps/v1/namespaces/{ns}/deployments/web"
    servers.both("PATCH", path, deployment(), content_type=APPLY, fieldManager="wavecd")
    smaller = deployment()
    del smaller["spec"]["template"]["spec"]["containers"][1]
    real, sim = servers.both("PATCH", path, smaller, content_type=APPLY, fieldManager="wavecd")
    assert real.status == 200
    assert_same(real, sim, controllers=True)


@pytest.mark.parametrize(
    ("content_type", "patch"),
    [
        pytest.param("application/merge-patch+json", {"spec": {"replicas": 4}}, id="merge"),
        pytest.param(
            "application/json-patch+json",
            [
                {"op": "replace", "path": "/spec/template/spec/containers/0/image", "value": "nginx:1.28"},
                {"op": "add", "path": "/metadata/labels", "value": {"tier": "front"}},
            ],
            id="json",
        ),
        pytest.param(
            "application/strategic-merge-patch+json",
            {"spec": {"template": {"spec": {"containers": [{"name": "web", "env": [{"name": "B", "value": "2"}]}]}}}},
            id="strategic-merge-by-name",
        ),
        pytest.param(
            "application/strategic-merge-patch+json",
            {"spec": {"template": {"spec": {"containers": [{"name": "sidecar", "$patch": "delete"}]}}}},
            id="strategic-delete-directive",
        ),
        pytest.param(
            "application/json-patch+json",
            [{"op": "test", "path": "/spec/replicas", "value": 7}],
            id="json-failed-test",
        ),
    ],
)
def test_patches(servers, content_type, patch):
    ns = servers.namespace()
    path = f"/apis/apps/v1/namespaces/{ns}/deployments"
    servers.both("POST", path, deployment(), fieldManager="creator")
    real, sim = servers.both("PATCH", f"{path}/web", patch, content_type=content_type, fieldManager="patcher")
    assert_same(real, sim, controllers=True)


def test_apply_dry_run(servers):
    ns = servers.namespace()
    path = f"/api/v1/namespaces/{ns}/configmaps/applied"
    real, sim = servers.both("PATCH", path, apply_configmap("x"), content_type=APPLY, fieldManager="a", dryRun="All")
    assert real.status == 201
    assert_same(real, sim)
    real, sim = servers.both("GET", path)
    assert real.status == 404
    assert_same(real, sim)
