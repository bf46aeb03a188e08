"""The API's sync and rollback through a running `wavecd serve`: an app without auto-sync is synced by hand at
two commits, then rolled back to the first deployment; the cluster gets the first commit's objects back, the
history records each deployment, and an auto-synced app refuses a rollback with Argo CD's text."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from support.gitops import CREATE_NAMESPACE, Child, config_map, deployment, git, write_repo
from support.serve import ServeProcess
from support.sim_server import SimServer

pytestmark = pytest.mark.slow


def settings_map(value: str) -> dict[str, Any]:
    obj = config_map("settings")
    obj["data"] = {"value": value}
    return obj


def commit(repo: Path, value: str) -> str:
    write_repo(repo, [Child("web", [settings_map(value)], sync_policy=dict(CREATE_NAMESPACE))])
    root = yaml.safe_load((repo / "root.yaml").read_text())
    root["spec"]["syncPolicy"] = {"automated": {"prune": True}}
    (repo / "root.yaml").write_text(yaml.safe_dump(root))
    config = yaml.safe_load((repo / "wavecd.yaml").read_text())
    config["repositories"][0]["worktree"] = False
    (repo / "wavecd.yaml").write_text(yaml.safe_dump(config))
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", value)
    return git(repo, "rev-parse", "HEAD")


def status(serve: ServeProcess, name: str) -> dict[str, Any]:
    return serve.applications()[name].get("status") or {}


def test_a_rollback_redeploys_the_first_commit(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    first = commit(repo, "one")
    sim = SimServer(tmp_path, speed=50.0).start()
    serve = ServeProcess(repo / "root.yaml", sim.kubeconfig, tmp_path, "--poll", "1s").start()
    try:
        serve.wait_for("web recorded", lambda apps: bool(apps["web"]["metadata"].get("resourceVersion")))
        assert serve.api.put("/api/v1/applications/root/rollback", json={"id": 0}).json()["message"] == (
            "rollback cannot be initiated when auto-sync is enabled"
        )
        assert serve.api.post("/api/v1/applications/web/sync", json={}).status_code == 200
        serve.wait_for("web synced at the first commit", lambda apps: _deployed(apps["web"], 1))
        second = commit(repo, "two")
        serve.wait_for("web OutOfSync at the second commit", lambda apps: _at(apps["web"], second, "OutOfSync"))
        assert serve.api.post("/api/v1/applications/web/sync", json={}).status_code == 200
        serve.wait_for("web synced at the second commit", lambda apps: _deployed(apps["web"], 2))
        with sim.client() as client:
            assert client.get("v1", "ConfigMap", "settings", "apps")["data"] == {"value": "two"}

            response = serve.api.put("/api/v1/applications/web/rollback", json={"id": 0})
            assert response.status_code == 200, response.text
            serve.wait_for("the rollback deployed", lambda apps: _deployed(apps["web"], 3))
            assert client.get("v1", "ConfigMap", "settings", "apps")["data"] == {"value": "one"}
        history = status(serve, "web")["history"]
        assert [(h["id"], h["revision"]) for h in history] == [(0, first), (1, second), (2, first)]
        assert status(serve, "web")["operationState"]["operation"]["sync"]["syncStrategy"] == {"apply": {}}
    finally:
        serve.close()
        sim.stop()


def _deployed(app: dict[str, Any], entries: int) -> bool:
    status = app.get("status") or {}
    return (
        len(status.get("history") or []) == entries
        and not app.get("operation")
        and (status.get("operationState") or {}).get("phase") == "Succeeded"
    )


def _at(app: dict[str, Any], revision: str, sync: str) -> bool:
    status = (app.get("status") or {}).get("sync") or {}
    return status.get("revision") == revision and status.get("status") == sync


def test_terminating_a_running_sync_ends_it_failed_and_never_retries(tmp_path):
    """`DELETE …/operation` while the app waits on a Deployment that takes a minute: the sync stops at its next
    safe point, the operation ends Failed with Argo CD's `Operation terminated`, and it is not run again."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    slow = deployment("slow", annotations={"sim.wavecd.io/ready-after": "60s"})
    write_repo(repo, [Child("web", [slow], sync_policy={**CREATE_NAMESPACE, "retry": {"limit": 3}})])
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "slow")
    sim = SimServer(tmp_path, speed=1.0).start()
    serve = ServeProcess(repo / "root.yaml", sim.kubeconfig, tmp_path, "--poll", "0").start()
    try:
        assert serve.api.post("/api/v1/applications/root/sync", json={}).status_code == 200
        serve.wait_for("web recorded", lambda apps: bool(apps["web"]["metadata"].get("resourceVersion")), timeout=60)
        assert serve.api.post("/api/v1/applications/web/sync", json={}).status_code == 200
        serve.wait_for(
            "web's sync running",
            lambda apps: (apps["web"].get("status") or {}).get("operationState", {}).get("phase") == "Running",
            timeout=60,
        )
        response = serve.api.delete("/api/v1/applications/web/operation")
        assert response.status_code == 200, response.text
        serve.wait_for("web's operation ended", lambda apps: not apps["web"].get("operation"), timeout=60)
        state = status(serve, "web")["operationState"]
        assert (state["phase"], state["message"]) == ("Failed", "Operation terminated")
        time.sleep(3)
        assert status(serve, "web")["operationState"]["message"] == "Operation terminated"
        assert serve.api.delete("/api/v1/applications/web/operation").json()["message"] == (
            "Unable to terminate operation. No operation is in progress"
        )
    finally:
        serve.close()
        sim.stop()
