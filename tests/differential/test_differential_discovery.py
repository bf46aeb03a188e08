"""Discovery and custom resources: the sim answers as the real kube-apiserver does (uids,
resourceVersions and timestamps masked)."""

from __future__ import annotations

import pytest

from support.differential import GROUP_VERSIONS, assert_no_differences, assert_same, crd

pytestmark = [pytest.mark.real_apiserver, pytest.mark.xdist_group("real-apiserver")]

AGGREGATED = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"


# Subresources the sim does not serve (no kubelet, no proxy, no token issuer): left out of the comparison.
UNSERVED_SUBRESOURCES = frozenset(
    {"attach", "binding", "ephemeralcontainers", "eviction", "exec", "log", "portforward", "proxy"}
    | {"resize", "token"}
)


def served_only(resource: dict) -> dict:
    subs = [s for s in resource.get("subresources", []) if s["subresource"] not in UNSERVED_SUBRESOURCES]
    out = {k: v for k, v in resource.items() if k != "subresources"}
    return {**out, "subresources": subs} if subs else out


def legacy_path(group_version: str) -> str:
    return "/api/v1" if group_version == "v1" else f"/apis/{group_version}"


def aggregated_resources(server, group_version: str) -> dict[str, dict]:
    """The resources of `group_version` in aggregated discovery (`/api` and `/apis`), by name."""
    found: dict[str, dict] = {}
    for root in ("/api", "/apis"):
        response = server.http.get(root, headers={"Accept": AGGREGATED})
        assert response.status_code == 200, (server.name, root)
        for group in response.json()["items"]:
            name = group["metadata"].get("name", "")
            for version in group["versions"]:
                if (f"{name}/{version['version']}" if name else version["version"]) == group_version:
                    found.update((r["resource"], r) for r in version.get("resources", []))
    return found


@pytest.mark.parametrize("group_version", GROUP_VERSIONS)
def test_aggregated_discovery(servers, group_version):
    real = aggregated_resources(servers.real, group_version)
    sim = aggregated_resources(servers.sim, group_version)
    assert real
    shared = sorted(set(real) & set(sim))
    assert_no_differences({k: served_only(real[k]) for k in shared}, {k: sim[k] for k in shared})
    assert not set(sim) - set(real), "the sim serves resources the real apiserver does not"


@pytest.mark.parametrize("group_version", GROUP_VERSIONS)
def test_legacy_discovery(servers, group_version):
    real, sim = servers.both("GET", legacy_path(group_version))
    assert real.status == 200
    assert sim.status == 200
    real_resources = {r["name"]: r for r in real.body["resources"]}
    sim_resources = {r["name"]: r for r in sim.body["resources"]}
    shared = sorted(set(real_resources) & set(sim_resources))
    assert_no_differences({k: real_resources[k] for k in shared}, {k: sim_resources[k] for k in shared})
    assert not set(sim_resources) - set(real_resources)
    assert {k: v for k, v in sim.body.items() if k != "resources"} == {
        k: v for k, v in real.body.items() if k != "resources"
    }


def widget_crd() -> dict:
    """A namespaced kind with a status subresource and a schema default."""
    properties = {"size": {"type": "integer", "default": 1}, "color": {"type": "string"}}
    schema = {
        "type": "object",
        "properties": {
            "spec": {"type": "object", "properties": properties},
            "status": {"type": "object", "properties": {"ready": {"type": "boolean"}}},
        },
    }
    return crd("Widget", schema, {"status": {}})


def established(crd: dict) -> bool:
    return any(
        c["type"] == "Established" and c["status"] == "True" for c in crd.get("status", {}).get("conditions", [])
    )


def conditions(crd: dict) -> list:
    return sorted((c["type"], c["status"], c["reason"], c["message"]) for c in crd["status"]["conditions"])


def test_custom_resource_before_and_after_its_crd(servers):
    ns = servers.namespace()
    widgets = f"/apis/diff.example.com/v1/namespaces/{ns}/widgets"
    widget = {"apiVersion": "diff.example.com/v1", "kind": "Widget", "metadata": {"name": "w"}}
    widget["spec"] = {"color": "red"}
    real, sim = servers.both("POST", widgets, widget)
    assert real.status == 404
    assert_same(real, sim)

    crds = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"
    real, sim = servers.both("POST", crds, widget_crd())
    assert real.status == 201
    assert_same(real, sim, controllers=True)  # the status: the real apiserver's CRD controllers write it

    servers.real.wait_for(f"{crds}/widgets.diff.example.com", established)
    servers.advance(1)
    real, sim = servers.both("GET", f"{crds}/widgets.diff.example.com")
    assert established(sim.body)
    assert_same(real, sim, controllers=True)
    assert_no_differences(conditions(real.body), conditions(sim.body))
    assert_no_differences(
        {k: v for k, v in real.body["status"].items() if k != "conditions"},
        {k: v for k, v in sim.body["status"].items() if k != "conditions"},
    )

    # The real apiserver serves a new CRD's resources a moment after Established.
    servers.real.wait_for(f"/apis/diff.example.com/v1/namespaces/{ns}/widgets", lambda body: True)
    real, sim = servers.both("POST", widgets, widget)
    assert real.status == 201
    assert_same(real, sim)  # defaulted from the schema

    real, sim = servers.both(
        "PATCH",
        f"{widgets}/w/status",
        {"spec": {"size": 5}, "status": {"ready": True}},
        content_type="application/merge-patch+json",
    )
    assert real.status == 200
    assert_same(real, sim)


def test_unknown_group(servers):
    real, sim = servers.both("GET", "/apis/nothing.example.com/v1/namespaces/default/gizmos")
    assert real.status == 404
    assert_same(real, sim)
