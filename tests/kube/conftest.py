"""Fixtures for the kube tests: a simulated cluster on a manual clock, reached over real HTTP through a
kubeconfig, exactly as wavecd reaches a real cluster."""

from __future__ import annotations

import pytest

from wavecd.core import ManualClock
from wavecd.kube import KubeClient
from wavecd.sim.cluster import SimCluster


@pytest.fixture
def cluster():
    with SimCluster(clock=ManualClock()) as sim:
        yield sim


@pytest.fixture
def kube(cluster, tmp_path):
    path = tmp_path / "kubeconfig"
    cluster.write_kubeconfig(str(path))
    with KubeClient.from_kubeconfig(str(path)) as client:
        yield client


@pytest.fixture
def ns(kube):
    kube.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "app"}})
    return "app"
