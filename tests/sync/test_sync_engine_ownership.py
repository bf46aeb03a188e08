"""Who owns what, and what happens when that changes: objects moving between apps, apps leaving the tree,
apps outside the control-plane namespace, objects deleted behind the sync's back, hooks kept for their logs."""

from __future__ import annotations

import yaml
from sync_fixtures import settings

from support.gitops import Child, config_map, deployment, job, write_repo

TRACKING_ID = "argocd.argoproj.io/tracking-id"
OUTCOME = "sim.wavecd.io/outcome"
READY_AFTER = "sim.wavecd.io/ready-after"


def test_prune_leaves_an_object_another_app_took_over_in_the_same_sync(cluster, tmp_path):
    # `moved` belongs to `later` (wave 1); the commit moves it to `earlier` (wave 0). `earlier` takes it over
    # first, so when `later` prunes what it no longer renders, the object is someone else's: kept.
    repo = write_repo(
        tmp_path,
        [Child("earlier", [config_map("e")], wave=0), Child("later", [config_map("moved"), config_map("l")], wave=1)],
    )
    assert cluster.sync(repo).result.exit_code == 0
    write_repo(
        tmp_path,
        [Child("earlier", [config_map("e"), config_map("moved")], wave=0), Child("later", [config_map("l")], wave=1)],
    )

    run = cluster.sync(repo, settings(prune=True))

    assert run.result.exit_code == 0, run.result.message
    moved = cluster.get("v1", "ConfigMap", "moved", "apps")
    assert moved is not None
    assert moved["metadata"]["annotations"][TRACKING_ID] == "earlier:/ConfigMap:apps/moved"
    [skipped] = run.of("pruned", app="later", resource="moved")
    assert (skipped["result"], skipped["message"]) == ("skipped", "now tracked by another app")


def test_an_app_removed_from_the_tree_takes_its_resources_with_it(cluster, tmp_path):
    # The Application carries Argo CD's resources finalizer: pruning it deletes what it tracks, then it goes;
    # what opts out of deletion (`Delete=false`, `helm.sh/resource-policy: keep`) stays, as in Argo CD.
    opted_out = [
        config_map("kept", "gone", annotations={"argocd.argoproj.io/sync-options": "Delete=false"}),
        config_map("helm-kept", "gone", annotations={"helm.sh/resource-policy": "keep"}),
    ]
    leaving = Child("leaves", [config_map("l1", "gone"), config_map("l2", "gone"), *opted_out], namespace="gone")
    repo = write_repo(tmp_path, [Child("stays", [config_map("s")]), leaving])
    manifest = tmp_path / "apps" / "leaves.yaml"
    app = yaml.safe_load(manifest.read_text())
    app["metadata"]["finalizers"] = ["resources-finalizer.argocd.argoproj.io"]
    manifest.write_text(yaml.safe_dump(app))
    assert cluster.sync(repo).result.exit_code == 0
    assert cluster.exists("v1", "ConfigMap", "l1", "gone")
    write_repo(tmp_path, [Child("stays", [config_map("s")])])

    run = cluster.sync(repo, settings(prune=True, timeout=120))

    assert run.result.exit_code == 0, run.result.message
    assert not cluster.exists("argoproj.io/v1alpha1", "Application", "leaves", "argocd")
    assert not cluster.exists("v1", "ConfigMap", "l1", "gone")
    assert not cluster.exists("v1", "ConfigMap", "l2", "gone")
    assert cluster.exists("v1", "ConfigMap", "kept", "gone")
    assert cluster.exists("v1", "ConfigMap", "helm-kept", "gone")
    assert cluster.exists("v1", "ConfigMap", "s", "apps")
    assert cluster.exists("v1", "Namespace", "gone")  # CreateNamespace's namespace is never pruned


def test_an_app_outside_the_argocd_namespace_tracks_as_namespace_underscore_name(cluster, tmp_path):
    cluster.kube.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team-a"}})
    repo = write_repo(tmp_path, [Child("svc", [config_map("c")])])
    manifest = tmp_path / "apps" / "svc.yaml"
    app = yaml.safe_load(manifest.read_text())
    app["metadata"]["namespace"] = "team-a"
    manifest.write_text(yaml.safe_dump(app))

    run = cluster.sync(repo)

    assert run.result.exit_code == 0, run.result.message
    live = cluster.get("v1", "ConfigMap", "c", "apps")
    assert live["metadata"]["annotations"][TRACKING_ID] == "team-a_svc:/ConfigMap:apps/c"
    recorded = cluster.get("argoproj.io/v1alpha1", "Application", "svc", "team-a")
    assert recorded["status"]["health"]["status"] == "Healthy"


def test_an_object_deleted_while_its_wave_waits_fails_the_app_instead_of_waiting_forever(cluster, tmp_path):
    repo = write_repo(
        tmp_path, [Child("one", [deployment("web", annotations={READY_AFTER: "30s"}), config_map("after", wave=1)])]
    )
    deleted = []

    def delete_once_waiting(event):
        if event["event"] == "waiting" and not deleted:
            deleted.append(cluster.kube.delete("apps/v1", "Deployment", "web", "apps"))

    run = cluster.sync(repo, settings(timeout=600), on_event=delete_once_waiting)

    assert deleted == [True]
    assert (run.result.phase, run.result.exit_code) == ("Failed", 1)
    [finished] = run.of("app_finished", app="one")
    assert finished["message"] == "Resource apps/Deployment/web is missing, it might have been deleted"
    assert not cluster.exists("v1", "ConfigMap", "after", "apps")


def test_a_hook_succeeded_hook_is_kept_when_the_sync_then_fails(cluster, tmp_path):
    # gitops-engine deletes HookSucceeded hooks only when the whole operation succeeds: its logs stay for the
    # user who has to find out why the sync failed.
    hook = job("migrate", hook="PreSync", annotations={"argocd.argoproj.io/hook-delete-policy": "HookSucceeded"})
    repo = write_repo(tmp_path, [Child("one", [hook, deployment("web", annotations={OUTCOME: "fail"})])])

    run = cluster.sync(repo, settings(timeout=600))

    assert run.result.exit_code == 1
    assert run.of("hook_deleted") == []
    assert cluster.exists("batch/v1", "Job", "migrate", "apps")
