"""`wavecd sim controllers --kubeconfig F` on a real kube-apiserver that has no kubelet and no controller
manager: real kubectl sees nodes join and a Deployment roll out, and `wavecd sync` of a tree with workloads
passes its health gates there, wave by wave, as it does on the sim.

The apiserver is this module's own (the shared one serves the differential tests, whose objects the
controllers must not touch)."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from support.gitops import Child, config_map, deployment, write_repo
from support.paths import KUBECTL, needs_kubectl, wavecd_command
from support.processes import die_with_parent
from support.real_apiserver import RealApiserver, started_apiserver

pytestmark = [pytest.mark.real_apiserver, pytest.mark.slow, needs_kubectl]


@pytest.fixture(scope="module")
def driven(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RealApiserver, Path]]:
    """The apiserver with `wavecd sim controllers` attached (2 nodes, no simulated delays); its log file."""
    folder = tmp_path_factory.mktemp("driven-apiserver")
    (folder / "server").mkdir()
    with started_apiserver(folder / "server") as server:
        log = folder / "controllers.log"
        command = wavecd_command(
            "sim", "controllers", "--kubeconfig", str(server.kubeconfig), "--nodes", "2", "--delay-scale", "0"
        )
        with open(log, "ab") as out:
            process = subprocess.Popen(command, stdout=out, stderr=out, preexec_fn=die_with_parent)
        try:
            deadline = time.monotonic() + 120
            while _kubectl(server, "get", "node", "sim-node-1", "sim-node-2").returncode != 0:
                assert time.monotonic() < deadline, f"no nodes registered: {log.read_text()}"
                time.sleep(1)
            # What the controllers create before they drive anything: wavecd records Applications there.
            kubectl(server, "wait", "crd/applications.argoproj.io", "--for=condition=Established", "--timeout=60s")
            yield server, log
        finally:
            process.terminate()
            process.wait(timeout=30)


def _kubectl(server: RealApiserver, *args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    command = [str(KUBECTL), "--kubeconfig", str(server.kubeconfig), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout)


def kubectl(server: RealApiserver, *args: str) -> str:
    done = _kubectl(server, *args)
    assert done.returncode == 0, f"kubectl {' '.join(args)}: {done.stderr}"
    return done.stdout


def test_kubectl_sees_the_nodes_ready_and_a_deployment_roll_out(driven):
    server, log = driven
    kubectl(server, "wait", "node/sim-node-1", "node/sim-node-2", "--for=condition=Ready", "--timeout=120s")
    assert kubectl(server, "get", "nodes", "-o", "jsonpath={.items[*].spec.taints}").strip() == "", (
        "the not-ready taint the server puts on a new node is lifted once it is Ready"
    )
    kubectl(server, "create", "namespace", "rollout")
    kubectl(server, "-n", "rollout", "create", "deployment", "api", "--image=nginx:1.27", "--replicas=2")
    # kubectl's own judgement of the rollout, from the Deployment's status the controllers write.
    kubectl(server, "-n", "rollout", "rollout", "status", "deployment/api", "--timeout=150s")
    pods = json.loads(kubectl(server, "-n", "rollout", "get", "pods", "-o", "json"))["items"]
    assert len(pods) == 2
    for pod in pods:
        assert pod["spec"]["nodeName"] in ("sim-node-1", "sim-node-2"), "bound through the binding subresource"
        assert pod["status"]["phase"] == "Running"
    kubectl(server, "-n", "rollout", "set", "image", "deployment/api", "nginx=nginx:1.28")
    kubectl(server, "-n", "rollout", "rollout", "status", "deployment/api", "--timeout=150s")
    sets = json.loads(kubectl(server, "-n", "rollout", "get", "replicasets", "-o", "json"))["items"]
    assert sorted(rs["status"].get("replicas", 0) for rs in sets) == [0, 2], "the old set scaled down, the new up"
    # A pod created in the instant before its namespace's ServiceAccount is refused and made again; no other
    # write of the controllers may be refused by the real server.
    refused = [line for line in log.read_text().splitlines() if "refused" in line]
    assert all("error looking up service account" in line for line in refused), refused


def test_a_tree_with_workloads_syncs_to_healthy_wave_by_wave(driven, tmp_path):
    server, _log = driven
    web = deployment("web", "driven-b")
    web["spec"]["replicas"] = 2
    repo = write_repo(
        tmp_path / "repo",
        [
            Child("settings", [config_map("settings", "driven-a")], wave=0, namespace="driven-a"),
            Child("web", [web], wave=1, namespace="driven-b"),
        ],
    )
    command = wavecd_command("sync", str(repo), "--kubeconfig", str(server.kubeconfig), "-o", "json")
    result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr + result.stdout
    events = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    finished = [(e["app"], e["health"]) for e in events if e["event"] == "app_finished"]
    assert dict(finished) == {"root": "Healthy", "settings": "Healthy", "web": "Healthy"}
    assert [app for app, _ in finished].index("settings") < [app for app, _ in finished].index("web")
    ready = kubectl(server, "-n", "driven-b", "get", "deployment", "web", "-o", "jsonpath={.status.readyReplicas}")
    assert ready == "2"
