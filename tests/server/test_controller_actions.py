"""What the controller answers a sync or rollback with: the Application as its write left it, with the new
`operation`, even before the watch has brought that version to the cluster cache (Argo CD's `Sync` and
`Rollback` answer the object their update returned)."""

from __future__ import annotations

import pytest

from support.gitops import Child, application, config_map, write_repo
from wavecd.apps.session import TreeRequest
from wavecd.core import RealClock
from wavecd.server.controller import Controller
from wavecd.server.settings import ServeSettings
from wavecd.server.view import SyncRequest


@pytest.fixture
def controller(tmp_path, kube):
    write_repo(tmp_path, [Child("manual", [config_map("settings")])])
    kube.apply(application("manual", "manifests/manual", namespace="apps"))
    found = Controller(
        TreeRequest(root=tmp_path / "root.yaml", use_cache=False),
        kube,
        ServeSettings(poll=0),
        clock=RealClock(),
        log=print,
    )
    found.start()
    found.cache.stop()  # from here on the cache sees no write: the answers must not come from it
    try:
        yield found
    finally:
        found.stop()


def test_a_sync_answers_the_application_with_its_new_operation(controller):
    entry = controller.sync("manual", SyncRequest(dry_run=True, username="token:abc"))
    assert entry.application["operation"]["sync"]["dryRun"] is True
    assert entry.application["operation"]["initiatedBy"] == {"username": "token:abc"}
    assert entry.parent == "root"


def test_a_rollback_answers_the_application_with_its_new_operation(controller, kube):
    source = {"repoURL": "https://example.com/apps.git", "path": "manifests/manual", "targetRevision": "main"}
    history = [{"id": 0, "revision": "main", "source": source, "deployedAt": "2026-12-07T10:00:00Z"}]
    kube.patch("argoproj.io/v1alpha1", "Application", "manual", {"status": {"history": history}}, namespace="argocd")
    entry = controller.rollback("manual", 0, dry_run=False, prune=False, username="token:abc")
    assert entry.application["operation"]["sync"] == {
        "syncStrategy": {"apply": {}},
        "revision": "main",
        "source": source,
    }


def test_a_sync_of_an_app_in_the_tree_but_not_yet_recorded_records_it_first(controller, kube):
    """Right after `wavecd serve` starts, the root is in the tree but no reconcile has written its Application
    yet: a sync asked then is recorded on a new Application (the root is always recorded), not refused as
    unknown while `GET …/root` already answers it."""
    assert kube.get("argoproj.io/v1alpha1", "Application", "root", "argocd") is None
    entry = controller.sync("root", SyncRequest(dry_run=False, username="token:abc"))
    assert entry.application["operation"]["initiatedBy"] == {"username": "token:abc"}
    recorded = kube.get("argoproj.io/v1alpha1", "Application", "root", "argocd")
    assert recorded is not None and recorded["operation"]["initiatedBy"] == {"username": "token:abc"}
