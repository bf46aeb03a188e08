"""An app's status (health + sync) and the tree's, read from an in-process simulated cluster on a manual clock."""

from __future__ import annotations

from typing import Any

from wavecd.apps.model import Destination
from wavecd.apps.node import AppNode
from wavecd.core import UserInputError
from wavecd.kube import KubeClient
from wavecd.plan import TreePlan, TreeWave
from wavecd.sync.compare import desired_body
from wavecd.sync.inventory import tracked_by_instance
from wavecd.sync.settings import ClusterFacts
from wavecd.sync.status import app_status, tree_status

NS = "shop"


def manifests() -> list[dict[str, Any]]:
    labels = {"app": "web"}
    return [
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NS}},
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "settings", "namespace": NS},
            "data": {"level": "1"},
        },
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "web", "namespace": NS},
            "spec": {
                "replicas": 1,
                "selector": {"matchLabels": labels},
                "template": {
                    "metadata": {"labels": labels},
                    "spec": {"containers": [{"name": "web", "image": "nginx:1.25"}]},
                },
            },
        },
        {
            "apiVersion": "batch/v1",
            "kind": "Job",
            "metadata": {"name": "migrate", "namespace": NS, "annotations": {"argocd.argoproj.io/hook": "PreSync"}},
            "spec": {"template": {"spec": {"restartPolicy": "Never", "containers": [{"name": "m", "image": "m"}]}}},
        },
    ]


def sync(kube: KubeClient, objects: list[dict[str, Any]], instance: str) -> None:
    for obj in objects:
        if "annotations" not in obj["metadata"]:
            kube.apply(desired_body(obj, instance, NS, kube.is_namespaced(obj["apiVersion"], obj["kind"])))


def test_an_app_never_synced_is_missing_and_out_of_sync(kube):
    status = app_status(kube, "shop", manifests(), NS)
    assert (status.app, status.health, status.sync, status.error) == ("shop", "Missing", "OutOfSync", "")
    assert [(r.ref, r.reason) for r in status.out_of_sync] == [
        ("Namespace:shop", "missing"),
        ("ConfigMap:shop/settings", "missing"),
        ("apps/Deployment:shop/web", "missing"),
    ]


def test_synced_at_once_healthy_when_the_rollout_is_done(sim, kube):
    sync(kube, manifests(), "shop")
    status = app_status(kube, "shop", manifests(), NS)
    assert (status.health, status.sync, status.out_of_sync) == ("Progressing", "Synced", [])
    assert "apps/Deployment:shop/web" in status.health_message
    sim.advance(60)
    status = app_status(kube, "shop", manifests(), NS)
    assert (status.health, status.health_message, status.sync) == ("Healthy", "", "Synced")


def test_an_app_outside_argocd_tracks_as_namespace_underscore_name(sim, kube):
    sync(kube, manifests(), "team_shop")
    sim.advance(60)
    assert app_status(kube, "shop", manifests(), NS, app_namespace="team").sync == "Synced"
    elsewhere = app_status(kube, "shop", manifests(), NS)
    assert elsewhere.sync == "OutOfSync"
    assert {r.reason for r in elsewhere.out_of_sync} == {"not tracked by this app"}


def test_a_dry_run_the_server_refuses_makes_sync_unknown(sim, kube):
    sync(kube, manifests(), "shop")
    sim.advance(60)
    broken = manifests()
    broken[1]["data"] = "not a map"
    status = app_status(kube, "shop", broken, NS)
    assert (status.health, status.sync, status.out_of_sync) == ("Healthy", "Unknown", [])
    assert status.error.startswith("ConfigMap:shop/settings: the server refused its dry run: ")


def node(name: str, wave: int | None, parent: str | None = None, app_namespace: str = "argocd") -> AppNode:
    return AppNode(
        name=name,
        kind="Application",
        namespace=app_namespace,
        parent=parent,
        depth=0 if parent is None else 1,
        wave=wave,
        source="directory",
        obj={},
        destination=Destination(namespace=NS),
    )


def test_tree_status_renders_each_app_with_the_cluster_facts_in_sync_order(sim, kube):
    root, web, later, broken, unrenderable = (
        node("root", None),
        node("web", 0, "root"),
        node("later", 5, "root"),
        node("broken", 0, "root"),
        node("unrenderable", 5, "root"),
    )
    plan = TreePlan(
        root=root,
        waves=(TreeWave(0, (web, broken)), TreeWave(5, (later, unrenderable))),
        errors={"broken": "values.yaml:3: mapping values are not allowed here"},
    )
    sync(kube, manifests(), "web")
    sim.advance(60)
    asked: list[tuple[str, ClusterFacts]] = []

    def render(name: str, facts: ClusterFacts) -> list[dict[str, Any]]:
        asked.append((name, facts))
        if name == "unrenderable":
            raise UserInputError("chart needs kubeVersion >= 9.0")
        return manifests() if name == "web" else []

    statuses = tree_status(plan, kube, render)
    assert [(s.app, s.health, s.sync) for s in statuses] == [
        ("root", "Healthy", "Synced"),
        ("web", "Healthy", "Synced"),
        ("broken", "Unknown", "Unknown"),
        ("later", "Healthy", "Synced"),
        ("unrenderable", "Unknown", "Unknown"),
    ]
    assert statuses[2].error == "values.yaml:3: mapping values are not allowed here"
    assert statuses[4].error == "chart needs kubeVersion >= 9.0"
    assert [name for name, _ in asked] == ["root", "web", "later", "unrenderable"]
    facts = asked[0][1]
    assert facts.kube_version == kube.server_version().git_version
    assert "apps/v1" in facts.api_versions


def config_map(name: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": NS}, "data": {"k": name}}


def test_an_object_left_to_prune_makes_the_app_out_of_sync_but_not_less_healthy(sim, kube):
    sync(kube, [*manifests(), config_map("old")], "shop")
    sim.advance(60)
    status = app_status(kube, "shop", manifests(), NS, live_tracked=tracked_by_instance(kube)["shop"])
    assert (status.health, status.sync) == ("Healthy", "OutOfSync")
    assert [(r.ref, r.reason) for r in status.out_of_sync] == [("ConfigMap:shop/old", "extra (requires pruning)")]


def test_tree_status_finds_each_apps_extras_by_its_tracking_instance(sim, kube):
    """`web` lives in argocd (instance `web`), `later` in `team` (instance `team_later`); an object tracked by
    `later`-the-argocd-app is another app's, and the root tracks nothing left over."""
    root, web, later = node("root", None), node("web", 0, "root"), node("later", 5, "root", app_namespace="team")
    plan = TreePlan(root=root, waves=(TreeWave(0, (web,)), TreeWave(5, (later,))), errors={})
    sync(kube, [*manifests(), config_map("old")], "web")
    sync(kube, [config_map("kept"), config_map("leftover")], "team_later")
    sync(kube, [config_map("foreign")], "later")
    sim.advance(60)

    def render(name: str, facts: ClusterFacts) -> list[dict[str, Any]]:
        return {"web": manifests(), "later": [config_map("kept")]}.get(name, [])

    statuses = tree_status(plan, kube, render)
    assert [(s.app, s.health, s.sync, [(r.ref, r.reason) for r in s.out_of_sync]) for s in statuses] == [
        ("root", "Healthy", "Synced", []),
        ("web", "Healthy", "OutOfSync", [("ConfigMap:shop/old", "extra (requires pruning)")]),
        ("later", "Healthy", "OutOfSync", [("ConfigMap:shop/leftover", "extra (requires pruning)")]),
    ]
