"""Server-side apply, dry run, and the other verbs, against the simulated cluster over real HTTP.

What is expected is what the apiserver does (docs/sim.md, docs/kube.md): apply creates or updates and records field
managers, an identical re-apply changes nothing (same resourceVersion), `dryRun=All` stores nothing, a field
owned by another manager with a different value is a 409 conflict unless forced."""

from __future__ import annotations

import pytest
from kube_manifests import config_map, deployment, widget_crd

from wavecd.kube import (
    AlreadyExistsError,
    ApplyConflictError,
    ConflictError,
    InvalidError,
    KubeError,
    NoKindMatchError,
    NotFoundError,
)


def managers(obj: dict) -> dict[str, str]:
    return {m["manager"]: m["operation"] for m in obj["metadata"].get("managedFields", [])}


def test_apply_creates_with_field_manager_wavecd(kube, ns, sim):
    created = kube.apply(config_map("cfg", a="1"))
    assert created["data"] == {"a": "1"}
    assert created["metadata"]["uid"]
    assert managers(created) == {"wavecd": "Apply"}
    request = sim.requests[-1]
    assert (request.method, request.content_type) == ("PATCH", "application/apply-patch+yaml")
    assert request.path == "/api/v1/namespaces/app/configmaps/cfg?fieldManager=wavecd"


def test_apply_updates_and_a_repeat_is_a_no_op(kube, ns):
    first = kube.apply(config_map("cfg", a="1"))
    updated = kube.apply(config_map("cfg", a="2"))
    assert updated["data"] == {"a": "2"}
    assert int(updated["metadata"]["resourceVersion"]) > int(first["metadata"]["resourceVersion"])
    again = kube.apply(config_map("cfg", a="2"))
    assert again["metadata"]["resourceVersion"] == updated["metadata"]["resourceVersion"]
    live = kube.get("v1", "ConfigMap", "cfg", "app")
    assert live["metadata"]["resourceVersion"] == updated["metadata"]["resourceVersion"]


def test_apply_removes_fields_the_manager_no_longer_sets(kube, ns):
    kube.apply(config_map("cfg", a="1", b="2"))
    assert kube.apply(config_map("cfg", a="1"))["data"] == {"a": "1"}


def test_generation_moves_with_the_spec_only(kube, ns):
    first = kube.apply(deployment(replicas=1))
    assert first["metadata"]["generation"] == 1
    labelled = deployment(replicas=1)
    labelled["metadata"]["labels"] = {"team": "a"}
    assert kube.apply(labelled)["metadata"]["generation"] == 1
    assert kube.apply(deployment(replicas=3))["metadata"]["generation"] == 2


def test_server_side_dry_run_changes_nothing(kube, ns, sim):
    live = kube.apply(config_map("cfg", a="1"))
    would = kube.apply(config_map("cfg", a="2"), dry_run=True)
    assert would["data"] == {"a": "2"}
    assert "dryRun=All" in sim.requests[-1].path
    after = kube.get("v1", "ConfigMap", "cfg", "app")
    assert after["data"] == {"a": "1"}
    assert after["metadata"]["resourceVersion"] == live["metadata"]["resourceVersion"]
    created = kube.apply(config_map("new"), dry_run=True)
    assert created["metadata"]["name"] == "new"
    assert kube.get("v1", "ConfigMap", "new", "app") is None


def test_dry_run_reports_conflicts_too(kube, ns):
    kube.apply(deployment(replicas=2))
    with pytest.raises(ApplyConflictError):
        kube.apply(deployment(replicas=5), field_manager="hpa-like", dry_run=True)
    assert kube.get("apps/v1", "Deployment", "web", "app")["spec"]["replicas"] == 2


def test_conflict_with_another_field_manager_then_force(kube, ns, sim):
    kube.apply(deployment(replicas=2))
    with pytest.raises(ApplyConflictError) as caught:
        kube.apply(deployment(replicas=5), field_manager="hpa-like")
    error = caught.value
    assert (error.code, error.reason) == (409, "Conflict")
    assert isinstance(error, ConflictError)
    assert error.message == 'Apply failed with 1 conflict: conflict with "wavecd": .spec.replicas'
    assert error.conflicts == [(".spec.replicas", 'conflict with "wavecd"')]
    assert kube.get("apps/v1", "Deployment", "web", "app")["spec"]["replicas"] == 2

    forced = kube.apply(deployment(replicas=5), field_manager="hpa-like", force=True)
    assert forced["spec"]["replicas"] == 5
    assert "force=true" in sim.requests[-1].path
    # wavecd lost .spec.replicas: its next apply of the old value conflicts the other way.
    with pytest.raises(ApplyConflictError, match=r'conflict with "hpa-like": \.spec\.replicas'):
        kube.apply(deployment(replicas=2))


