"""The operation runner against the in-process simulated cluster: what an operation applies and prunes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from support.gitops import CREATE_NAMESPACE, Child, config_map, deployment, write_repo
from support.sim import SimTime
from wavecd.apps.session import TreeRequest
from wavecd.common import APPLICATION, ARGO_API_VERSION
from wavecd.server.operation_runner import OperationRunner, PendingOperation
from wavecd.server.tree_state import walk
from wavecd.sync.settings import SyncSettings

PRUNED_BY_AUTO_SYNC = {"automated": {"prune": True}, **CREATE_NAMESPACE}


def _pending(name: str, sync: dict[str, Any]) -> PendingOperation:
    app = {"apiVersion": ARGO_API_VERSION, "kind": APPLICATION, "metadata": {"name": name, "namespace": "argocd"}}
    return PendingOperation(name, "argocd", {**app, "operation": {"sync": sync}})


def test_a_partial_operation_applies_and_prunes_only_the_resources_it_names(sim, kube, tmp_path: Path):
    manifests = [deployment("web"), config_map("settings"), config_map("old"), config_map("older")]
    root = write_repo(tmp_path / "repo", [Child("web", manifests, sync_policy=PRUNED_BY_AUTO_SYNC)]) / "root.yaml"
    runner = OperationRunner(
        kube, SyncSettings(), clock=SimTime(sim), emit=lambda _e: None, log=lambda _m: None, wake_after=lambda _s: None
    )
    state = walk(TreeRequest(root=root))
    kube.apply(state.nodes["web"].obj)
    runner.run(state, [_pending("web", {"prune": True})], may_continue=lambda: True)
    kube.patch("apps/v1", "Deployment", "web", {"spec": {"replicas": 0}}, namespace="apps")
    kube.patch("v1", "ConfigMap", "settings", {"data": {"key": "edited"}}, namespace="apps")
    write_repo(tmp_path / "repo", [Child("web", manifests[:2], sync_policy=PRUNED_BY_AUTO_SYNC)])  # both old gone
    state = walk(TreeRequest(root=root))

    named = [{"group": "apps", "kind": "Deployment", "name": "web"}, {"kind": "ConfigMap", "name": "old"}]
    runner.run(state, [_pending("web", {"prune": True, "resources": named})], may_continue=lambda: True)

    assert kube.get("apps/v1", "Deployment", "web", "apps")["spec"]["replicas"] == 1
    assert kube.get("v1", "ConfigMap", "old", "apps") is None
    # Not named: left as they are, the drifted one and the one left to prune alike.
    assert kube.get("v1", "ConfigMap", "settings", "apps")["data"] == {"key": "edited"}
    assert kube.get("v1", "ConfigMap", "older", "apps") is not None


def test_an_operation_without_prune_prunes_nothing_even_when_the_app_auto_prunes(sim, kube, tmp_path: Path):
    """Argo CD prunes as the operation says; auto-sync writes `automated.prune` into its own operations."""
    manifests = [config_map("settings"), config_map("old")]
    root = write_repo(tmp_path / "repo", [Child("web", manifests, sync_policy=PRUNED_BY_AUTO_SYNC)]) / "root.yaml"
    runner = OperationRunner(
        kube, SyncSettings(), clock=SimTime(sim), emit=lambda _e: None, log=lambda _m: None, wake_after=lambda _s: None
    )
    state = walk(TreeRequest(root=root))
    kube.apply(state.nodes["web"].obj)
    runner.run(state, [_pending("web", {})], may_continue=lambda: True)
    write_repo(tmp_path / "repo", [Child("web", manifests[:1], sync_policy=PRUNED_BY_AUTO_SYNC)])
    state = walk(TreeRequest(root=root))

    runner.run(state, [_pending("web", {})], may_continue=lambda: True)
    assert kube.get("v1", "ConfigMap", "old", "apps") is not None
    runner.run(state, [_pending("web", {"prune": True})], may_continue=lambda: True)
    assert kube.get("v1", "ConfigMap", "old", "apps") is None
