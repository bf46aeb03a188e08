"""Operations run side by side, as Argo CD's operation processors run them: one app's sync that waits on its
health holds no other app's operation or retry, while the tree's waves still order the apps of a sync.

The scene is staging's first rollout in small: `slow`'s Deployment waits on pods that are Ready only after
an hour (the loadtest apps waiting on Karpenter's nodes), `nodes` (an earlier wave) fails on a kind whose CRD
is not installed yet and is retried with a backoff (karpenter-config's `EC2NodeClass`), and `late` (a later
wave) must still wait for `slow`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from support.gitops import Child, application, config_map, crd, custom, deployment, write_repo
from support.waiting import eventually
from wavecd.apps.session import TreeRequest
from wavecd.common import APPLICATION, ARGO_API_VERSION
from wavecd.core import RealClock
from wavecd.server.controller import Controller
from wavecd.server.settings import ServeSettings
from wavecd.server.view import SyncRequest
from wavecd.sim.timing import READY_AFTER

REPO = "https://git.example.com/gitops.git"
GROUP = "nodes.example.com"
# Retried one second after each failure, up to three times (Argo CD's `retry` of a sync operation).
QUICK_RETRY = {"limit": 3, "backoff": {"duration": "1s", "factor": 1}}


@pytest.fixture
def controller(tmp_path: Path, kube) -> Iterator[Controller]:
    """A leading controller over `nodes` (wave -1: a custom resource), `slow` (wave 0: a Deployment Ready
    only after an hour of the sim's clock, which stands still) and `late` (wave 1: a ConfigMap), recorded as
    a previous sync of the root left them, none automated."""
    write_repo(
        tmp_path,
        [
            Child("nodes", [custom(GROUP, "NodeClass", "default")], wave=-1),
            Child("slow", [deployment("slow", annotations={READY_AFTER: "1h"})]),
            Child("late", [config_map("late-config")], wave=1),
        ],
    )
    kube.apply(application("root", "apps", namespace="argocd", repo=REPO))
    for name, wave in (("nodes", -1), ("slow", 0), ("late", 1)):
        kube.apply(application(name, f"manifests/{name}", wave, namespace="apps", repo=REPO))
    lines: list[str] = []
    controller = Controller(
        TreeRequest(root=tmp_path / "root.yaml"), kube, ServeSettings(poll=0), clock=RealClock(), log=lines.append
    )
    controller.start()
    controller.lead()
    try:
        yield controller
    finally:
        controller.stop()


def operation_state(kube, name: str) -> dict[str, Any]:
    app = kube.get(ARGO_API_VERSION, APPLICATION, name, "argocd") or {}
    return dict((app.get("status") or {}).get("operationState") or {})


def ended(kube, name: str) -> str | None:
    """The phase the app's last operation ended in; None while one is recorded (running or waiting)."""
    app = kube.get(ARGO_API_VERSION, APPLICATION, name, "argocd") or {}
    return None if app.get("operation") else operation_state(kube, name).get("phase")


def install_crd(kube) -> None:
    """NodeClass's CRD arrives, as Karpenter's chart brings EC2NodeClass's, and is established at once."""
    definition = crd(GROUP, "NodeClass", "nodeclasses")
    definition["metadata"]["annotations"] = {READY_AFTER: "0s"}
    kube.apply(definition)


def start_slow(controller: Controller, kube) -> None:
    """`slow`'s sync, past its apply and waiting on the pods' health."""
    controller.sync("slow", SyncRequest(username="token:abc"))
    assert eventually(lambda: kube.get("apps/v1", "Deployment", "slow", "apps") is not None, timeout=30)
    assert operation_state(kube, "slow").get("phase") == "Running"


def test_a_retry_runs_while_another_apps_sync_waits_on_its_health(controller, kube):
    start_slow(controller, kube)

    controller.sync("nodes", SyncRequest(username="token:abc", retry=QUICK_RETRY))
    assert eventually(lambda: operation_state(kube, "nodes").get("retryCount") == 1, timeout=30), (
        "nodes' operation did not run while slow waited on its health"
    )
    assert 'no matches for kind "NodeClass"' in operation_state(kube, "nodes")["message"]
    install_crd(kube)

    assert eventually(lambda: ended(kube, "nodes") is not None, timeout=30), "nodes' retry did not run"
    assert ended(kube, "nodes") == "Succeeded", operation_state(kube, "nodes")
    assert kube.get(f"{GROUP}/v1", "NodeClass", "default", "apps") is not None
    # slow still waits on its pods, untouched by what ran beside it.
    assert operation_state(kube, "slow").get("phase") == "Running"
    assert "slow" in controller.runner.running


def test_an_app_of_a_later_wave_waits_for_an_earlier_waves_running_sync(controller, kube):
    start_slow(controller, kube)
    controller.sync("late", SyncRequest(username="token:abc"))
    controller.sync("nodes", SyncRequest(username="token:abc"))
    install_crd(kube)

    # nodes (wave -1) runs beside slow (wave 0) and ends; late (wave 1) is held behind slow meanwhile.
    assert eventually(lambda: ended(kube, "nodes") == "Succeeded", timeout=30), operation_state(kube, "nodes")
    assert operation_state(kube, "late") == {}
    assert kube.get("v1", "ConfigMap", "late-config", "apps") is None

    controller.terminate("slow")
    assert eventually(lambda: ended(kube, "late") == "Succeeded", timeout=30), operation_state(kube, "late")
    assert kube.get("v1", "ConfigMap", "late-config", "apps") is not None
    assert operation_state(kube, "slow")["message"] == "Operation terminated"
