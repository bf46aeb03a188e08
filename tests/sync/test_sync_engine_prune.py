"""Prune (Argo CD `util/argo/resource_tracking.go`, gitops-engine `pkg/sync/sync_context.go` `pruneObject`):
only objects whose tracking annotation names the app — and names the object itself — are deleted, only with
pruning on, and never one that opts out with `Prune=false`."""

from __future__ import annotations

from sync_fixtures import settings

from support.gitops import Child, config_map, deployment, write_repo

TRACKING = "argocd.argoproj.io/tracking-id"
PRUNE = settings(prune=True)


def _foreign(cluster):
    """Objects beside the app's, in its namespace, that no prune of app `one` may touch."""
    for name, notes in (
        ("untracked", {}),
        ("other-app", {TRACKING: "other:/ConfigMap:apps/other-app"}),
        ("copied", {TRACKING: "one:/ConfigMap:apps/keep"}),  # copied from `keep`: names another object
    ):
        cluster.kube.apply(
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": name, "namespace": "apps", "annotations": notes},
            },
            field_manager="someone-else",
        )
    return {
        name: cluster.get("v1", "ConfigMap", name, "apps")["metadata"]["resourceVersion"]
        for name in ("untracked", "other-app", "copied")
    }


def _app(*manifests):
    """App `one` into the namespace `apps`, which the test creates (CreateNamespace=true is tested apart)."""
    return [Child("one", list(manifests), sync_policy=None)]


def _first_sync(cluster, repo, gone):
    cluster.kube.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "apps"}})
    run = cluster.sync(write_repo(repo, _app(config_map("keep"), gone)))
    assert run.result.exit_code == 0, run.result.message
    return _foreign(cluster)


def test_prune_deletes_what_the_app_tracked_and_nothing_else(cluster, tmp_path):
    before = _first_sync(cluster, tmp_path, config_map("removed"))

    run = cluster.sync(write_repo(tmp_path, _app(config_map("keep"))), PRUNE)

    assert run.result.exit_code == 0, run.result.message
    assert [(e["kind"], e["resource"], e["result"]) for e in run.of("pruned")] == [("ConfigMap", "removed", "pruned")]
    assert not cluster.exists("v1", "ConfigMap", "removed", "apps")
    assert cluster.exists("v1", "ConfigMap", "keep", "apps")
    after = {name: cluster.get("v1", "ConfigMap", name, "apps")["metadata"]["resourceVersion"] for name in before}
    assert after == before
    [finished] = run.of("app_finished", app="one")
    assert finished["sync"] == "Synced"


def test_without_prune_a_removed_object_is_reported_and_the_app_is_out_of_sync(cluster, tmp_path):
    _first_sync(cluster, tmp_path, config_map("removed"))

    run = cluster.sync(write_repo(tmp_path, _app(config_map("keep"))))

    assert [(e["resource"], e["result"]) for e in run.of("pruned")] == [("removed", "skipped")]
    assert cluster.exists("v1", "ConfigMap", "removed", "apps")
    [finished] = run.of("app_finished", app="one")
    assert finished["sync"] == "OutOfSync"
    app = cluster.get("argoproj.io/v1alpha1", "Application", "one", "argocd")
    assert app["status"]["sync"]["status"] == "OutOfSync"


def test_prune_false_keeps_the_object(cluster, tmp_path):
    opted_out = config_map("removed", annotations={"argocd.argoproj.io/sync-options": "Prune=false"})
    _first_sync(cluster, tmp_path, opted_out)

    run = cluster.sync(write_repo(tmp_path, _app(config_map("keep"))), PRUNE)

    assert [(e["resource"], e["result"]) for e in run.of("pruned")] == [("removed", "skipped")]
    assert cluster.exists("v1", "ConfigMap", "removed", "apps")


def test_prune_never_deletes_the_namespace_create_namespace_made(cluster, tmp_path):
    first = cluster.sync(write_repo(tmp_path, [Child("one", [config_map("keep"), config_map("removed")])]))
    assert first.result.exit_code == 0, first.result.message

    run = cluster.sync(write_repo(tmp_path, [Child("one", [config_map("keep")])]), PRUNE)

    assert [(e["kind"], e["resource"]) for e in run.of("pruned")] == [("ConfigMap", "removed")]
    assert run.result.exit_code == 0, run.result.message
    assert cluster.exists("v1", "ConfigMap", "keep", "apps")


def test_prunes_run_in_reversed_waves_and_prune_last_after_everything(cluster, tmp_path):
    cluster.kube.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "apps"}})
    last = config_map("old-last", annotations={"argocd.argoproj.io/sync-options": "PruneLast=true"})
    repo = write_repo(
        tmp_path, _app(config_map("keep"), deployment("old", wave=1), config_map("old-early", wave=-1), last)
    )
    assert cluster.sync(repo).result.exit_code == 0

    run = cluster.sync(write_repo(tmp_path, _app(config_map("keep"), config_map("new", wave=2))), PRUNE)

    assert run.result.exit_code == 0, run.result.message
    steps = [(e["event"], e["resource"], e["resource_wave"]) for e in run.events if e["event"] in ("applied", "pruned")]
    assert steps == [
        ("pruned", "old", -1),
        ("applied", "keep", 0),
        ("pruned", "old-early", 1),
        ("applied", "new", 2),
        ("pruned", "old-last", 3),
    ]
    assert cluster.kube.list("apps/v1", "ReplicaSet", "apps") == []  # the Deployment went with its dependents


def test_an_object_kept_by_prune_false_leaves_the_app_out_of_sync(cluster, tmp_path):
    opted_out = config_map("removed", annotations={"argocd.argoproj.io/sync-options": "Prune=false"})
    _first_sync(cluster, tmp_path, opted_out)

    run = cluster.sync(write_repo(tmp_path, _app(config_map("keep"))), PRUNE)

    [finished] = run.of("app_finished", app="one")
    assert finished["sync"] == "OutOfSync"
