"""Fixtures for the kube tests: each test that takes `kube` runs twice, against the simulated cluster (`[sim]`)
and the real kube-apiserver (`[real]`), through the fixture `target` (tests/support/dual.py). `kube` reaches
the server through a kubeconfig whose context namespace is `ns`, the test's own namespace.

Sim-only, each for the reason its module gives: the kubeconfig, in-cluster and error-mapping tests (they test
how the client is configured or reads a response, against the sim as any HTTP server or none), the User-Agent
tests and the request-shape checks (seen in the sim's request log), Helm's recorded API versions (recorded
against the sim) and a watch's 410 after a restart (the sim restarted from its state file)."""

from __future__ import annotations

import pytest

from support.dual import Cluster
from wavecd.kube import KubeClient


@pytest.fixture
def kube(target: Cluster) -> KubeClient:
    return target.kube


@pytest.fixture
def ns(target: Cluster) -> str:
    return target.namespace
