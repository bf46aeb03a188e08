"""Syncs that must change nothing: `--dry-run` (on a synced cluster and on an empty one) and a second sync of
an unchanged tree — every resourceVersion, the Applications' included, stays as it was."""

from __future__ import annotations

from sync_fixtures import settings

from support.gitops import Child, config_map, crd, custom, deployment, namespace, write_repo

DRY_RUN = settings(dry_run=True)


def _tree():
    return [
        Child("infra", [namespace("team"), crd("example.com", "Widget", "widgets")], wave=0, sync_policy=None),
        Child("plain", [config_map("settings"), deployment("web")], wave=0),
        Child(
            "svc",
            [custom("example.com", "Widget", "w", "team"), config_map("svc-settings", "team")],
            wave=1,
            namespace="team",
            sync_policy=None,
        ),
    ]


def test_dry_run_on_a_synced_cluster_changes_nothing(cluster, tmp_path):
    repo = write_repo(tmp_path, _tree())
    first = cluster.sync(repo)
    assert first.result.exit_code == 0, first.result.message
    before = cluster.versions()

    run = cluster.sync(repo, DRY_RUN)

    assert (run.result.phase, run.result.exit_code) == ("Succeeded", 0)
    assert run.of("summary")[0]["dry_run"] is True
    assert cluster.versions() == before
    assert {e["result"] for e in run.of("applied")} == {"unchanged"}
    assert {e["sync"] for e in run.of("app_finished")} == {"Synced"}


def test_dry_run_on_an_empty_cluster_creates_nothing(cluster, tmp_path):
    before = cluster.versions()

    run = cluster.sync(write_repo(tmp_path, _tree()), DRY_RUN)

    assert run.result.phase == "Succeeded", run.result.message
    assert cluster.versions() == before
    skipped = {(e["kind"], e["namespace"], e["resource"]): e["message"] for e in run.of("applied", result="skipped")}
    assert skipped == {
        ("Widget", "team", "w"): "its CRD is applied earlier in this sync; the server cannot check it yet",
        ("ConfigMap", "team", "svc-settings"): "namespace team is created earlier in this sync",
        ("ConfigMap", "apps", "settings"): "namespace apps is created earlier in this sync",
        ("Deployment", "apps", "web"): "namespace apps is created earlier in this sync",
    }
    assert {e["result"] for e in run.of("applied") if e["result"] != "skipped"} == {"created"}


def test_a_dry_run_the_server_accepts_exits_0_on_an_empty_cluster(cluster, tmp_path):
    run = cluster.sync(write_repo(tmp_path, _tree()), DRY_RUN)

    assert run.result.exit_code == 0
    assert run.of("summary")[0]["exit_code"] == 0


def test_a_second_sync_of_an_unchanged_tree_changes_nothing(cluster, tmp_path):
    repo = write_repo(tmp_path, _tree())
    first = cluster.sync(repo)
    assert first.result.exit_code == 0, first.result.message
    before = cluster.versions()

    run = cluster.sync(repo)

    assert run.result.exit_code == 0, run.result.message
    assert run.of("applied")
    assert {e["result"] for e in run.of("applied")} == {"unchanged"}
    assert cluster.versions() == before


def test_dry_run_reports_what_would_change_and_changes_nothing(cluster, tmp_path):
    assert cluster.sync(write_repo(tmp_path, _tree())).result.exit_code == 0
    before = cluster.versions()
    tree = _tree()
    tree[1].manifests[0]["data"] = {"key": "new value"}

    run = cluster.sync(write_repo(tmp_path, tree), DRY_RUN)

    assert run.result.exit_code == 0, run.result.message
    changed = [(e["resource"], e["result"], e["message"]) for e in run.of("applied") if e["result"] != "unchanged"]
    assert changed == [("settings", "configured", "dry run")]
    would = {e["app"]: (e["sync"], e.get("message")) for e in run.of("app_finished") if e["sync"] != "Synced"}
    assert would == {tree[1].name: ("OutOfSync", "dry run: 1 object would be created or changed")}
    assert cluster.versions() == before
    assert cluster.get("v1", "ConfigMap", "settings", "apps")["data"] == {"key": "settings"}
