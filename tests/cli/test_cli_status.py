"""`wavecd status` on the staging example, against an in-process simulated cluster: before any sync, after the
engine's sync, and after someone edits the cluster behind its back."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from support.gitops import REPO_URL, Child, application, config_map, namespace, write_files, write_repo
from support.paths import STAGING
from support.sim import SimTime, unreachable_kubeconfig
from wavecd.apps.session import TreeRequest, open_session
from wavecd.cli.main import main
from wavecd.kube import KubeClient
from wavecd.plan import plan_tree
from wavecd.sim.cluster import SimCluster
from wavecd.sync.settings import ClusterFacts, SyncSettings
from wavecd.sync.tree_sync import sync_tree

# Rendered only once kube-prometheus-stack (tree wave -1) has installed the monitoring CRDs, so the first
# sync of the tree (which renders it at wave -2) leaves it OutOfSync, exactly as Argo CD would.


def status(*args: str) -> Result:
    return CliRunner().invoke(main, ["status", *args])


def status_json(kubeconfig: Path) -> tuple[int, dict[str, Any]]:
    result = status(str(STAGING), "--kubeconfig", str(kubeconfig), "-o", "json")
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, json.loads(result.stdout)


def sync_staging(sim: SimCluster) -> None:
    session = open_session(TreeRequest(root=STAGING))

    def render(name: str, facts: ClusterFacts) -> list[dict[str, Any]]:
        return session.render_at(name, facts.kube_version, facts.api_versions)

    with KubeClient.for_server(sim.url) as client:
        result = sync_tree(
            plan_tree(session.tree),
            client,
            render,
            settings=SyncSettings(),
            clock=SimTime(sim),
            emit=lambda event: None,
        )
    assert result.exit_code == 0, result.message


def staging_apps() -> list[tuple[str, int | None]]:
    """Every Application of the staging tree in sync order, with its tree wave."""
    plan = plan_tree(open_session(TreeRequest(root=STAGING)).tree)
    return [(node.name, plan.wave_of(node.name)) for node in plan.order]


def test_before_any_sync_every_app_with_resources_is_missing(kubeconfig):
    code, doc = status_json(kubeconfig)
    assert code == 1
    assert [(a["app"], a["wave"]) for a in doc["apps"]] == staging_apps()
    assert (doc["health"], doc["sync"]) == ("Missing", "OutOfSync")
    with_resources = [a for a in doc["apps"] if a["outOfSync"]]
    assert len(with_resources) == len(doc["apps"]) - 1  # the monitoring app renders nothing without its CRDs
    for app in with_resources:
        assert (app["health"], app["sync"]) == ("Missing", "OutOfSync"), app["app"]
        assert {r["reason"] for r in app["outOfSync"]} == {"missing"}
    root = doc["apps"][0]
    assert {(r["kind"], r["namespace"]) for r in root["outOfSync"]} >= {("Application", "argocd")}


@pytest.mark.slow
def test_after_a_sync_healthy_and_synced_until_someone_edits_the_cluster(sim, kubeconfig):
    sync_staging(sim)
    code, doc = status_json(kubeconfig)
    assert (code, doc["health"], doc["sync"]) == (0, "Healthy", "Synced")
    assert all((a["health"], a["sync"], a["outOfSync"]) == ("Healthy", "Synced", []) for a in doc["apps"])
    with KubeClient.for_server(sim.url) as client:  # rendered only once kube-prometheus-stack's CRDs exist
        assert client.get("monitoring.coreos.com/v1", "PodMonitor", "envoy-stats", "istio-system") is not None
        assert client.get("monitoring.coreos.com/v1", "ServiceMonitor", "istiod", "istio-system") is not None

    with KubeClient.for_server(sim.url) as client:  # a field the chart sets (3), edited by hand
        client.patch(
            "apps/v1",
            "Deployment",
            "api-gateway",
            {"spec": {"revisionHistoryLimit": 10}},
            namespace="staging-webs",
            field_manager="kubectl-edit",
        )
    code, doc = status_json(kubeconfig)
    assert (code, doc["health"], doc["sync"]) == (1, "Healthy", "OutOfSync")
    drifted = [
        (a["app"], r["kind"], r["namespace"], r["name"], r["reason"]) for a in doc["apps"] for r in a["outOfSync"]
    ]
    assert drifted == [("staging-api-gateway", "Deployment", "staging-webs", "api-gateway", "differs")]


def test_the_table_names_every_app_with_its_wave_health_and_sync(kubeconfig):
    result = status(str(STAGING), "--kubeconfig", str(kubeconfig))
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0].split()[:5] == ["NAME", "WAVE", "HEALTH", "SYNC", "MESSAGE"]
    assert lines[1].split()[:4] == ["root-staging", "-", "Missing", "OutOfSync"]
    assert lines[1].split()[4:5] == ["Application"]
    assert "argocd/ai-servic" in lines[1]  # the message is cut to the terminal's width
    assert [line.split()[0] for line in lines[1:]] == [name for name, _ in staging_apps()]


def test_a_bad_root_is_one_clear_line_and_exit_2(kubeconfig, tmp_path):
    result = status(str(tmp_path / "nowhere"), "--kubeconfig", str(kubeconfig))
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: ROOT ")
    assert "Traceback" not in result.output


def test_a_missing_kubeconfig_is_bad_input(tmp_path):
    result = status(str(STAGING), "--kubeconfig", str(tmp_path / "nope"))
    assert result.exit_code == 2
    assert result.stderr == f"Error: stat {tmp_path / 'nope'}: no such file or directory\n"


def test_an_unknown_context_is_bad_input(kubeconfig):
    result = status(str(STAGING), "--kubeconfig", str(kubeconfig), "--context", "prod")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: context was not found for specified context: prod")


def test_an_unreachable_cluster_is_exit_1_with_a_clear_message(tmp_path):
    path = tmp_path / "kubeconfig"
    port = unreachable_kubeconfig(path)
    result = status(str(STAGING), "--kubeconfig", str(path))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: The connection to the server 127.0.0.1:{port} was refused")
    assert "Traceback" not in result.output


def test_an_app_that_fails_to_render_is_unknown_with_its_error(kubeconfig, tmp_path):
    repo = write_repo(tmp_path / "repo", [])
    gone = application("gone", "no/such/folder", wave=3, namespace="shop", repo=REPO_URL)
    write_files(repo, {"apps/gone.yaml": gone})
    result = status(str(repo), "--kubeconfig", str(kubeconfig), "-o", "json")
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    assert [(a["app"], a["wave"], a["health"], a["sync"]) for a in doc["apps"]] == [
        ("root", None, "Missing", "OutOfSync"),
        ("gone", 3, "Unknown", "Unknown"),
    ]
    assert "no/such/folder: app path does not exist" in doc["apps"][1]["error"]
    assert (doc["health"], doc["sync"]) == ("Unknown", "OutOfSync")


def write_shop_repo(repo: Path, config_maps: list[str]) -> Path:
    """A root over one app, `shop`, whose folder holds its namespace and the named ConfigMaps (rewritten)."""
    manifests = [namespace("shop"), *(config_map(name, "shop") for name in config_maps)]
    return write_repo(repo, [Child("shop", manifests, namespace="shop", sync_policy=None)])


def sync_repo(sim: SimCluster, repo: Path, settings: SyncSettings) -> None:
    session = open_session(TreeRequest(root=repo, use_cache=False))

    def render(name: str, facts: ClusterFacts) -> list[dict[str, Any]]:
        return session.render_at(name, facts.kube_version, facts.api_versions)

    with KubeClient.for_server(sim.url) as client:
        sync_tree(
            plan_tree(session.tree), client, render, settings=settings, clock=SimTime(sim), emit=lambda event: None
        )


def test_an_object_removed_from_git_but_not_pruned_is_out_of_sync_until_a_prune(sim, kubeconfig, tmp_path):
    repo = write_shop_repo(tmp_path / "repo", ["settings", "old"])
    sync_repo(sim, repo, SyncSettings())
    assert status(str(repo), "--kubeconfig", str(kubeconfig)).exit_code == 0

    write_shop_repo(repo, ["settings"])
    sync_repo(sim, repo, SyncSettings())
    result = status(str(repo), "--kubeconfig", str(kubeconfig), "-o", "json")
    assert result.exit_code == 1
    shop = json.loads(result.stdout)["apps"][1]
    assert (shop["app"], shop["health"], shop["sync"]) == ("shop", "Healthy", "OutOfSync")
    assert shop["outOfSync"] == [
        {
            "group": "",
            "kind": "ConfigMap",
            "namespace": "shop",
            "name": "old",
            "status": "OutOfSync",
            "reason": "extra (requires pruning)",
        }
    ]
    table = status(str(repo), "--kubeconfig", str(kubeconfig))
    assert table.exit_code == 1
    assert "ConfigMap shop/old extra (requires pruning)" in table.stdout

    sync_repo(sim, repo, SyncSettings(prune=True))
    with KubeClient.for_server(sim.url) as client:
        assert client.get("v1", "ConfigMap", "old", "shop") is None
    result = status(str(repo), "--kubeconfig", str(kubeconfig), "-o", "json")
    assert result.exit_code == 0, result.stdout
    assert all(a["sync"] == "Synced" for a in json.loads(result.stdout)["apps"])
