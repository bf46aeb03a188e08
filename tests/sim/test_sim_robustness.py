"""Bad input gets a Kubernetes Status error, never a crash: arbitrary JSON through every write path."""

from __future__ import annotations

import json

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wavecd.core import ManualClock
from wavecd.sim.apierrors import ApiError
from wavecd.sim.cluster import SimCluster

FIELDS = [
    "spec",
    "metadata",
    "name",
    "replicas",
    "template",
    "containers",
    "ports",
    "selector",
    "status",
    "labels",
    "env",
    "finalizers",
    "x",
]
JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 3) | st.text(max_size=3),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(FIELDS), inner, max_size=4),
    max_leaves=15,
)
PATCH_TYPES = {
    "apply": "application/apply-patch+yaml",
    "merge": "application/merge-patch+json",
    "strategic": "application/strategic-merge-patch+json",
    "json": "application/json-patch+json",
}


@pytest.fixture(scope="module")
def sim():
    with SimCluster(clock=ManualClock()) as cluster:
        cluster.api.create(
            cluster.registry.by_plural("", "v1", "namespaces"), None, {"metadata": {"name": "app"}}, manager="test"
        )
        yield cluster


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow], deadline=None)
@given(body=JSON, how=st.sampled_from(["create", *PATCH_TYPES]), plural=st.sampled_from(["deployments", "jobs"]))
def test_arbitrary_bodies_fail_only_with_api_errors(sim, body, how, plural):
    group = "apps" if plural == "deployments" else "batch"
    kind = sim.registry.by_plural(group, "v1", plural)
    try:
        if how == "create":
            sim.api.create(kind, "app", body, manager="test")
        else:
            if how == "apply" and isinstance(body, dict):
                body = {**body, "apiVersion": kind.api_version, "kind": kind.kind}
            sim.api.patch(kind, "app", "obj", PATCH_TYPES[how], json.dumps(body).encode(), manager="test")
    except ApiError as err:
        assert 400 <= err.code < 500


def test_garbage_over_http_is_answered_with_status(sim):
    with httpx.Client(base_url=sim.url) as client:
        for method, path, content in [
            ("POST", "/api/v1/namespaces/app/configmaps", b"{not json"),
            ("POST", "/api/v1/namespaces/app/configmaps", b"[1, 2]"),
            ("PATCH", "/api/v1/namespaces/app/configmaps/x", b"{}"),
            ("GET", "/apis/apps/v1/namespaces/app/deployments/x/bogus", b""),
            ("GET", "/nowhere", b""),
            ("PUT", "/apis", b""),
            ("GET", "/api/v1/namespaces/app/configmaps?labelSelector=%3D%3D%3D", b""),
        ]:
            response = client.request(method, path, content=content, headers={"Content-Type": "application/json"})
            assert 400 <= response.status_code < 500, (method, path, response.text)
            assert response.json()["kind"] == "Status"
