"""A rollout that needs nodes, synced into the sim with Karpenter installed by the tree itself (its CRDs from the
example's chart mirror, then a NodePool a wave later): the services' wave waits while a node is provisioned and
then passes; with the NodePool at its limits it waits until the timeout, which names the scheduler's message."""

from __future__ import annotations

import yaml
from sync_fixtures import settings

from support.gitops import Child, write_repo
from support.paths import EXAMPLES

CRDS = EXAMPLES / "mirror/public.ecr.aws/karpenter/karpenter/crds"
INSUFFICIENT = (
    "0/1 nodes are available: 1 Insufficient cpu. "
    "preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod."
)


def _nodepool(cpu_limit):
    return {
        "apiVersion": "karpenter.sh/v1",
        "kind": "NodePool",
        "metadata": {"name": "default"},
        "spec": {
            "template": {
                "metadata": {"labels": {"node-pool": "default"}},
                "spec": {
                    "nodeClassRef": {"group": "karpenter.k8s.aws", "kind": "EC2NodeClass", "name": "default"},
                    "requirements": [
                        {"key": "karpenter.sh/capacity-type", "operator": "In", "values": ["spot", "on-demand"]},
                        {"key": "karpenter.k8s.aws/instance-category", "operator": "In", "values": ["c", "m", "r"]},
                    ],
                },
            },
            "limits": {"cpu": cpu_limit},
            "disruption": {"consolidationPolicy": "WhenEmptyOrUnderutilized", "consolidateAfter": "1m"},
        },
    }


def _service():
    """Two replicas of 5 CPUs: one fits the cluster's own node (7910m allocatable), the other needs a new one."""
    labels = {"app": "api"}
    container = {"name": "app", "image": "example/app:1", "resources": {"requests": {"cpu": "5", "memory": "1Gi"}}}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "api", "namespace": "apps"},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": labels},
            "template": {"metadata": {"labels": labels}, "spec": {"containers": [container]}},
        },
    }


def _tree(cpu_limit):
    crds = [yaml.safe_load(path.read_text()) for path in sorted(CRDS.glob("*.yaml"))]
    return [
        Child("karpenter", crds, wave=-8, namespace="kube-system"),
        Child("karpenter-config", [_nodepool(cpu_limit)], wave=-6, namespace="kube-system"),
        Child("services", [_service()], wave=10),
    ]


def _messages(run, app):
    return [b["message"] for e in run.of("waiting", app=app) for b in e["blockers"]]


def test_the_services_wave_waits_for_a_provisioned_node_then_passes(cluster, tmp_path):
    run = cluster.sync(write_repo(tmp_path, _tree("200")))

    assert (run.result.phase, run.result.health, run.result.exit_code) == ("Succeeded", "Healthy", 0)
    waits = _messages(run, "services")
    assert any(m.endswith(f"is Pending: {INSUFFICIENT}") for m in waits), waits
    assert all(m.startswith("Waiting for rollout to finish: ") for m in waits)
    (claim,) = cluster.kube.list("karpenter.sh/v1", "NodeClaim")
    node = cluster.get("v1", "Node", claim["status"]["nodeName"])
    assert node is not None and node["metadata"]["labels"]["karpenter.sh/nodepool"] == "default"
    pods = cluster.kube.list("v1", "Pod", "apps")
    assert sorted(p["spec"]["nodeName"] for p in pods) == sorted([node["metadata"]["name"], "sim-node-1"])
    [finished] = run.of("app_finished", app="services")
    assert finished["health"] == "Healthy"
    # The progress shows the node Karpenter launched for it, then joining, from the NodeClaim itself.
    labels = claim["metadata"]["labels"]
    launching, joined = run.of("node", app="services")
    assert (launching["state"], launching["nodeclaim"], launching.get("node")) == (
        "launching",
        claim["metadata"]["name"],
        None,
    )
    assert (joined["state"], joined["node"]) == ("joined", node["metadata"]["name"])
    assert (joined["nodepool"], joined["instance_type"], joined["capacity_type"], joined["zone"]) == (
        "default",
        labels["node.kubernetes.io/instance-type"],
        labels["karpenter.sh/capacity-type"],
        labels["topology.kubernetes.io/zone"],
    )


def test_a_nodepool_at_its_limit_times_out_with_the_schedulers_message(cluster, tmp_path):
    run = cluster.sync(write_repo(tmp_path, _tree("4")), settings(timeout=300))

    assert (run.result.phase, run.result.exit_code) == ("TimedOut", 3)
    [summary] = run.of("summary")
    assert summary["blocking"]["kind"] == "Deployment" and summary["blocking"]["name"] == "api"
    message = summary["blocking"]["message"]
    assert message.startswith("Waiting for rollout to finish: 1 of 2 updated replicas are available...; pod api-")
    assert message.endswith(f" is Pending: {INSUFFICIENT}")
    assert cluster.kube.list("karpenter.sh/v1", "NodeClaim") == []
    assert run.of("node") == []
