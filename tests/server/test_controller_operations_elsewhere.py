"""A sync, a rollback or a termination asked of a replica that does not reconcile the app — a standby of its
shard, or a replica of another shard — is recorded in the Application, as Argo CD's API server records it,
and carried out by the replica that owns the app: the asking replica runs nothing itself."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from support.gitops import Child, application, config_map, deployment, write_repo
from support.waiting import eventually
from wavecd.apps.session import TreeRequest
from wavecd.common import APPLICATION, ARGO_API_VERSION
from wavecd.core import RealClock
from wavecd.server.controller import Controller
from wavecd.server.settings import ServeSettings
from wavecd.server.view import SyncRequest
from wavecd.sim.timing import READY_AFTER

REPO = "https://git.example.com/gitops.git"
OWNED = {"web", "slow"}


@pytest.fixture
def repo(tmp_path: Path, kube) -> Path:
    """A root over `web` (a ConfigMap) and `slow` (a Deployment whose pods are Ready only after an hour), both
    recorded as a previous sync of the root left them, neither automated. `slow`'s Deployment lives in its
    app's destination namespace (which its sync creates): in a namespace nothing creates its apply would
    fail at once, and the sync would be over before anyone could terminate it."""
    slow = deployment("slow", annotations={READY_AFTER: "1h"})
    write_repo(tmp_path, [Child("web", [config_map("web-config", "web")], namespace="web"), Child("slow", [slow])])
    kube.apply(application("root", "apps", namespace="argocd", repo=REPO))
    kube.apply(application("web", "manifests/web", namespace="web", repo=REPO))
    kube.apply(application("slow", "manifests/slow", namespace="apps", repo=REPO))
    return tmp_path


class Replica:
    def __init__(self, repo: Path, kube, **kwargs: Any):
        self.lines: list[str] = []
        self.controller = Controller(
            TreeRequest(root=repo / "root.yaml"),
            kube,
            ServeSettings(poll=0),
            clock=RealClock(),
            log=self.lines.append,
            **kwargs,
        )
        self.controller.start()

    def ran(self, app: str) -> list[str]:
        """The operations on `app` this replica recorded the end of."""
        return [line for line in self.lines if line.startswith(f"{app}: sync operation to ")]


@pytest.fixture(params=["standby", "another shard"])
def replicas(request, repo, kube):
    """(owner, elsewhere): the replica that reconciles `web` and `slow`, and one that does not."""
    if request.param == "standby":
        owner, elsewhere = Replica(repo, kube), Replica(repo, kube)  # `elsewhere` is never told to lead
    else:
        owner = Replica(repo, kube, owns=lambda name, _namespace: name in OWNED)
        elsewhere = Replica(repo, kube, owns=lambda name, _namespace: name not in OWNED)
        elsewhere.controller.lead()  # it leads its own shard (the root)
    owner.controller.lead()
    try:
        yield owner, elsewhere
    finally:
        elsewhere.controller.stop()
        owner.controller.stop()


def app(kube, name: str) -> dict[str, Any]:
    return kube.get(ARGO_API_VERSION, APPLICATION, name, "argocd") or {}


def history(kube, name: str) -> list[dict[str, Any]]:
    return list((app(kube, name).get("status") or {}).get("history") or [])


def done(kube, name: str, entries: int) -> bool:
    found = app(kube, name)
    return len(history(kube, name)) == entries and not found.get("operation")


def test_a_sync_and_a_rollback_asked_elsewhere_are_run_by_the_owner(replicas, kube):
    owner, elsewhere = replicas
    entry = elsewhere.controller.sync("web", SyncRequest(username="token:abc"))
    assert entry.application["operation"]["initiatedBy"] == {"username": "token:abc"}
    assert eventually(lambda: done(kube, "web", 1), timeout=30), "the owner did not run the sync"
    assert kube.get("v1", "ConfigMap", "web-config", "web") is not None
    state = app(kube, "web")["status"]["operationState"]
    assert (state["phase"], state["operation"]["initiatedBy"]) == ("Succeeded", {"username": "token:abc"})

    first = history(kube, "web")[0]["id"]
    elsewhere.controller.rollback("web", first, dry_run=False, prune=False, username="token:abc")
    assert eventually(lambda: done(kube, "web", 2), timeout=30), "the owner did not run the rollback"
    assert app(kube, "web")["status"]["operationState"]["phase"] == "Succeeded"
    assert len(owner.ran("web")) == 2, owner.lines
    assert elsewhere.ran("web") == [], elsewhere.lines


def test_a_termination_asked_elsewhere_stops_the_owners_running_sync(replicas, kube):
    owner, elsewhere = replicas
    elsewhere.controller.sync("slow", SyncRequest(username="token:abc"))
    # The owner runs it; its Deployment's pods stay unready for an hour, so the sync waits on its health.
    assert eventually(lambda: "slow" in owner.controller.runner.running, timeout=30), "the owner is not running it"
    assert eventually(
        lambda: ((app(kube, "slow").get("status") or {}).get("operationState") or {}).get("phase") == "Running",
        timeout=30,
    ), "no Running phase was recorded"
    # Applied: the sync is past its apply and waits on the pods' health, which is what a termination stops.
    assert eventually(lambda: kube.get("apps/v1", "Deployment", "slow", "apps") is not None, timeout=30)
    assert ((app(kube, "slow").get("status") or {}).get("operationState") or {}).get("phase") == "Running"
    elsewhere.controller.terminate("slow")
    assert eventually(lambda: not app(kube, "slow").get("operation"), timeout=30), "the operation did not end"
    state = app(kube, "slow")["status"]["operationState"]
    assert (state["phase"], state["message"]) == ("Failed", "Operation terminated")
    # Released by its processor just after that record is written.
    assert eventually(lambda: "slow" not in owner.controller.runner.running, timeout=30)
    assert [line.endswith("failed: Operation terminated") for line in owner.ran("slow")] == [True], owner.lines
    assert elsewhere.ran("slow") == [], elsewhere.lines
