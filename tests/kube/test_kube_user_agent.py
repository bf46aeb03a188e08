"""The User-Agent wavecd sends: client-go's shape, so an API server's audit log names wavecd, with an optional
component that tells two processes of wavecd apart (each `wavecd serve` replica names its identity)."""

from __future__ import annotations

import platform
import re

from wavecd import __version__
from wavecd.kube import KubeClient, user_agent

# client-go: `<binary>/<version> (<os>/<arch>) kubernetes/<commit>`; wavecd has no commit to name.
CLIENT_GO_SHAPE = re.compile(r"[a-z]+/v\d+\.\d+\.\d+\S* \([a-z]+/[a-z0-9_]+\)")


def test_the_default_names_wavecd_its_version_and_platform():
    agent = user_agent()
    assert CLIENT_GO_SHAPE.fullmatch(agent), agent
    assert agent.startswith(f"wavecd/v{__version__} ({platform.system().lower()}/")
    if platform.machine() == "x86_64":
        assert agent.endswith("/amd64)")  # Go's name for it, as kubectl reports it


def test_a_component_follows_the_platform():
    assert user_agent("serve/host-0_42") == f"{user_agent()} serve/host-0_42"


def test_every_request_carries_it_writes_reads_and_discovery(sim, kubeconfig):
    seen = len(sim.requests)
    with KubeClient.from_kubeconfig(str(kubeconfig), agent=user_agent("serve/replica-a")) as client:
        client.resources(refresh=True)
        client.apply({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "ua", "namespace": "default"}})
        client.get("v1", "ConfigMap", "ua", "default")
        client.delete("v1", "ConfigMap", "ua", "default")
    requests = sim.requests[seen:]
    assert {r.method for r in requests} >= {"GET", "PATCH", "DELETE"}
    assert {r.user_agent for r in requests} == {user_agent("serve/replica-a")}


def test_without_one_the_default_is_sent(sim, kube):
    seen = len(sim.requests)
    assert kube.get("v1", "Namespace", "default") is not None
    assert {r.user_agent for r in sim.requests[seen:]} == {user_agent()}
