"""Inter-pod affinity and anti-affinity in the sim's scheduler, seen as a client sees it: where pods land, and
the FailedScheduling message of a pod no node takes.

The reasons are InterPodAffinity's own (pkg/scheduler/framework/plugins/interpodaffinity/filtering.go,
kubernetes v1.34): affinity failures are unresolvable by preemption, anti-affinity ones are not, so their
preemption verdicts differ as on a real cluster (e.g. kubernetes/kubernetes issue reports of `0/3 nodes are
available: 3 node(s) didn't match pod anti-affinity rules. preemption: 0/3 nodes are available: 3 No
preemption victims found for incoming pod.`).
"""

from __future__ import annotations

from tests.sim.scheduling_support import add_node, apply, bound_pod, cordon_default, deploy, deployment, pods, scheduled

NO_VICTIMS = "No preemption victims found for incoming pod"
NOT_HELPFUL = "Preemption is not helpful for scheduling"
HOST = "kubernetes.io/hostname"


def _term(selector, key=HOST, **scope):
    return {"labelSelector": {"matchLabels": selector}, "topologyKey": key, **scope}


def _required(kind, *terms):
    return {kind: {"requiredDuringSchedulingIgnoredDuringExecution": list(terms)}}


def _three_nodes(client):
    cordon_default(client)
    for name in ("node-a", "node-b", "node-c"):
        add_node(client, name)


def test_required_anti_affinity_spreads_replicas_one_per_node_and_leaves_the_fourth_pending(sim, client, ns):
    _three_nodes(client)
    anti = _required("podAntiAffinity", _term({"app": "web"}))
    deploy(client, deployment("web", replicas=4, affinity=anti))
    sim.advance(5)
    placed = pods(client, "web")
    assert [p["spec"].get("nodeName") for p in placed] == ["node-a", "node-b", "node-c", None]
    assert scheduled(placed[3])["message"] == (
        "0/4 nodes are available: 1 node(s) were unschedulable, 3 node(s) didn't match pod anti-affinity rules. "
        f"preemption: 0/4 nodes are available: 1 {NOT_HELPFUL}, 3 {NO_VICTIMS}."
    )


def test_required_affinity_follows_the_pods_it_names(sim, client, ns):
    _three_nodes(client)
    bound_pod(client, "cache", "node-b")
    deploy(client, deployment("near", replicas=2, affinity=_required("podAffinity", _term({"app": "cache"}))))
    sim.advance(5)
    assert [p["spec"].get("nodeName") for p in pods(client, "near")] == ["node-b", "node-b"]


def test_required_affinity_to_pods_that_do_not_exist_stays_pending(sim, client, ns):
    deploy(client, deployment("lonely", affinity=_required("podAffinity", _term({"app": "missing"}))))
    sim.advance(5)
    assert scheduled(pods(client, "lonely")[0])["message"] == (
        "0/1 nodes are available: 1 node(s) didn't match pod affinity rules. "
        f"preemption: 0/1 nodes are available: 1 {NOT_HELPFUL}."
    )


def test_the_first_pod_of_a_group_that_attracts_itself_is_scheduled(sim, client, ns):
    _three_nodes(client)
    deploy(client, deployment("pack", replicas=3, affinity=_required("podAffinity", _term({"app": "pack"}))))
    sim.advance(5)
    nodes = {p["spec"].get("nodeName") for p in pods(client, "pack")}
    assert len(nodes) == 1 and None not in nodes


def test_an_existing_pods_anti_affinity_keeps_new_pods_away(sim, client, ns):
    cordon_default(client)
    add_node(client, "node-a")
    loner = _required("podAntiAffinity", _term({"app": "noisy"}))
    deploy(client, deployment("loner", affinity=loner))
    sim.advance(5)
    assert pods(client, "loner")[0]["spec"]["nodeName"] == "node-a"
    deploy(client, deployment("noisy"))
    sim.advance(5)
    assert scheduled(pods(client, "noisy")[0])["message"] == (
        "0/2 nodes are available: 1 node(s) didn't satisfy existing pods anti-affinity rules, 1 node(s) were "
        f"unschedulable. preemption: 0/2 nodes are available: 1 {NO_VICTIMS}, 1 {NOT_HELPFUL}."
    )
    add_node(client, "node-b")
    sim.advance(5)
    assert pods(client, "noisy")[0]["spec"]["nodeName"] == "node-b"


def test_a_zone_topology_key_rules_out_the_whole_zone(sim, client, ns):
    cordon_default(client)
    add_node(client, "a1", labels={"topology.kubernetes.io/zone": "z1"})
    add_node(client, "a2", labels={"topology.kubernetes.io/zone": "z1"})
    add_node(client, "b1", labels={"topology.kubernetes.io/zone": "z2"})
    anti = _required("podAntiAffinity", _term({"app": "zonal"}, key="topology.kubernetes.io/zone"))
    deploy(client, deployment("zonal", replicas=3, affinity=anti))
    sim.advance(5)
    placed = pods(client, "zonal")
    bound = sorted(p["spec"]["nodeName"] for p in placed if p["spec"].get("nodeName"))
    assert len(bound) == 2 and "b1" in bound and bound[0] in ("a1", "a2")


def test_namespaces_and_namespace_selector_widen_a_terms_scope(sim, client, ns):
    cordon_default(client)
    add_node(client, "node-a", cpu="8")  # the roomier node: where a pod goes when no term rules it out
    add_node(client, "node-b")
    labelled = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team-x", "labels": {"team": "x"}}}
    apply(client, "/api/v1/namespaces/team-x", labelled)
    apply(client, "/api/v1/namespaces/plain", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "plain"}})
    bound_pod(client, "db", "node-a", namespace="team-x")
    bound_pod(client, "db", "node-b", namespace="plain")
    own = _required("podAntiAffinity", _term({"app": "db"}))  # its own namespace, app: no db there
    by_selector = _required("podAntiAffinity", _term({"app": "db"}, namespaceSelector={"matchLabels": {"team": "x"}}))
    by_list = _required("podAntiAffinity", _term({"app": "db"}, namespaces=["team-x"]))
    every = _required("podAntiAffinity", _term({"app": "db"}, namespaceSelector={}))
    for name, affinity in (("own", own), ("sel", by_selector), ("listed", by_list), ("every", every)):
        deploy(client, deployment(name, affinity=affinity))
    sim.advance(5)
    assert [pods(client, name)[0]["spec"].get("nodeName") for name in ("own", "sel", "listed", "every")] == [
        "node-a",
        "node-b",
        "node-b",
        None,
    ]
    assert scheduled(pods(client, "every")[0])["message"].startswith(
        "0/3 nodes are available: 1 node(s) were unschedulable, 2 node(s) didn't match pod anti-affinity rules."
    )