def test_same_value_from_two_managers_is_shared_not_a_conflict(kube, ns):
    kube.apply(deployment(replicas=2))
    shared = kube.apply(deployment(replicas=2), field_manager="other")
    assert set(managers(shared)) >= {"wavecd", "other"}


def test_namespaced_object_without_namespace_goes_to_the_context_namespace(kube):
    obj = config_map("cfg")
    del obj["metadata"]["namespace"]
    applied = kube.apply(obj)
    assert applied["metadata"]["namespace"] == "default"
    assert obj["metadata"] == {"name": "cfg"}  # the caller's manifest is left alone


def test_cluster_scoped_object_ignores_a_namespace(kube, sim):
    role = {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "ClusterRole",
        "metadata": {"name": "reader", "namespace": "app"},
        "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]}],
    }
    applied = kube.apply(role)
    assert "namespace" not in applied["metadata"]
    assert sim.requests[-1].path.startswith("/apis/rbac.authorization.k8s.io/v1/clusterroles/reader?")
    assert kube.get("rbac.authorization.k8s.io/v1", "ClusterRole", "reader")["rules"][0]["verbs"] == ["get"]


def test_apply_into_a_missing_namespace(kube):
    with pytest.raises(NotFoundError) as caught:
        kube.apply(config_map("cfg", namespace="nope"))
    assert (caught.value.code, caught.value.message) == (404, 'namespaces "nope" not found')


def test_custom_resource_before_and_after_its_crd(kube, sim, ns):
    widget = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w", "namespace": ns}}
    widget["spec"] = {"size": 1}
    kube.apply(widget_crd())
    with pytest.raises(NoKindMatchError, match=r'^no matches for kind "Widget" in version "example\.com/v1"$'):
        kube.apply(widget)
    sim.advance(0.2)
    assert kube.apply(widget)["spec"] == {"size": 1}
    assert [w["metadata"]["name"] for w in kube.list("example.com/v1", "Widget")] == ["w"]


def test_write_after_the_crd_is_gone_says_no_matches(kube, sim, ns):
    """Discovery cached before the CRD was deleted: the server's 404 makes the client look again."""
    kube.apply(widget_crd())
    sim.advance(0.2)
    widget = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w", "namespace": ns}}
    kube.apply(widget)
    assert kube.delete("apiextensions.k8s.io/v1", "CustomResourceDefinition", "widgets.example.com")
    sim.advance(5)
    with pytest.raises(NoKindMatchError):
        kube.apply(widget)


def test_get_list_patch_delete(kube, ns):
    kube.apply(config_map("a", x="1"))
    kube.apply(config_map("b", x="2"))
    labelled = config_map("c", x="3")
    labelled["metadata"]["labels"] = {"tier": "db"}
    kube.apply(labelled)
    kube.apply(config_map("elsewhere", namespace="default"))

    assert kube.get("v1", "ConfigMap", "a", ns)["data"] == {"x": "1"}
    assert kube.get("v1", "ConfigMap", "missing", ns) is None
    everywhere = {(o["metadata"]["namespace"], o["metadata"]["name"]) for o in kube.list("v1", "ConfigMap")}
    assert {("app", "a"), ("app", "b"), ("app", "c"), ("default", "elsewhere")} <= everywhere
    in_app = kube.list("v1", "ConfigMap", namespace=ns)
    assert sorted(o["metadata"]["name"] for o in in_app) == ["a", "b", "c"]
    assert all(o["kind"] == "ConfigMap" and o["apiVersion"] == "v1" for o in in_app)
    assert [o["metadata"]["name"] for o in kube.list("v1", "ConfigMap", ns, label_selector={"tier": "db"})] == ["c"]

    merged = kube.patch("v1", "ConfigMap", "a", {"data": {"y": "2"}}, namespace=ns)
    assert merged["data"] == {"x": "1", "y": "2"}
    remove_x = [{"op": "remove", "path": "/data/x"}]
    jsonpatched = kube.patch("v1", "ConfigMap", "a", remove_x, namespace=ns, patch_type="json")
    assert jsonpatched["data"] == {"y": "2"}
    with pytest.raises(NotFoundError, match='configmaps "zz" not found'):
        kube.patch("v1", "ConfigMap", "zz", {"data": {}}, namespace=ns)

    assert kube.delete("v1", "ConfigMap", "a", ns) is True
    assert kube.get("v1", "ConfigMap", "a", ns) is None
    assert kube.delete("v1", "ConfigMap", "a", ns) is False


