"""The tree changing under a running `wavecd serve`: an app removed from the root is deleted with what it
tracked (its Application carries the resources finalizer), and an ApplicationSet whose list shrinks deletes
the Application it no longer generates, and that app's objects with it."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from support.gitops import ROOT, application, write_files
from support.serve import ServeProcess, synced_and_healthy
from support.sim_server import SimServer

pytestmark = pytest.mark.slow

REPO = "https://git.example.com/gitops.git"
FINALIZER = "resources-finalizer.argocd.argoproj.io"
AUTOMATED = {"automated": {"prune": True, "selfHeal": True}, "syncOptions": ["CreateNamespace=true"]}


def settings(namespace: str = "") -> dict[str, Any]:
    meta: dict[str, Any] = {"name": "settings"}
    if namespace:
        meta["namespace"] = namespace
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta, "data": {"key": "value"}}


def envs(names: list[str]) -> dict[str, Any]:
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "ApplicationSet",
        "metadata": {"name": "envs", "namespace": "argocd"},
        "spec": {
            "generators": [{"list": {"elements": [{"env": n} for n in names]}}],
            "template": {
                "metadata": {"name": "{{env}}-env"},
                "spec": {
                    "project": "default",
                    "source": {"repoURL": REPO, "targetRevision": "main", "path": "manifests/env"},
                    "destination": {"server": "https://kubernetes.default.svc", "namespace": "{{env}}"},
                    "syncPolicy": AUTOMATED,
                },
            },
        },
    }


def write_tree(repo: Path, *, web: bool, env_names: list[str]) -> None:
    web_app = application("web", "manifests/web", namespace="web", repo=REPO, syncPolicy=AUTOMATED)
    web_app["metadata"]["finalizers"] = [FINALIZER]
    root = application(ROOT, "apps", namespace="argocd", repo=REPO, syncPolicy={"automated": {"prune": True}})
    (repo / "apps").mkdir(parents=True, exist_ok=True)
    for old in (repo / "apps").glob("*.yaml"):
        old.unlink()
    files: dict[str, object] = {
        "wavecd.yaml": {"root": "root.yaml", "repositories": [{"url": REPO, "path": ".", "worktree": True}]},
        "root.yaml": root,
        "apps/envs.yaml": envs(env_names),
        "manifests/web/all.yaml": [settings()],
        "manifests/env/all.yaml": [settings()],
    }
    if web:
        files["apps/web.yaml"] = web_app
    write_files(repo, files)


def test_apps_leave_the_cluster_with_what_they_tracked(tmp_path):
    repo = tmp_path / "repo"
    write_tree(repo, web=True, env_names=["dev", "prod"])
    sim = SimServer(tmp_path, speed=50.0).start()
    serve = ServeProcess(repo / "root.yaml", sim.kubeconfig, tmp_path, "--poll", "1s").start()
    expected = {ROOT, "web", "dev-env", "prod-env"}
    try:
        serve.wait_for(
            "the tree Synced and Healthy",
            lambda apps: set(apps) == expected and all(map(synced_and_healthy, apps.values())),
            timeout=120,
        )
        with sim.client() as client:
            for namespace in ("web", "dev", "prod"):
                assert client.get("v1", "ConfigMap", "settings", namespace) is not None
            assert (
                FINALIZER
                in client.get("argoproj.io/v1alpha1", "Application", "prod-env", "argocd")["metadata"]["finalizers"]
            )

            write_tree(repo, web=False, env_names=["dev"])
            serve.wait_for("web and prod-env gone from the tree", lambda apps: set(apps) == {ROOT, "dev-env"})
            deadline_check = _eventually(
                lambda: (
                    client.get("argoproj.io/v1alpha1", "Application", "web", "argocd") is None
                    and client.get("argoproj.io/v1alpha1", "Application", "prod-env", "argocd") is None
                    and client.get("v1", "ConfigMap", "settings", "web") is None
                    and client.get("v1", "ConfigMap", "settings", "prod") is None
                )
            )
            assert deadline_check, serve.log()[-3000:]
            assert client.get("v1", "ConfigMap", "settings", "dev") is not None
    finally:
        serve.close()
        sim.stop()


def _eventually(check: Callable[[], bool], timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.5)
    return False
