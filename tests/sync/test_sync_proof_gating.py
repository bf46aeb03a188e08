"""Proof: gating is real. With a hand-stepped clock, while a wave-N Deployment is Progressing, real kubectl sees
no object of wave N+1.

The sync runs in a thread on the sim's ManualClock; the test thread is the only one that moves time
(`sim.advance(0.5)`), and after every step it asks real kubectl what the cluster holds. Time stands still while
kubectl looks, so each look is one consistent moment of the rollout.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from support.gitops import Child, config_map, deployment, write_repo
from support.paths import STAGING, needs_kubectl
from support.snapshot import tracked_by
from support.sync_proofs import events_named, look, looks_while_progressing, named, progressing
from wavecd.apps.session import TreeRequest, open_session
from wavecd.core import ManualClock
from wavecd.kube import KubeClient
from wavecd.plan import plan_tree
from wavecd.sim.cluster import SimCluster
from wavecd.sync.settings import ClusterFacts, SyncResult, SyncSettings
from wavecd.sync.tree_sync import sync_tree

pytestmark = [needs_kubectl, pytest.mark.slow]

STEP = 0.5
MAX_STEPS = 400


class SteppedSync:
    """`sync_tree` in a thread on the sim's manual clock; `step()` moves the clock by hand."""

    def __init__(self, sim: SimCluster, root: Path, kubeconfig: Path):
        session = open_session(TreeRequest(root=root))
        self.plan = plan_tree(session.tree)
        self.sim = sim
        self.events: list[dict[str, Any]] = []
        self.cancel = threading.Event()
        self.result: SyncResult | None = None
        self.kubeconfig = kubeconfig
        sim.write_kubeconfig(kubeconfig)

        def render(name: str, facts: ClusterFacts) -> list[dict[str, Any]]:
            return session.render_at(name, facts.kube_version, facts.api_versions)

        def run() -> None:
            with KubeClient.for_server(sim.url) as client:
                self.result = sync_tree(
                    self.plan,
                    client,
                    render,
                    settings=SyncSettings(),
                    clock=sim.clock,
                    emit=lambda event: self.events.append(event.to_json()),
                    cancel=self.cancel,
                )

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()

    def step(self) -> None:
        self.sim.advance(STEP)
        self.thread.join(timeout=0.02)  # let the sync react to the new time before the test looks

    @property
    def done(self) -> bool:
        return not self.thread.is_alive()

    def step_until(self, reached: Callable[[], bool]) -> None:
        for _ in range(MAX_STEPS):
            if reached():
                return
            assert not self.done, f"the sync ended early: {self.events[-1]}"
            self.step()
        raise AssertionError(f"not reached after {MAX_STEPS} steps; last event {self.events[-1:]}")

    def stop(self) -> None:
        """Cancel and keep time moving until the sync has reported its summary."""
        self.cancel.set()
        for _ in range(MAX_STEPS):
            if self.done:
                return
            self.step()
        raise AssertionError("the sync did not stop")

    def wave_started(self, wave: int) -> bool:
        return any(e["wave"] == wave for e in events_named(list(self.events), "wave_started"))


def test_no_wave_1_object_while_the_wave_0_deployment_progresses(tmp_path):
    repo = write_repo(
        tmp_path / "repo",
        [
            Child(
                "web",
                [deployment("web", "web", annotations={"sim.wavecd.io/ready-after": "5s"})],
                wave=0,
                namespace="web",
            ),
            Child("settings", [config_map("settings", "settings")], wave=1, namespace="settings"),
        ],
    )
    with SimCluster(clock=ManualClock()) as sim:
        sync = SteppedSync(sim, repo, tmp_path / "sim.kubeconfig")
        try:
            sync.step_until(lambda: any(e["event"] == "applied" and e["kind"] == "Deployment" for e in sync.events))
            progressing_looks = looks_while_progressing(sync.kubeconfig, "web", "settings", sync.step, MAX_STEPS)
            sync.step_until(lambda: sync.done)
        finally:
            sync.stop()
        items = look(sync.kubeconfig)
    # 5 s of readiness delay at 0.5 s a step: kubectl saw the rollout wait, and then the next wave arrive.
    assert progressing_looks >= 8
    assert named(items, "ConfigMap", "settings") and named(items, "Application", "settings")
    assert sync.result is not None and (sync.result.phase, sync.result.health) == ("Succeeded", "Healthy")


def test_staging_wave_minus_8_waits_for_wave_minus_9(tmp_path):
    """The staging example at one boundary: while a Deployment of wave -9 is not available, kubectl sees neither
    the Applications of wave -8 nor any object they track."""
    with SimCluster(clock=ManualClock()) as sim:
        sync = SteppedSync(sim, STAGING, tmp_path / "sim.kubeconfig")
        wave_9 = {name for w in sync.plan.waves if w.wave == -9 for name in w.names}
        wave_8 = {name for w in sync.plan.waves if w.wave == -8 for name in w.names}
        expected = sum(1 for name in wave_9 for task in sync.plan.app_plans[name].tasks if task.kind == "Deployment")
        try:
            sync.step_until(lambda: sync.wave_started(-9))
            progressing_looks = 0
            while not sync.wave_started(-8):
                items = look(sync.kubeconfig)
                deploys = [i for i in items if i["kind"] == "Deployment" and tracked_by(i) in wave_9]
                if any(map(progressing, deploys)) or len(deploys) < expected:
                    progressing_looks += 1
                    assert not [i for i in items if tracked_by(i) in wave_8]
                    assert not [i for i in items if i["kind"] == "Application" and i["metadata"]["name"] in wave_8]
                sync.step()
                assert not sync.done
            items = look(sync.kubeconfig)
            assert all(not progressing(i) for i in items if i["kind"] == "Deployment" and tracked_by(i) in wave_9)
        finally:
            sync.stop()
    assert expected >= 2 and progressing_looks >= 2
    assert sync.result is not None and sync.result.phase == "Interrupted"
