"""An app-of-apps parent tracks its children's Application objects like any other resource: when one of them
changes (created, updated, deleted), the parent is reconciled again, as Argo CD refreshes the app managing an
object that changed. With `--shards`, a child is often recorded by another replica, after its parent's last
reconcile: the parent must not keep reporting it Missing."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from support.gitops import Child, config_map, write_repo
from wavecd.apps.session import TreeRequest
from wavecd.common import APPLICATION, ARGO_API_VERSION
from wavecd.core import RealClock
from wavecd.server.controller import Controller
from wavecd.server.settings import ServeSettings
from wavecd.sync.records import apply_record


def write_tree(repo: Path) -> Path:
    write_repo(repo, [Child("mail", [config_map("mail-config", "mail")], namespace="mail")])
    root = repo / "root.yaml"
    root.write_text(root.read_text() + "  syncPolicy:\n    automated: {}\n")
    return root


def child_status(kube, name: str) -> str:
    """How the root reports the child's Application: Synced, OutOfSync, or "" before its first reconcile."""
    root = kube.get(ARGO_API_VERSION, APPLICATION, "root", "argocd") or {}
    resources = (root.get("status") or {}).get("resources") or []
    return next((r["status"] for r in resources if r["kind"] == APPLICATION and r["name"] == name), "")


def eventually(what: str, check: Callable[[], Any], timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def test_a_child_recorded_by_another_shard_refreshes_its_parent(kube, tmp_path):
    lines: list[str] = []
    controller = Controller(
        TreeRequest(root=write_tree(tmp_path / "repo")),
        kube,
        ServeSettings(poll=0),
        clock=RealClock(),
        log=lines.append,
        owns=lambda name, _namespace: name == "root",  # shard 0 of 2: `mail` belongs to the other replica
    )
    controller.start()
    try:
        controller.lead()
        eventually("the root to report its child Missing", lambda: child_status(kube, "mail") == "OutOfSync")
        assert kube.get(ARGO_API_VERSION, APPLICATION, "mail", "argocd") is None

        apply_record(kube, controller.state.nodes["mail"].obj, "root")  # what the other shard's replica writes
        eventually("the root to see its child recorded", lambda: child_status(kube, "mail") == "Synced")
    finally:
        controller.stop()
    assert not [line for line in lines if "failed" in line], lines
