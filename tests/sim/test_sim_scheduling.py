"""Scheduling in the sim, seen as a client sees it: where pods are bound, and what a pod no node takes reports.

The expected messages are kube-scheduler's as real clusters print them (`kubectl describe pod`), e.g.
`0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims
found for incoming pod.` and `0/1 nodes are available: 1 node(s) had untolerated taint
{node-role.kubernetes.io/control-plane: }. preemption: 0/1 nodes are available: 1 Preemption is not helpful
for scheduling.` (kubernetes.io's tutorials and issue reports; the format is FitError.Error() in
pkg/scheduler/framework/types.go).
"""

from __future__ import annotations

import pytest
from tests.sim.scheduling_support import add_node, apply, cordon_default, deploy, deployment, events, pods, scheduled

from wavecd.health import HealthStatus, assess

NO_VICTIMS = "No preemption victims found for incoming pod"
NOT_HELPFUL = "Preemption is not helpful for scheduling"


def test_default_node_has_realistic_allocatable_capacity(client):
    node = client.get("/api/v1/nodes/sim-node-1").json()
    assert node["status"]["allocatable"]["cpu"] == "7910m"
    assert node["status"]["allocatable"]["pods"] == "58"
    assert node["metadata"]["labels"]["node.kubernetes.io/instance-type"] == "m5.2xlarge"
    assert node["metadata"]["labels"]["topology.kubernetes.io/zone"] == "sim-1a"


def test_a_pod_whose_requests_do_not_fit_stays_pending_with_the_schedulers_message(sim, client, ns):
    deploy(client, deployment("big", replicas=2, cpu="5"))
    sim.advance(5)
    running, pending = pods(client, "big")
    assert running["spec"]["nodeName"] == "sim-node-1" and running["status"]["phase"] == "Running"
    assert pending["status"]["phase"] == "Pending" and "nodeName" not in pending["spec"]
    message = f"0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 {NO_VICTIMS}."
    assert scheduled(pending) | {"lastTransitionTime": ""} == {
        "type": "PodScheduled",
        "status": "False",
        "reason": "Unschedulable",
        "message": message,
        "lastTransitionTime": "",
    }
    failed = events(client, "FailedScheduling")
    assert [(e["type"], e["message"], e["involvedObject"]["name"]) for e in failed] == [
        ("Warning", message, pending["metadata"]["name"])
    ]
    assert failed[0]["source"]["component"] == "default-scheduler"
    live = client.get("/apis/apps/v1/namespaces/app/deployments/big").json()
    assert assess(live).status == HealthStatus.PROGRESSING
    # A node joins: the pending pod is tried again and runs there.
    add_node(client, "extra", cpu="8", memory="32Gi")
    sim.advance(5)
    assert [(p["spec"]["nodeName"], p["status"]["phase"]) for p in pods(client, "big")] == [
        ("extra", "Running"),
        ("sim-node-1", "Running"),
    ]
    assert assess(client.get("/apis/apps/v1/namespaces/app/deployments/big").json()).status == HealthStatus.HEALTHY


def test_an_init_container_counts_by_the_max_rule_not_the_sum(sim, client, ns):
    init = {"name": "i", "image": "busybox", "resources": {"requests": {"cpu": "3"}}}
    deploy(client, deployment("first", cpu="1"))
    deploy(client, deployment("fits", cpu="4", initContainers=[init]))  # 1 + max(4, 3) = 5 of 7.91 (a sum: 8)
    sim.advance(5)
    assert pods(client, "fits")[0]["status"]["phase"] == "Running"
    deploy(client, deployment("waits", cpu="1", initContainers=[init]))  # 5 + max(1, 3) = 8 > 7.91
    sim.advance(5)
    assert scheduled(pods(client, "waits")[0])["reason"] == "Unschedulable"


def test_a_node_selector_no_node_matches(sim, client, ns):
    deploy(client, deployment("picky", nodeSelector={"disktype": "ssd"}))
    sim.advance(5)
    assert scheduled(pods(client, "picky")[0])["message"] == (
        "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector. "
        f"preemption: 0/1 nodes are available: 1 {NOT_HELPFUL}."
    )
    add_node(client, "ssd", labels={"disktype": "ssd"})
    sim.advance(5)
    assert pods(client, "picky")[0]["spec"]["nodeName"] == "ssd"


