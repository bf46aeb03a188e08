"""An app's resources as the API shows them. The resource tree starts at the live managed objects and follows
ownerReferences down (Deployment → ReplicaSet → Pod), each node naming its owner in `parentRefs`, as Argo
CD's `ResourceTree` does, and stops at a cycle instead of looping. Managed resources leave hooks out, as
Argo CD's `ManagedResources` does, and carry each object's sync status and health."""

from __future__ import annotations

from typing import Any

from wavecd.health import ManagedResource as Managed
from wavecd.server.app_views import managed_resources, resource_tree
from wavecd.server.reconcile import Reconciled
from wavecd.server.view import ResourceRef
from wavecd.sync.compare import DIFFERS, ResourceComparison


def live(api_version: str, kind: str, name: str, uid: str, *, owner: dict[str, Any] | None = None, **extra):
    meta: dict[str, Any] = {
        "name": name,
        "namespace": "web",
        "uid": uid,
        "resourceVersion": f"rv-{uid}",
        "creationTimestamp": "2026-12-07T10:00:00Z",
    }
    if owner is not None:
        owner_meta = owner["metadata"]
        meta["ownerReferences"] = [
            {
                "apiVersion": owner["apiVersion"],
                "kind": owner["kind"],
                "name": owner_meta["name"],
                "uid": owner_meta["uid"],
            }
        ]
    return {"apiVersion": api_version, "kind": kind, "metadata": meta, **extra}


def managed(obj: dict[str, Any], *, target: bool = True) -> Managed:
    group = obj["apiVersion"].rpartition("/")[0]
    return Managed(group, obj["kind"], "web", obj["metadata"]["name"], obj if target else None, obj)


def owners_index(*objects: dict[str, Any]):
    def owned_by(uid: str) -> list[dict[str, Any]]:
        return [o for o in objects if any(r["uid"] == uid for r in o["metadata"].get("ownerReferences") or [])]

    return owned_by


DEPLOY = live("apps/v1", "Deployment", "web", "d1", spec={"replicas": 1})
REPLICAS = live("apps/v1", "ReplicaSet", "web-5d8f", "r1", owner=DEPLOY)
POD = live("v1", "Pod", "web-5d8f-x2x", "p1", owner=REPLICAS, status={"phase": "Running"})
CONFIG = live("v1", "ConfigMap", "settings", "c1")


def test_the_tree_follows_owners_from_deployment_to_pod_with_parent_refs():
    reconciled = Reconciled("web", "Synced", "Healthy", resources=(managed(DEPLOY), managed(CONFIG)))
    nodes = resource_tree(reconciled, owners_index(REPLICAS, POD, CONFIG))
    assert [(n.kind, n.name, n.parent_refs) for n in nodes] == [
        ("Deployment", "web", ()),
        ("ConfigMap", "settings", ()),
        ("ReplicaSet", "web-5d8f", (ResourceRef("apps", "Deployment", "web", "web"),)),
        ("Pod", "web-5d8f-x2x", (ResourceRef("apps", "ReplicaSet", "web-5d8f", "web"),)),
    ]
    pod = nodes[-1]
    assert (pod.group, pod.version, pod.namespace, pod.uid, pod.resource_version, pod.created_at) == (
        "",
        "v1",
        "web",
        "p1",
        "rv-p1",
        "2026-12-07T10:00:00Z",
    )
    assert nodes[1].health is None  # a ConfigMap has no health of its own


def test_a_missing_managed_object_is_not_in_the_tree():
    absent = Managed("", "Service", "web", "web", live("v1", "Service", "web", "s1"), None)
    reconciled = Reconciled("web", "OutOfSync", "Missing", resources=(absent, managed(CONFIG)))
    assert [n.kind for n in resource_tree(reconciled, owners_index())] == ["ConfigMap"]


def test_an_ownership_cycle_ends_the_walk():
    first = live("example.com/v1", "Widget", "first", "w1")
    second = live("example.com/v1", "Widget", "second", "w2", owner=first)
    first["metadata"]["ownerReferences"] = [
        {"apiVersion": "example.com/v1", "kind": "Widget", "name": "second", "uid": "w2"}
    ]
    reconciled = Reconciled("web", "Synced", "Healthy", resources=(managed(first),))
    nodes = resource_tree(reconciled, owners_index(first, second))
    assert [(n.name, n.parent_refs) for n in nodes] == [
        ("first", ()),
        ("second", (ResourceRef("example.com", "Widget", "first", "web"),)),
    ]


def test_managed_resources_leave_hooks_out_and_carry_status_and_health():
    hook = live("batch/v1", "Job", "migrate", "j1")
    hook["metadata"]["annotations"] = {"argocd.argoproj.io/hook": "PreSync"}
    ready = {"observedGeneration": 1, "replicas": 1, "updatedReplicas": 1, "readyReplicas": 1, "availableReplicas": 1}
    deploy = {**DEPLOY, "status": ready}
    changed = managed(CONFIG)
    reconciled = Reconciled(
        "web",
        "OutOfSync",
        "Healthy",
        resources=(managed(deploy), managed(hook), changed),
        verdicts={
            ("", "ConfigMap", "web", "settings"): ResourceComparison(
                "", "ConfigMap", "web", "settings", "OutOfSync", DIFFERS
            )
        },
    )
    items = managed_resources(reconciled)
    assert [(i.kind, i.name, i.version, i.status, i.health) for i in items] == [
        ("ConfigMap", "settings", "v1", "OutOfSync", None),
        ("Deployment", "web", "v1", "Synced", "Healthy"),
    ]
    items[0].live["data"] = {"changed": "by a caller"}
    assert "data" not in CONFIG  # a caller gets copies: the controller's last reconcile stays as it was