def test_replace_with_a_stale_resource_version_is_a_conflict(kube, ns):
    # Optimistic concurrency, which the leader election's Lease writes rely on: of two writers that read the
    # same version, the second to write is refused, as the apiserver refuses it, and changes nothing.
    read = kube.create(config_map("cfg", who="nobody"))
    first = kube.replace({**read, "data": {"who": "first"}})
    assert int(first["metadata"]["resourceVersion"]) > int(read["metadata"]["resourceVersion"])
    with pytest.raises(ConflictError, match='configmaps "cfg": the object has been modified') as caught:
        kube.replace({**read, "data": {"who": "second"}})
    assert caught.value.code == 409
    assert caught.value.reason == "Conflict"
    assert kube.get("v1", "ConfigMap", "cfg", ns)["data"] == {"who": "first"}
    unconditional = {**read, "metadata": {k: v for k, v in read["metadata"].items() if k != "resourceVersion"}}
    assert kube.replace({**unconditional, "data": {"who": "third"}})["data"] == {"who": "third"}


def test_strategic_merge_patch_merges_containers_by_name(kube, ns):
    kube.apply(deployment())
    sidecar = {"spec": {"template": {"spec": {"containers": [{"name": "log", "image": "busybox"}]}}}}
    patched = kube.patch("apps/v1", "Deployment", "web", sidecar, namespace=ns, patch_type="strategic")
    # Order left out: the apiserver puts a new item first (strategicpatch normalizeElementOrder), the sim appends.
    assert sorted(c["name"] for c in patched["spec"]["template"]["spec"]["containers"]) == ["log", "web"]


def test_delete_dry_run_keeps_the_object(kube, ns):
    kube.apply(config_map("a"))
    assert kube.delete("v1", "ConfigMap", "a", ns, dry_run=True) is True
    assert kube.get("v1", "ConfigMap", "a", ns) is not None


def test_delete_propagation_is_sent(kube, ns, sim):
    kube.apply(deployment())
    kube.delete("apps/v1", "Deployment", "web", ns, propagation="Foreground")
    assert "propagationPolicy=Foreground" in sim.requests[-1].path


def test_create_with_generate_name_and_already_exists(kube, ns):
    hook = config_map("ignored")
    hook["metadata"] = {"generateName": "hook-", "namespace": ns}
    created = kube.create(hook)
    assert created["metadata"]["name"].startswith("hook-")
    assert managers(created) == {"wavecd": "Update"}
    kube.create(config_map("fixed"))
    with pytest.raises(AlreadyExistsError, match='configmaps "fixed" already exists'):
        kube.create(config_map("fixed"))


@pytest.mark.parametrize(
    ("obj", "text"),
    [
        ({"kind": "ConfigMap", "metadata": {"name": "x"}}, "apiVersion not set"),
        ({"apiVersion": "v1", "metadata": {"name": "x"}}, "kind not set"),
        ({"apiVersion": "v1", "kind": "ConfigMap"}, "metadata not set"),
        ({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {}}, "metadata.name: Required value"),
        (["not", "a", "mapping"], "must be a mapping"),
    ],
)
def test_malformed_objects_are_clear_errors(kube, obj, text):
    with pytest.raises(InvalidError, match=text) as caught:
        kube.apply(obj)
    assert isinstance(caught.value, KubeError)


@pytest.mark.parametrize("name", ["", None])
def test_single_object_calls_need_a_name(kube, name):
    with pytest.raises(InvalidError, match="a resource name is required"):
        kube.get("v1", "ConfigMap", name, "default")
    with pytest.raises(InvalidError, match="a resource name is required"):
        kube.delete("v1", "ConfigMap", name, "default")


def test_custom_resources_take_merge_and_json_patches_but_not_strategic(kube, sim, ns):
    """The apiserver offers no strategic merge patch for custom resources (415, its accepted types listed)."""
    kube.apply(widget_crd())
    sim.advance(0.2)
    kube.apply({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w", "namespace": ns}})
    merged = kube.patch("example.com/v1", "Widget", "w", {"spec": {"size": 2}}, namespace=ns)
    assert merged["spec"] == {"size": 2}
    with pytest.raises(KubeError) as caught:
        kube.patch("example.com/v1", "Widget", "w", {"spec": {"size": 3}}, namespace=ns, patch_type="strategic")
    assert (caught.value.code, caught.value.reason) == (415, "UnsupportedMediaType")
    assert caught.value.message == (
        "the body of the request was in an unknown format - accepted media types include: "
        "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml"
    )
