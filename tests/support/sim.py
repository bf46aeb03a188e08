"""The simulated cluster in this process, on a manual clock, and the ways the tests reach it.

Fixtures (loaded for every folder by tests/conftest.py): `sim`, a fresh `SimCluster` whose clock only moves
when a test or a sync moves it; `kubeconfig`, a kubeconfig file that points at it; `kube`, a `KubeClient`
that reads that file, exactly as wavecd reaches a real cluster.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from wavecd.apps.session import TreeRequest, open_session
from wavecd.core import Event, ManualClock
from wavecd.kube import KubeClient
from wavecd.plan import plan_tree
from wavecd.sim.cluster import SimCluster
from wavecd.sync.settings import ClusterFacts, SyncSettings
from wavecd.sync.tree_sync import sync_tree


class SimTime:
    """The sync's clock: the sim's manual time, and a `sleep` that moves it (settling controllers on the way),
    so a rollout that waits 30 s of cluster time finishes in milliseconds, and the same way on every run."""

    def __init__(self, sim: SimCluster):
        self.sim = sim
        self._lock = threading.Lock()

    def now(self) -> float:
        return self.sim.clock.now()

    def sleep(self, seconds: float) -> None:
        # Apps of one wave sleep in parallel and each sleep moves the clock, so cluster time then runs faster
        # than any one app asked: tests that assert elapsed time keep one app per tree wave.
        with self._lock:
            self.sim.advance(seconds)


@pytest.fixture
def sim() -> Iterator[SimCluster]:
    with SimCluster(clock=ManualClock()) as cluster:
        yield cluster


@pytest.fixture
def kubeconfig(sim: SimCluster, tmp_path: Path) -> Path:
    path = tmp_path / "kubeconfig"
    sim.write_kubeconfig(str(path))
    return path


@pytest.fixture
def kube(kubeconfig: Path) -> Iterator[KubeClient]:
    with KubeClient.from_kubeconfig(str(kubeconfig)) as client:
        yield client


def unreachable_kubeconfig(path: Path) -> int:
    """Write at `path` a kubeconfig whose server has gone away; the port it names, refused now."""
    with SimCluster(clock=ManualClock()) as gone:
        gone.write_kubeconfig(str(path))
        return gone.port


def sync_repo(sim: SimCluster, repo: Path) -> list[Event]:
    """`wavecd sync REPO` into the sim, as the engine runs it (no cache: tests rewrite their repositories); the
    events it emitted, in order."""
    events: list[Event] = []
    session = open_session(TreeRequest(root=repo, use_cache=False))

    def render(name: str, facts: ClusterFacts) -> list[dict[str, Any]]:
        return session.render_at(name, facts.kube_version, facts.api_versions)

    with KubeClient.for_server(sim.url) as client:
        result = sync_tree(
            plan_tree(session.tree), client, render, settings=SyncSettings(), clock=SimTime(sim), emit=events.append
        )
    assert result.exit_code == 0, result.message
    return events