@pytest.mark.parametrize(
    ("expression", "node"),
    [
        ({"key": "size", "operator": "In", "values": ["16"]}, "large"),
        ({"key": "size", "operator": "NotIn", "values": ["16", "2"]}, "sim-node-1"),
        ({"key": "size", "operator": "Exists"}, "small"),  # both match: the one with more CPU left free
        ({"key": "size", "operator": "DoesNotExist"}, "sim-node-1"),
        ({"key": "size", "operator": "Gt", "values": ["4"]}, "large"),
        ({"key": "size", "operator": "Lt", "values": ["4"]}, "small"),
    ],
)
def test_required_node_affinity_operators(sim, client, ns, expression, node):
    add_node(client, "small", labels={"size": "2"}, cpu="16")
    add_node(client, "large", labels={"size": "16"}, cpu="4")
    affinity = {
        "nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {
                "nodeSelectorTerms": [{"matchExpressions": [expression]}]
            }
        }
    }
    deploy(client, deployment("aff", affinity=affinity))
    sim.advance(5)
    assert pods(client, "aff")[0]["spec"].get("nodeName") == node


def test_taints_refuse_pods_that_do_not_tolerate_them(sim, client, ns):
    cordon_default(client)
    add_node(client, "tainted", taints=[{"key": "purpose", "value": "loadtest", "effect": "NoSchedule"}])
    deploy(client, deployment("plain"))
    toleration = {"key": "purpose", "operator": "Equal", "value": "loadtest", "effect": "NoSchedule"}
    deploy(client, deployment("tolerant", tolerations=[toleration]))
    sim.advance(5)
    assert scheduled(pods(client, "plain")[0])["message"] == (
        "0/2 nodes are available: 1 node(s) had untolerated taint {purpose: loadtest}, 1 node(s) were "
        f"unschedulable. preemption: 0/2 nodes are available: 2 {NOT_HELPFUL}."
    )
    assert pods(client, "tolerant")[0]["spec"]["nodeName"] == "tainted"


def test_topology_spread_do_not_schedule_keeps_the_skew(sim, client, ns):
    add_node(client, "zone-b", labels={"topology.kubernetes.io/zone": "sim-1b"}, cpu="1")
    spread = [
        {
            "maxSkew": 1,
            "topologyKey": "topology.kubernetes.io/zone",
            "whenUnsatisfiable": "DoNotSchedule",
            "labelSelector": {"matchLabels": {"app": "spread"}},
        }
    ]
    deploy(client, deployment("spread", replicas=4, cpu="600m", topologySpreadConstraints=spread))
    sim.advance(5)
    placed = pods(client, "spread")
    # Zone sim-1a takes two, sim-1b's node has room for one; a third in sim-1a would make the skew 3 - 1 = 2.
    assert [p["spec"].get("nodeName") for p in placed] == ["sim-node-1", "sim-node-1", "zone-b", None]
    assert scheduled(placed[3])["message"] == (
        "0/2 nodes are available: 1 Insufficient cpu, 1 node(s) didn't match pod topology spread constraints. "
        f"preemption: 0/2 nodes are available: 2 {NO_VICTIMS}."
    )


def test_topology_spread_needs_the_key_on_the_node(sim, client, ns):
    spread = [
        {
            "maxSkew": 1,
            "topologyKey": "rack",
            "whenUnsatisfiable": "DoNotSchedule",
            "labelSelector": {"matchLabels": {"app": "racked"}},
        }
    ]
    deploy(client, deployment("racked", topologySpreadConstraints=spread))
    sim.advance(5)
    assert scheduled(pods(client, "racked")[0])["message"] == (
        "0/1 nodes are available: 1 node(s) didn't match pod topology spread constraints (missing required "
        f"label). preemption: 0/1 nodes are available: 1 {NOT_HELPFUL}."
    )


def test_a_daemonset_skips_nodes_whose_taints_or_labels_it_does_not_accept(sim, client, ns):
    linux = {"kubernetes.io/os": "linux"}
    add_node(client, "tainted", labels=linux, taints=[{"key": "purpose", "value": "loadtest", "effect": "NoSchedule"}])
    add_node(client, "cordoned", labels=linux, unschedulable=True)
    add_node(client, "windows", labels={"kubernetes.io/os": "windows"})
    daemon = deployment("agent", nodeSelector=linux)
    daemon["kind"] = "DaemonSet"
    del daemon["spec"]["replicas"]
    add_node(client, "linux", labels=linux)
    apply(client, "/apis/apps/v1/namespaces/app/daemonsets/agent", daemon)
    sim.advance(5)
    assert sorted(p["spec"]["nodeName"] for p in pods(client, "agent")) == ["cordoned", "linux", "sim-node-1"]
    status = client.get("/apis/apps/v1/namespaces/app/daemonsets/agent").json()["status"]
    assert (status["desiredNumberScheduled"], status["numberReady"]) == (3, 3)
