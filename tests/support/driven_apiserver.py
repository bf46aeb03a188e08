"""A real kube-apiserver of its own with `wavecd sim controllers` attached (2 nodes, no simulated delays), for
the tests that need pods to run there: the shared apiserver serves the differential tests, whose objects the
controllers must not touch. Reached with real kubectl.

The aggregator dials an APIService's endpoints rather than its Service's ClusterIP (`--enable-aggregator-routing`,
as clusters without kube-proxy on the control plane run it): nothing routes ClusterIPs here, and the
controllers' stand-in discovery backend is found through the EndpointSlice they write."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from support.kubectl import kubectl as shared_kubectl
from support.kubectl import run_kubectl
from support.paths import wavecd_command
from support.processes import die_with_parent
from support.real_apiserver import RealApiserver, started_apiserver
from wavecd.simdrive.discovery_backend import host_address

__all__ = ["driven_apiserver", "kubectl", "needs_host_address"]

# The stand-in discovery backend listens on this host's outgoing address: kube-apiserver refuses loopback and
# link-local addresses in an EndpointSlice, so without one no APIService backed by a Service becomes Available.
needs_host_address = pytest.mark.skipif(
    host_address() is None, reason="this host has only loopback or link-local IPv4 addresses"
)


@contextmanager
def driven_apiserver(folder: Path) -> Iterator[tuple[RealApiserver, Path]]:
    """The apiserver, once the controllers have registered their nodes and Argo CD's CRDs; and their log."""
    (folder / "server").mkdir()
    with started_apiserver(folder / "server", ("--enable-aggregator-routing=true",)) as server:
        log = folder / "controllers.log"
        command = wavecd_command(
            "sim", "controllers", "--kubeconfig", str(server.kubeconfig), "--nodes", "2", "--delay-scale", "0"
        )
        with open(log, "ab") as out:
            process = subprocess.Popen(command, stdout=out, stderr=out, preexec_fn=die_with_parent)
        try:
            deadline = time.monotonic() + 120
            while (
                run_kubectl(server.kubeconfig, "get", "node", "sim-node-1", "sim-node-2", timeout=180).returncode != 0
            ):
                assert time.monotonic() < deadline, f"no nodes registered: {log.read_text()}"
                time.sleep(1)
            # What the controllers create before they drive anything: wavecd records Applications there.
            kubectl(server, "wait", "crd/applications.argoproj.io", "--for=condition=Established", "--timeout=60s")
            yield server, log
        finally:
            process.terminate()
            process.wait(timeout=30)


def kubectl(server: RealApiserver, *args: str) -> str:
    """Real kubectl against the server (rollouts here wait up to 150 s, hence the longer limit)."""
    return shared_kubectl(server.kubeconfig, *args, timeout=180)
