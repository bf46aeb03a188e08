"""Which feasible node the sim's scheduler picks: kube-scheduler's default score plugins and weights, checked on
small clusters where the answer is worked out by hand from the plugins' formulas (kubernetes v1.34,
pkg/scheduler/framework/plugins: LeastAllocated and BalancedAllocation per resource share, InterPodAffinity
scaled min–max, PodTopologySpread inverted against the most crowded domain, NodeAffinity and TaintToleration
scaled to the best/worst node; weights 1, 1, 2, 2, 2, 3)."""

from __future__ import annotations

from tests.sim.scheduling_support import add_node, bound_pod, cordon_default, deploy, deployment, pods

HOST = "kubernetes.io/hostname"
ZONE = "topology.kubernetes.io/zone"


def _nodes(client, app):
    return [p["spec"].get("nodeName") for p in sorted(pods(client, app), key=lambda p: p["metadata"]["name"])]


def _place(sim, client, **bodies):
    """Deployments applied together; each one's node(s) once scheduled."""
    for name, pod_spec in bodies.items():
        deploy(client, deployment(name, **pod_spec))
    sim.advance(5)
    return {name: _nodes(client, name) for name in bodies}


def _placed_in_order(sim, client, name, replicas, **pod_spec):
    """Replicas created one at a time, so each is scored against the ones before it."""
    body = deployment(name, replicas=1, cpu="1", **pod_spec)
    placed = []
    for count in range(1, replicas + 1):
        body["spec"]["replicas"] = count
        deploy(client, body)
        sim.advance(3)
        new = [n for n in _nodes(client, name)]
        for node in placed:
            new.remove(node)
        placed.extend(new)
    return placed


def _big_and_small(client):
    cordon_default(client)
    add_node(client, "big", cpu="64", memory="64Gi", labels={ZONE: "z1"})
    add_node(client, "small-1", cpu="4", memory="16Gi", labels={ZONE: "z2"})
    add_node(client, "small-2", cpu="4", memory="16Gi", labels={ZONE: "z3"})


def test_without_preferences_the_least_allocated_node_takes_every_replica(sim, client, ns):
    # big: LeastAllocated 98→96, Balanced 99→98; a small node: 86 and 88 — big wins each time.
    _big_and_small(client)
    assert _placed_in_order(sim, client, "plain", 3) == ["big", "big", "big"]


def test_preferred_anti_affinity_spreads_three_replicas_over_three_nodes(sim, client, ns):
    # The second replica: InterPodAffinity gives big's domain -100 → normalized 0, the small nodes 100 (× 2),
    # which outweighs big's 22-point resource lead; the third avoids both taken nodes alike.
    _big_and_small(client)
    anti = {
        "podAntiAffinity": {
            "preferredDuringSchedulingIgnoredDuringExecution": [
                {
                    "weight": 100,
                    "podAffinityTerm": {"labelSelector": {"matchLabels": {"app": "web"}}, "topologyKey": HOST},
                }
            ]
        }
    }
    assert _placed_in_order(sim, client, "web", 3, affinity=anti) == ["big", "small-1", "small-2"]


def test_schedule_anyway_spread_balances_zones(sim, client, ns):
    # Two zones, weight log(2 + 2) = 1.39: after one pod in z1 its raw score 1 against 0 sends the next to z2
    # (+200); with one each both score alike and big's resources win; then 3 against 1 (33 against 100) sends
    # the fourth to z2 again, outweighing big's 20-point resource lead.
    cordon_default(client)
    add_node(client, "big", cpu="64", memory="64Gi", labels={ZONE: "z1"})
    add_node(client, "small", cpu="8", memory="32Gi", labels={ZONE: "z2"})
    spread = [
        {
            "maxSkew": 1,
            "topologyKey": ZONE,
            "whenUnsatisfiable": "ScheduleAnyway",
            "labelSelector": {"matchLabels": {"app": "zonal"}},
        }
    ]
    placed = _placed_in_order(sim, client, "zonal", 4, topologySpreadConstraints=spread)
    assert placed == ["big", "small", "big", "small"]


def test_preferred_node_affinity_outweighs_the_name_order(sim, client, ns):
    cordon_default(client)
    add_node(client, "a-plain")
    add_node(client, "b-ssd", labels={"disk": "ssd"})
    preference = {"matchExpressions": [{"key": "disk", "operator": "In", "values": ["ssd"]}]}
    affinity = {
        "nodeAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 1, "preference": preference}]}
    }
    placed = _place(sim, client, fast={"affinity": affinity}, any={})
    assert placed == {"fast": ["b-ssd"], "any": ["a-plain"]}  # without the preference, a tie: the first name


def test_a_prefer_no_schedule_taint_steers_pods_that_do_not_tolerate_it(sim, client, ns):
    cordon_default(client)
    add_node(client, "a-tainted", taints=[{"key": "spot", "value": "true", "effect": "PreferNoSchedule"}])
    add_node(client, "b-clean")
    tolerate = [{"key": "spot", "operator": "Exists", "effect": "PreferNoSchedule"}]
    placed = _place(sim, client, avoids={}, tolerates={"tolerations": tolerate})
    assert placed == {"avoids": ["b-clean"], "tolerates": ["a-tainted"]}


def test_preferred_pod_affinity_follows_the_pod_it_names(sim, client, ns):
    cordon_default(client)
    for name in ("node-a", "node-b", "node-c"):
        add_node(client, name)
    bound_pod(client, "cache", "node-b")
    term = {"labelSelector": {"matchLabels": {"app": "cache"}}, "topologyKey": HOST}
    near = {
        "podAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 10, "podAffinityTerm": term}]}
    }
    placed = _place(sim, client, near={"affinity": near}, far={})
    assert placed == {"near": ["node-b"], "far": ["node-a"]}  # node-b holds the cache pod (counted as 100m, 200Mi)
