"""The operation runner against the in-process simulated cluster: what an operation applies and prunes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from support.gitops import CREATE_NAMESPACE, Child, config_map, deployment, job, write_repo
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


def _synced_once(
    sim: Any, kube: Any, repo: Path, manifests: list[dict[str, Any]], policy: dict[str, Any], sync: dict[str, Any]
) -> tuple[OperationRunner, Path]:
    """App `web` of `manifests` in `repo`, recorded and synced once by a runner's `sync` operation: the
    runner and the root."""
    root = write_repo(repo, [Child("web", manifests, sync_policy=policy)]) / "root.yaml"
    runner = OperationRunner(
        kube, SyncSettings(), clock=SimTime(sim), emit=lambda _e: None, log=lambda _m: None, wake_after=lambda _s: None
    )
    state = walk(TreeRequest(root=root))
    kube.apply(state.nodes["web"].obj)
    runner.run(state, [_pending("web", sync)], may_continue=lambda: True)
    runner.join()
    return runner, root


def test_a_partial_operation_applies_and_prunes_only_the_resources_it_names(sim, kube, tmp_path: Path):
    manifests = [deployment("web"), config_map("settings"), config_map("old"), config_map("older")]
    runner, root = _synced_once(sim, kube, tmp_path / "repo", manifests, PRUNED_BY_AUTO_SYNC, {"prune": True})
    kube.patch("apps/v1", "Deployment", "web", {"spec": {"replicas": 0}}, namespace="apps")
    kube.patch("v1", "ConfigMap", "settings", {"data": {"key": "edited"}}, namespace="apps")
    write_repo(tmp_path / "repo", [Child("web", manifests[:2], sync_policy=PRUNED_BY_AUTO_SYNC)])  # both old gone
    state = walk(TreeRequest(root=root))

    named = [{"group": "apps", "kind": "Deployment", "name": "web"}, {"kind": "ConfigMap", "name": "old"}]
    runner.run(state, [_pending("web", {"prune": True, "resources": named})], may_continue=lambda: True)
    runner.join()

    assert kube.get("apps/v1", "Deployment", "web", "apps")["spec"]["replicas"] == 1
    assert kube.get("v1", "ConfigMap", "old", "apps") is None
    # Not named: left as they are, the drifted one and the one left to prune alike.
    assert kube.get("v1", "ConfigMap", "settings", "apps")["data"] == {"key": "edited"}
    assert kube.get("v1", "ConfigMap", "older", "apps") is not None


def test_an_operation_without_prune_prunes_nothing_even_when_the_app_auto_prunes(sim, kube, tmp_path: Path):
    """Argo CD prunes as the operation says; auto-sync writes `automated.prune` into its own operations."""
    manifests = [config_map("settings"), config_map("old")]
    runner, root = _synced_once(sim, kube, tmp_path / "repo", manifests, PRUNED_BY_AUTO_SYNC, {})
    write_repo(tmp_path / "repo", [Child("web", manifests[:1], sync_policy=PRUNED_BY_AUTO_SYNC)])
    state = walk(TreeRequest(root=root))

    runner.run(state, [_pending("web", {})], may_continue=lambda: True)
    runner.join()
    assert kube.get("v1", "ConfigMap", "old", "apps") is not None
    runner.run(state, [_pending("web", {"prune": True})], may_continue=lambda: True)
    runner.join()
    assert kube.get("v1", "ConfigMap", "old", "apps") is None


def test_the_operation_state_lists_each_resource_and_the_hook_that_failed(sim, kube, tmp_path: Path):
    """Argo CD's `syncResult.resources`: every object the operation applied, with kubectl's words, and a failed
    hook with its phase and the Job's message, so a client names what failed, not only the operation."""
    manifests = [config_map("settings"), deployment("web")]
    runner, root = _synced_once(sim, kube, tmp_path / "repo", manifests, CREATE_NAMESPACE, {})
    done = kube.get(ARGO_API_VERSION, APPLICATION, "web", "argocd")["status"]["operationState"]
    assert done["phase"] == "Succeeded"
    assert {
        (r["kind"], r["name"], r["status"], r["message"], r["syncPhase"]) for r in done["syncResult"]["resources"]
    } >= {
        ("ConfigMap", "settings", "Synced", "configmap/settings created", "Sync"),
        ("Deployment", "web", "Synced", "deployment.apps/web created", "Sync"),
    }

    hook = job("migrate", hook="PreSync", annotations={"sim.wavecd.io/outcome": "fail"})  # its pod fails
    write_repo(tmp_path / "repo", [Child("web", [*manifests, hook], sync_policy=CREATE_NAMESPACE)])
    state = walk(TreeRequest(root=root))
    runner.run(state, [_pending("web", {})], may_continue=lambda: True)
    runner.join()

    failed = kube.get(ARGO_API_VERSION, APPLICATION, "web", "argocd")["status"]["operationState"]
    assert failed["phase"] == "Failed"
    (result,) = [r for r in failed["syncResult"]["resources"] if r["kind"] == "Job"]
    live = kube.get("batch/v1", "Job", "migrate", "apps")
    job_failed = next(c for c in live["status"]["conditions"] if c["type"] == "Failed")
    assert result == {
        "group": "batch",
        "version": "",
        "kind": "Job",
        "namespace": "apps",
        "name": "migrate",
        "status": "Synced",
        "message": job_failed["message"],
        "hookType": "PreSync",
        "hookPhase": "Failed",
        "syncPhase": "PreSync",
    }
    assert "migrate" in failed["message"]
    # The sync stopped at its PreSync hook: nothing of the Sync phase was applied this time, only the
    # destination namespace (CreateNamespace) before the hook.
    assert [(r["kind"], r["name"]) for r in failed["syncResult"]["resources"]] == [
        ("Namespace", "apps"),
        ("Job", "migrate"),
    ]
