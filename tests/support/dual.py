"""One test, two servers: the fixture `target` runs a test once against the simulated cluster (`[sim]`) and once
against the real kube-apiserver (`[real]`, tests/support/real_apiserver.py), so what `wavecd.kube` and
`wavecd.sync` are proven to do holds on the server users run, not only on wavecd's own.

Isolation: the sim is a fresh `SimCluster` per test (it starts in milliseconds); the real apiserver is the
worker's one session server, and each test gets a namespace of its own there (one POST; a namespace is never
deleted, since without a namespace controller it would only go Terminating) and a kubeconfig whose context
names that namespace, so "the context's namespace" is the test's own too. Cluster-scoped objects a test
creates on the real server (CRDs, ClusterRoles) are deleted when it ends, and the test waits until they are
gone, so the next test sees the server as it was. The `[sim]` side gets the same kind of namespace, so a test
reads the same on both.

What only one server has stays behind one attribute: `sim` is the `SimCluster` on `[sim]` and None on
`[real]` (its clock and request log are the sim's own); `establish` and `forget` wait for a CRD's kinds to
come and go on either (the sim's CRD controller moves with its clock, the real apiserver's runs by itself).
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from support.real_apiserver import pinned_version
from wavecd.common import DEFAULT_KUBE_VERSION
from wavecd.core import ManualClock
from wavecd.kube import KubeClient
from wavecd.sim.cluster import SimCluster

__all__ = ["SERVERS", "Cluster", "target"]

# The kinds of cluster-scoped objects the tests create, removed from the shared real apiserver after each one.
CLEANED = [
    ("apiextensions.k8s.io/v1", "CustomResourceDefinition"),
    ("rbac.authorization.k8s.io/v1", "ClusterRole"),
]

SERVERS = ["sim", pytest.param("real", marks=[pytest.mark.real_apiserver, pytest.mark.xdist_group("real-apiserver")])]


def _wait(what: str, done: Callable[[], bool], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not in {timeout} s")
        time.sleep(0.05)


@dataclass
class Cluster:
    """One server as a test sees it: `kube` reaches it through `kubeconfig`, whose context namespace is
    `namespace` (created for this test)."""

    name: str
    kube: KubeClient
    kubeconfig: Path
    namespace: str
    sim: SimCluster | None
    version: str  # the Kubernetes version the server reports ("v1.34.4")

    def establish(self, crd_name: str) -> None:
        """Wait until the CRD `crd_name` is Established (the sim's controller needs its clock moved 0.2 s)."""
        if self.sim is not None:
            self.sim.advance(0.2)
            return

        def established() -> bool:
            crd = self.kube.get("apiextensions.k8s.io/v1", "CustomResourceDefinition", crd_name)
            conditions = ((crd or {}).get("status") or {}).get("conditions") or []
            return any(c["type"] == "Established" and c["status"] == "True" for c in conditions)

        _wait(f"CRD {crd_name} Established", established)

    def forget(self, crd_name: str) -> None:
        """Wait until the deleted CRD `crd_name` is gone with its custom resources (the sim: 5 s of its clock)."""
        if self.sim is not None:
            self.sim.advance(5)
            return
        crds = "apiextensions.k8s.io/v1", "CustomResourceDefinition"
        _wait(f"CRD {crd_name} gone", lambda: self.kube.get(*crds, crd_name) is None)


def _kubeconfig(source: Path, path: Path, namespace: str) -> Path:
    """`source`'s kubeconfig with every context's namespace set to `namespace`."""
    config = yaml.safe_load(source.read_text())
    for context in config["contexts"]:
        context["context"]["namespace"] = namespace
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    path.chmod(0o600)
    return path


def _names(kube: KubeClient) -> set[tuple[str, str]]:
    return {(kind, obj["metadata"]["name"]) for api_version, kind in CLEANED for obj in kube.list(api_version, kind)}


@pytest.fixture(params=SERVERS)
def target(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Cluster]:
    namespace = f"t-{secrets.token_hex(4)}"
    folder = tmp_path / "dual"
    folder.mkdir()
    if request.param == "sim":
        with SimCluster(clock=ManualClock()) as sim:
            sim.write_kubeconfig(str(folder / "sim-kubeconfig"))
            kubeconfig = _kubeconfig(folder / "sim-kubeconfig", folder / "kubeconfig", namespace)
            with KubeClient.from_kubeconfig(str(kubeconfig)) as kube:
                kube.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}})
                yield Cluster("sim", kube, kubeconfig, namespace, sim, DEFAULT_KUBE_VERSION)
        return
    real = request.getfixturevalue("real_apiserver")
    kubeconfig = _kubeconfig(real.kubeconfig, folder / "kubeconfig", namespace)
    with KubeClient.from_kubeconfig(str(kubeconfig)) as kube:
        kube.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}})
        before = _names(kube)
        try:
            yield Cluster("real", kube, kubeconfig, namespace, None, pinned_version())
        finally:
            _clean(kube, before)


def _clean(kube: KubeClient, before: set[tuple[str, str]]) -> None:
    """Delete the cluster-scoped objects the test created, and wait until they are gone."""
    kinds = dict((kind, api_version) for api_version, kind in CLEANED)
    created = _names(kube) - before
    for kind, name in created:
        kube.delete(kinds[kind], kind, name)
    _wait("the test's cluster-scoped objects deleted", lambda: not (_names(kube) & created))
