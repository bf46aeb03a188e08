"""The tree's gate (a wave-1 app waits for every wave-0 app to be Healthy) and the Applications wavecd
records in `argocd` as Argo CD's controller would."""

from __future__ import annotations

import yaml

from support.gitops import REPO_URL, ROOT, Child, application, config_map, deployment, write_repo
from wavecd.apps.session import TreeRequest, open_tree
from wavecd.plan import ResourceSelector, plan_tree
from wavecd.sync.status import tree_status

READY_AFTER = "sim.wavecd.io/ready-after"


def test_an_app_of_a_later_tree_wave_waits_for_the_earlier_ones(cluster, tmp_path):
    children = [
        Child("first", [deployment("web", annotations={READY_AFTER: "5s"})], wave=0),
        Child("second", [config_map("settings", "later")], wave=1, namespace="later"),
    ]
    while_progressing = []

    def observe(event):
        if event["event"] == "waiting" and event["app"] == "first":
            while_progressing.append(
                (
                    [b["health"] for b in event["blockers"]],
                    cluster.exists("v1", "ConfigMap", "settings", "later"),
                    cluster.exists("v1", "Namespace", "later"),
                    cluster.exists("argoproj.io/v1alpha1", "Application", "second", "argocd"),
                )
            )

    run = cluster.sync(write_repo(tmp_path, children), on_event=observe)

    assert run.result.exit_code == 0, run.result.message
    assert while_progressing
    assert all(
        health == ["Progressing"] and (config, ns, app) == (False, False, False)
        for health, config, ns, app in while_progressing
    )
    names = [(e["event"], e.get("app")) for e in run.events]
    assert names.index(("app_finished", "first")) < names.index(("app_started", "second"))
    [finished] = run.of("app_finished", app="first")
    assert finished["health"] == "Healthy"
    assert cluster.exists("v1", "ConfigMap", "settings", "later")


def test_applications_are_recorded_with_their_health_and_sync_status(cluster, tmp_path):
    children = [Child("first", [config_map("a")], wave=0), Child("second", [deployment("web")], wave=1)]
    run = cluster.sync(write_repo(tmp_path, children))

    assert run.result.exit_code == 0, run.result.message
    for name in (ROOT, "first", "second"):
        app = cluster.get("argoproj.io/v1alpha1", "Application", name, "argocd")
        assert app is not None, name
        assert app["status"]["health"]["status"] == "Healthy", name
        assert app["status"]["sync"]["status"] == "Synced", name


def test_a_selection_syncs_only_its_apps_in_tree_order_with_the_gates(cluster, tmp_path):
    """The controller's auto-sync of what changed: the named apps go wave by wave, the root is left alone."""
    children = [
        Child("first", [deployment("web", annotations={READY_AFTER: "5s"})], wave=0),
        Child("middle", [config_map("untouched", "middle")], wave=1, namespace="middle"),
        Child("last", [config_map("settings", "later")], wave=2, namespace="later"),
    ]
    run = cluster.sync(write_repo(tmp_path, children), only={"last", "first"})

    assert run.result.exit_code == 0, run.result.message
    started = [e["app"] for e in run.events if e["event"] == "app_started"]
    assert started == ["first", "last"]
    names = [(e["event"], e.get("app")) for e in run.events]
    assert names.index(("app_finished", "first")) < names.index(("app_started", "last"))
    [plan] = run.of("plan")
    assert plan["waves"] == [{"wave": 0, "apps": ["first"]}, {"wave": 2, "apps": ["last"]}]
    assert not cluster.exists("v1", "ConfigMap", "untouched", "middle")
    assert not cluster.exists("argoproj.io/v1alpha1", "Application", ROOT, "argocd")
    assert cluster.exists("v1", "ConfigMap", "settings", "later")
    assert run.events[-1]["apps"] == {"Healthy": 2}


def test_a_selective_sync_applies_only_the_named_resources(cluster, tmp_path):
    children = [Child("first", [config_map("chosen"), config_map("left-alone")], wave=0)]
    run = cluster.sync(
        write_repo(tmp_path, children),
        only={"first"},
        resources={"first": [ResourceSelector("", "ConfigMap", "chosen")]},
    )

    assert run.result.exit_code == 0, run.result.message
    assert cluster.exists("v1", "ConfigMap", "chosen", "apps")
    assert not cluster.exists("v1", "ConfigMap", "left-alone", "apps")
    assert [(e["kind"], e["resource"]) for e in run.of("applied")] == [("Namespace", "apps"), ("ConfigMap", "chosen")]


def test_an_applicationset_root_is_recorded_and_its_generated_apps_synced(cluster, tmp_path):
    repo = write_repo(tmp_path, [Child("a", [config_map("cm", "env-a")]), Child("b", [config_map("cm", "env-b")])])
    template = application("{{.name}}", "manifests/{{.name}}", namespace="env-{{.name}}", repo=REPO_URL)
    template["metadata"] = {"name": "{{.name}}"}
    template["spec"]["syncPolicy"] = {"syncOptions": ["CreateNamespace=true"]}
    root = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "ApplicationSet",
        "metadata": {"name": "envs", "namespace": "argocd"},
        "spec": {
            "goTemplate": True,
            "generators": [{"list": {"elements": [{"name": "a"}, {"name": "b"}]}}],
            "template": {"metadata": template["metadata"], "spec": template["spec"]},
        },
    }
    (repo / "root.yaml").write_text(yaml.safe_dump(root))

    run = cluster.sync(repo)

    assert run.result.exit_code == 0, run.result.message
    assert {(e["app"], e["health"], e["sync"]) for e in run.of("app_finished")} == {
        ("envs", "Healthy", "Synced"),
        ("a", "Healthy", "Synced"),
        ("b", "Healthy", "Synced"),
    }
    assert cluster.exists("argoproj.io/v1alpha1", "ApplicationSet", "envs", "argocd")
    assert cluster.get("v1", "ConfigMap", "cm", "env-b")["data"] == {"key": "cm"}
    generated = cluster.get("argoproj.io/v1alpha1", "Application", "a", "argocd")
    assert generated["status"]["health"]["status"] == "Healthy"
    # `wavecd status` of the same root: the generated apps, each Healthy and Synced
    _, tree = open_tree(TreeRequest(root=repo, use_cache=False))
    statuses = tree_status(plan_tree(tree), cluster.kube, lambda name, _facts: tree.node(name).manifests)
    assert [(s.app, s.health, s.sync) for s in statuses] == [("a", "Healthy", "Synced"), ("b", "Healthy", "Synced")]
