"""Every replica answers for every app, as every Argo CD API server does: the resource tree and the managed
resources of an app this replica does not reconcile (another shard's, or any app while it stands by) are
compared on request from its own walk and the cluster, and are what the owning replica answers."""

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

AUTOMATED = {"automated": {}, "syncOptions": ["CreateNamespace=true"]}


def eventually(what: str, check: Callable[[], Any], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def make(repo: Path, kube, **kwargs: Any) -> Controller:
    controller = Controller(
        TreeRequest(root=repo / "root.yaml"),
        kube,
        ServeSettings(poll=0, refresh_timeout=5),
        clock=RealClock(),
        log=lambda _line: None,
        **kwargs,
    )
    controller.start()
    return controller


def synced(kube, name: str) -> bool:
    app = kube.get(ARGO_API_VERSION, APPLICATION, name, "argocd") or {}
    return ((app.get("status") or {}).get("sync") or {}).get("status") == "Synced" and not app.get("operation")


def test_a_replica_that_does_not_reconcile_an_app_answers_its_views_as_the_owner_does(kube, tmp_path):
    web = [config_map("web-config", "web"), config_map("web-flags", "web")]
    write_repo(tmp_path, [Child("web", web, namespace="web", sync_policy=AUTOMATED)])
    root = tmp_path / "root.yaml"
    root.write_text(root.read_text() + "  syncPolicy:\n    automated: {}\n")
    owner = make(tmp_path, kube)
    other_shard = make(tmp_path, kube, owns=lambda name, _namespace: name != "web")
    standby = make(tmp_path, kube)  # never told to lead
    try:
        owner.lead()
        other_shard.lead()
        expected = [("ConfigMap", "web-config"), ("ConfigMap", "web-flags")]
        # The owner's reconcile that follows the sync's last write sees both objects live.
        eventually(
            "the owner's last reconcile to see web Synced with both objects",
            lambda: (
                synced(kube, "web")
                and sorted((node.kind, node.name) for node in owner.resource_tree("web")) == expected
            ),
        )
        tree = owner.resource_tree("web")
        managed = owner.managed_resources("web")
        assert [(r.name, r.status) for r in managed] == [("web-config", "Synced"), ("web-flags", "Synced")]
        for replica in (other_shard, standby):
            assert replica.reconciled("web") is None  # it never reconciles web ...
            assert replica.resource_tree("web") == tree  # ... and answers at once, as the owner does
            assert replica.managed_resources("web") == managed

        # Drift shows in every replica's answer, not only the owner's.
        kube.patch(
            "v1", "ConfigMap", "web-flags", {"data": {"key": "changed"}}, namespace="web", field_manager="kubectl"
        )
        eventually(
            "the other replicas' caches to see the drift",
            lambda: all(
                [r.status for r in replica.managed_resources("web")] == ["Synced", "OutOfSync"]
                for replica in (other_shard, standby)
            ),
        )
        # Answers are kept between requests (the second costs no comparison) but never outlive a change:
        # an object deleted, then created again by someone else, without the app's tracking.
        kube.delete("v1", "ConfigMap", "web-flags", "web")
        eventually(
            "the other replicas to see it missing",
            lambda: all(
                [(r.name, r.status) for r in replica.managed_resources("web")]
                == [("web-config", "Synced"), ("web-flags", "OutOfSync")]
                and replica.managed_resources("web")[1].live is None
                for replica in (other_shard, standby)
            ),
        )
        kube.apply(config_map("web-flags", "web"), field_manager="kubectl")
        eventually(
            "the other replicas to see it back, untracked",
            lambda: all(replica.managed_resources("web")[1].live is not None for replica in (other_shard, standby)),
        )
    finally:
        for replica in (owner, other_shard, standby):
            replica.stop()
