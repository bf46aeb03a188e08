"""`wavecd sim controllers --kubeconfig F` on a real kube-apiserver that has no kubelet and no controller
manager: real kubectl sees nodes join and a Deployment roll out, and `wavecd sync` of a tree with workloads
passes its health gates there, wave by wave, as it does on the sim: the whole staging example (its
metrics-server APIService judged by the server's own aggregator), and the gating proof as kubectl sees it.

The apiserver is this module's own (fixture `driven` in conftest.py: the shared one serves the differential
tests, whose objects the controllers must not touch)."""

from __future__ import annotations

import json
import shutil
import subprocess
import time

import pytest
import yaml

from support.driven_apiserver import kubectl, needs_host_address
from support.gitops import Child, config_map, deployment, write_repo
from support.paths import STAGING, needs_kubectl, wavecd_command
from support.sync_proofs import CliSync, look, looks_while_progressing, named
from support.waiting import eventually

pytestmark = [pytest.mark.real_apiserver, pytest.mark.slow, needs_kubectl]


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
    # A real server only marks a bound pod deleted; the controllers, standing in for its kubelet, end it.
    names = "jsonpath={.items[*].metadata.name}"
    assert eventually(
        lambda: len(kubectl(server, "-n", "rollout", "get", "pods", "-o", names).split()) == 2, timeout=30
    )
    # kube-controller-manager's EndpointSlice controller, as the controllers stand in for it: a Service over
    # the Deployment's pods gets their IPs, ready, on the target port, in a slice the server accepted.
    kubectl(server, "-n", "rollout", "create", "service", "clusterip", "api", "--tcp=80:8080")
    ips = sorted(kubectl(server, "-n", "rollout", "get", "pods", "-o", "jsonpath={.items[*].status.podIP}").split())

    def endpoints() -> list[tuple[str, bool, int]]:
        of_api = "kubernetes.io/service-name=api"
        found = kubectl(server, "-n", "rollout", "get", "endpointslices", "-l", of_api, "-o", "json")
        return sorted(
            (e["addresses"][0], e["conditions"]["ready"], port["port"])
            for item in json.loads(found)["items"]
            for e in item.get("endpoints") or []
            for port in item.get("ports") or []
        )

    assert eventually(lambda: endpoints() == [(ip, True, 8080) for ip in ips], timeout=30), endpoints()
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


@needs_host_address
def test_the_staging_example_syncs_to_healthy_and_the_aggregator_finds_metrics_server(driven, tmp_path):
    """The whole staging tree, metrics-server's APIService included: kube-apiserver's own aggregator judges it
    Available, through the EndpointSlice the controllers write and the discovery backend standing in for the
    metrics-server pods (docs/sim.md)."""
    server, log = driven
    root = tmp_path / "examples" / "staging"
    shutil.copytree(STAGING, root)
    shutil.copytree(STAGING.parent / "mirror", root.parent / "mirror")  # its charts, as wavecd.yaml names them
    command = wavecd_command("sync", str(root), "--kubeconfig", str(server.kubeconfig), "-o", "json")
    result = subprocess.run(command, capture_output=True, text=True, timeout=900)
    events = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    assert result.returncode == 0, result.stderr + "\n".join(map(str, events[-10:])) + log.read_text()[-3000:]
    finished = {e["app"]: e["health"] for e in events if e["event"] == "app_finished"}
    assert "metrics-server" in finished
    assert set(finished.values()) == {"Healthy"}, finished
    available = kubectl(
        server,
        "get",
        "apiservice",
        "v1beta1.metrics.k8s.io",
        "-o",
        'jsonpath={.status.conditions[?(@.type=="Available")].status} {.status.conditions[0].reason}',
    )
    assert available == "True Passed"
    # The aggregator reached the stand-in through the Service's slice: kubectl's own request is proxied there.
    assert json.loads(kubectl(server, "get", "--raw", "/apis/metrics.k8s.io/v1beta1"))["groupVersion"] == (
        "metrics.k8s.io/v1beta1"
    )


def test_kubectl_sees_no_wave_1_object_while_the_wave_0_deployment_progresses(driven, tmp_path):
    """The gating proof of tests/sync/test_sync_proof_gating.py on the real apiserver, in real time: from the
    Deployment's apply until it is available, every look of real kubectl finds nothing of wave 1 (its
    Application, namespace or ConfigMap); once the sync is done, wave 1 is there."""
    server, _log = driven
    web = deployment("gate-web", "gate-web", annotations={"sim.wavecd.io/ready-after": "6s"})
    repo = write_repo(
        tmp_path / "repo",
        [
            Child("gate-web", [web], wave=0, namespace="gate-web"),
            Child("gate-settings", [config_map("gate-settings", "gate-settings")], wave=1, namespace="gate-settings"),
        ],
    )
    sync = CliSync(repo, server.kubeconfig)
    try:
        sync.read_until(lambda e: e["event"] == "applied" and e["kind"] == "Deployment")
        # Half a second between looks, at most 120 of them.
        progressing_looks = looks_while_progressing(
            server.kubeconfig, "gate-web", "gate-settings", lambda: time.sleep(0.5), 120
        )
        assert sync.finish() == 0, sync.stderr
    finally:
        sync.kill()
    items = look(server.kubeconfig)
    # 6 s of readiness delay: kubectl saw the rollout wait, and then the next wave arrive.
    assert progressing_looks >= 3
    assert named(items, "ConfigMap", "gate-settings") and named(items, "Application", "gate-settings")


@needs_host_address
def test_the_aggregator_judges_an_apiservice_by_its_pods_readiness(driven, tmp_path):
    """An APIService over a Service whose pods are not ready yet is unavailable by the server's own verdict
    (no ready endpoint), and Available once they are: readiness reaches the aggregator through the slice."""
    server, _log = driven
    manifest = tmp_path / "aggregated.yaml"
    backend = deployment("stand-in", "aggregated", annotations={"sim.wavecd.io/ready-after": "15s"})
    # A Service over the pods and an APIService over the Service, as metrics-server's chart writes them.
    rest = """
apiVersion: v1
kind: Service
metadata: {name: stand-in, namespace: aggregated}
spec:
  selector: {app: stand-in}
  ports: [{name: https, port: 443, targetPort: 10250}]
---
apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata: {name: v1alpha1.wavecd-test.example.com}
spec:
  group: wavecd-test.example.com
  version: v1alpha1
  service: {namespace: aggregated, name: stand-in, port: 443}
  insecureSkipTLSVerify: true
  groupPriorityMinimum: 100
  versionPriority: 100
"""
    manifest.write_text(yaml.safe_dump(backend) + "---" + rest)
    kubectl(server, "create", "namespace", "aggregated")
    kubectl(server, "apply", "-f", str(manifest))
    condition = 'jsonpath={.status.conditions[?(@.type=="Available")].status} {.status.conditions[0].reason}'

    def available() -> str:
        return kubectl(server, "get", "apiservice", "v1alpha1.wavecd-test.example.com", "-o", condition)

    assert eventually(lambda: available() == "False MissingEndpoints", timeout=15), available()
    kubectl(server, "wait", "apiservice/v1alpha1.wavecd-test.example.com", "--for=condition=Available", "--timeout=60s")
    assert available() == "True Passed"
    kubectl(server, "delete", "apiservice", "v1alpha1.wavecd-test.example.com")
