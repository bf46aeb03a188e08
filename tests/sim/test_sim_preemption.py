"""Basic preemption in the sim's scheduler: a pod of a higher PriorityClass that no node takes evicts
lower-priority pods from one node, as kube-scheduler's DefaultPreemption does — the victims get the `Preempted`
Event (`Preempted by pod <uid> on node <node>`, pkg/scheduler/framework/preemption, kubernetes v1.34), the
preemptor is nominated to the node and runs there once they are gone."""

from __future__ import annotations

from tests.sim.scheduling_support import add_node, apply, cordon_default, deploy, deployment, events, pods, scheduled

NO_VICTIMS = "No preemption victims found for incoming pod"


def _priority_class(client, name, value):
    body = {"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass", "metadata": {"name": name}, "value": value}
    apply(client, f"/apis/scheduling.k8s.io/v1/priorityclasses/{name}", body)


def test_a_higher_priority_pod_preempts_a_lower_one_and_runs_in_its_place(sim, client, ns):
    _priority_class(client, "critical", 1000)
    deploy(client, deployment("batch", cpu="5"))
    sim.advance(5)
    (victim,) = pods(client, "batch")
    assert victim["spec"]["nodeName"] == "sim-node-1"
    deploy(client, deployment("urgent", cpu="5", priorityClassName="critical"))
    sim.advance(5)
    (urgent,) = pods(client, "urgent")
    preempted = events(client, "Preempted")
    assert [(e["involvedObject"]["name"], e["message"], e["source"]["component"]) for e in preempted] == [
        (
            victim["metadata"]["name"],
            f"Preempted by pod {urgent['metadata']['uid']} on node sim-node-1",
            "default-scheduler",
        )
    ]
    assert (urgent["spec"].get("nodeName"), urgent["status"]["phase"]) == ("sim-node-1", "Running")
    # The victim's ReplicaSet made a new pod: of priority 0, it finds no victim of its own.
    (replacement,) = pods(client, "batch")
    assert replacement["metadata"]["name"] != victim["metadata"]["name"]
    assert scheduled(replacement)["message"] == (
        f"0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 {NO_VICTIMS}."
    )


def test_equal_priority_or_preemption_policy_never_preempts_nothing(sim, client, ns):
    _priority_class(client, "critical", 1000)
    deploy(client, deployment("batch", cpu="5"))
    deploy(client, deployment("same", cpu="5"))
    deploy(client, deployment("polite", cpu="5", priorityClassName="critical", preemptionPolicy="Never"))
    sim.advance(5)
    assert pods(client, "batch")[0]["spec"]["nodeName"] == "sim-node-1"
    assert events(client, "Preempted") == []
    for app in ("same", "polite"):
        assert scheduled(pods(client, app)[0])["message"].endswith(f"1 {NO_VICTIMS}.")


def test_a_node_with_fewer_victims_wins_over_one_whose_extra_victim_has_negative_priority(sim, client, ns):
    # kube-scheduler sums `priority + MaxInt32 + 1` per victim, so evicting [0, -10] costs more than evicting [0].
    _priority_class(client, "critical", 1000)
    _priority_class(client, "scavenger", -10)
    cordon_default(client)
    add_node(client, "node-a")
    add_node(client, "node-b")
    on = {"node-a": {"kubernetes.io/hostname": "node-a"}, "node-b": {"kubernetes.io/hostname": "node-b"}}
    deploy(client, deployment("zero-a", cpu="2", nodeSelector=on["node-a"]))
    deploy(client, deployment("scavenger-a", cpu="2", nodeSelector=on["node-a"], priorityClassName="scavenger"))
    deploy(client, deployment("zero-b", cpu="4", nodeSelector=on["node-b"]))
    sim.advance(5)
    (victim,) = pods(client, "zero-b")
    assert victim["spec"]["nodeName"] == "node-b"
    deploy(client, deployment("urgent", cpu="4", priorityClassName="critical"))
    sim.advance(5)
    assert [e["involvedObject"]["name"] for e in events(client, "Preempted")] == [victim["metadata"]["name"]]
    assert pods(client, "urgent")[0]["spec"].get("nodeName") == "node-b"
