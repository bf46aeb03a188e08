"""A webhook that lands on a replica that does not reconcile every matched app — a replica of another shard,
or a standby of its own — is not dropped: the replica marks each such app with Argo CD's refresh annotation,
as Argo CD's API server answers a webhook, and the replica that owns the app refreshes it and removes the
annotation. An app already marked is not written again, so a burst of pushes costs its owner one refresh."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from support.gitops import Child, application, config_map, write_repo
from wavecd.apps.session import TreeRequest
from wavecd.common import APPLICATION, ARGO_API_VERSION, REFRESH, SKIP_RECONCILE
from wavecd.core import RealClock
from wavecd.server.controller import Controller
from wavecd.server.settings import ServeSettings

CHILDREN = ("web", "mail", "jobs")


def eventually(what: str, check: Callable[[], Any], timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


@pytest.fixture
def repo(tmp_path: Path, kube) -> Path:
    """A root over three apps, every Application already recorded (as a previous sync left them); `jobs`
    opts out of reconciling."""
    write_repo(tmp_path, [Child(name, [config_map(f"{name}-config", name)], namespace=name) for name in CHILDREN])
    kube.apply(application("root", "apps", namespace="argocd", repo="https://git.example.com/gitops.git"))
    for name in CHILDREN:
        app = application(name, f"manifests/{name}", namespace=name, repo="https://git.example.com/gitops.git")
        if name == "jobs":
            app["metadata"]["annotations"] = {SKIP_RECONCILE: "true"}
        kube.apply(app)
    return tmp_path


def refresh_of(kube, name: str) -> str | None:
    app = kube.get(ARGO_API_VERSION, APPLICATION, name, "argocd")
    return ((app.get("metadata") or {}).get("annotations") or {}).get(REFRESH)


def resource_version(kube, name: str) -> str:
    return kube.get(ARGO_API_VERSION, APPLICATION, name, "argocd")["metadata"]["resourceVersion"]


def make(repo: Path, kube, lines: list[str], **kwargs: Any) -> Controller:
    controller = Controller(
        TreeRequest(root=repo / "root.yaml"), kube, ServeSettings(poll=0), clock=RealClock(), log=lines.append, **kwargs
    )
    controller.start()
    return controller


def test_a_replica_of_another_shard_marks_the_apps_it_does_not_own(repo, kube):
    lines: list[str] = []
    # This replica owns `web` only, and leads its shard (nothing here syncs: no app is automated).
    controller = make(repo, kube, lines, owns=lambda name, _namespace: name == "web")
    try:
        controller.lead()
        controller.on_push_matched(["root", "web", "mail", "jobs"])
        assert refresh_of(kube, "root") == "normal"
        assert refresh_of(kube, "mail") == "normal"
        assert refresh_of(kube, "web") is None  # its own app: not marked, it walks (once it may write)
        assert refresh_of(kube, "jobs") is None  # no shard reconciles it: a mark would never be cleared
        assert "webhook: marked root, mail for refresh by the replica that owns each" in lines

        # A burst: the next pushes find the apps marked and write nothing more.
        eventually(
            "the cache to see the marks",
            lambda: controller.cache.annotation(ARGO_API_VERSION, APPLICATION, "argocd", "mail", REFRESH) == "normal",
        )
        versions = {name: resource_version(kube, name) for name in ("root", "mail")}
        for _ in range(20):
            controller.on_push_matched(["root", "web", "mail", "jobs"])
        assert {name: resource_version(kube, name) for name in ("root", "mail")} == versions
        assert sum("webhook: marked" in line for line in lines) == 1
    finally:
        controller.stop()


def test_a_standby_marks_every_matched_app_and_the_leader_refreshes_them(repo, kube):
    standby_lines: list[str] = []
    standby = make(repo, kube, standby_lines)  # never told to lead: it stands by
    leader_lines: list[str] = []
    leader = make(repo, kube, leader_lines)
    try:
        leader.lead()
        eventually("the leader's first reconcile", lambda: all(leader.reconciled(n) for n in ("root", "web", "mail")))
        walks = sum(line.startswith("walk: ") for line in leader_lines)
        standby.on_push_matched(["web", "mail"])
        assert "webhook: marked web, mail for refresh by the replica that owns each" in standby_lines
        # The leader sees the marks, walks, refreshes both apps and removes the annotation, as Argo CD's
        # controller does.
        eventually(
            "the leader to refresh the apps",
            lambda: (
                sum(line.startswith("walk: ") for line in leader_lines) > walks
                and refresh_of(kube, "web") is None
                and refresh_of(kube, "mail") is None
            ),
        )
    finally:
        standby.stop()
        leader.stop()


def test_a_refresh_asked_of_a_standby_is_done_by_the_leader_and_answered_once_it_is(repo, kube):
    # Argo CD's API server answers `?refresh=` by marking the app and waiting for its controller to remove the
    # mark; a replica that does not reconcile the app does the same.
    standby = make(repo, kube, [])
    leader_lines: list[str] = []
    leader = make(repo, kube, leader_lines)
    try:
        entry = standby.refresh("mail", hard=False, timeout=1)  # nobody leads yet: the mark waits for a leader
        assert refresh_of(kube, "mail") == "normal"
        assert REFRESH in entry.application["metadata"]["annotations"]

        leader.lead()
        eventually("the leader to take the first mark", lambda: refresh_of(kube, "mail") is None)
        logged = len(leader_lines)
        entry = standby.refresh("mail", hard=True, timeout=20)
        assert refresh_of(kube, "mail") is None  # answered only once the leader had refreshed it
        assert REFRESH not in (entry.application["metadata"].get("annotations") or {})
        hard_walks = [line for line in leader_lines[logged:] if line.startswith("walk: ")]
        assert hard_walks and " 0 from cache" in hard_walks[-1], leader_lines  # a hard refresh renders anew
    finally:
        standby.stop()
        leader.stop()
