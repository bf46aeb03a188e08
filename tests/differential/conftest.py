"""Fixture `servers`: a real kube-apiserver (tests/support/real_apiserver.py) and the simulated cluster side by
side (tests/support/differential.py). Both are started once per xdist worker; each test module carries the marker
`real_apiserver` and the xdist group `real-apiserver`, so one worker starts them, and every test works in
namespaces of its own."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from support.differential import Server, Servers
from support.driven_apiserver import driven_apiserver
from support.real_apiserver import RealApiserver
from wavecd.core import ManualClock
from wavecd.sim.cluster import SimCluster


@pytest.fixture(scope="session")
def servers(real_apiserver: RealApiserver, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    kubeconfig = tmp_path_factory.mktemp("differential-sim") / "kubeconfig"
    with SimCluster(clock=ManualClock()) as cluster:
        cluster.write_kubeconfig(str(kubeconfig))
        yield Servers(Server("real", real_apiserver.kubeconfig), Server("sim", kubeconfig), cluster)


@pytest.fixture(scope="module")
def driven(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RealApiserver, Path]]:
    """A module's own apiserver with the sim's controllers attached (support/driven_apiserver.py)."""
    with driven_apiserver(tmp_path_factory.mktemp("driven-apiserver")) as found:
        yield found
