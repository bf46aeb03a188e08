"""The Karpenter stand-in: NodePools (with Karpenter's own CRDs, from the example's chart mirror) turn pods the
scheduler cannot place into NodeClaims and Nodes, within their limits, and remove nodes left empty."""

from __future__ import annotations

import yaml
from tests.sim.scheduling_support import apply, cordon_default, deploy, deployment, events, pods, scheduled
from tests.support.paths import EXAMPLES

from wavecd.health import HealthStatus, assess

CRDS = EXAMPLES / "mirror/public.ecr.aws/karpenter/karpenter/crds"
CLAIMS = "/apis/karpenter.sh/v1/nodeclaims"


def install_karpenter(sim, client, *, limits=None, taints=None, consolidate_after="30s", name="default"):
    for path in sorted(CRDS.glob("*.yaml")):
        crd = yaml.safe_load(path.read_text())
        apply(client, f"/apis/apiextensions.k8s.io/v1/customresourcedefinitions/{crd['metadata']['name']}", crd)
    sim.advance(1)
    template_spec = {
        "nodeClassRef": {"group": "karpenter.k8s.aws", "kind": "EC2NodeClass", "name": "default"},
        "requirements": [
            {"key": "karpenter.sh/capacity-type", "operator": "In", "values": ["spot", "on-demand"]},
            {"key": "karpenter.k8s.aws/instance-category", "operator": "In", "values": ["c", "m", "r"]},
            {"key": "karpenter.k8s.aws/instance-generation", "operator": "Gt", "values": ["5"]},
        ],
    }
    if taints:
        template_spec["taints"] = taints
    pool = {
        "apiVersion": "karpenter.sh/v1",
        "kind": "NodePool",
        "metadata": {"name": name},
        "spec": {
            "template": {"metadata": {"labels": {"node-pool": name}}, "spec": template_spec},
            "limits": limits or {"cpu": "200", "memory": "800Gi"},
            "disruption": {"consolidationPolicy": "WhenEmptyOrUnderutilized", "consolidateAfter": consolidate_after},
        },
    }
    apply(client, f"/apis/karpenter.sh/v1/nodepools/{name}", pool)
    sim.advance(2)


def conditions(obj):
    return {c["type"]: c["status"] for c in obj["status"]["conditions"]}


def test_pending_pods_wait_for_a_provisioned_node_then_run_there(sim, client, ns):
    install_karpenter(sim, client)
    deploy(client, deployment("big", replicas=2, cpu="5"))
    sim.advance(2)
    running, pending = pods(client, "big")
    assert running["spec"]["nodeName"] == "sim-node-1"
    assert scheduled(pending)["reason"] == "Unschedulable"
    (claim,) = client.get(CLAIMS).json()["items"]
    assert conditions(claim) == {
        "Launched": "Unknown",
        "Registered": "Unknown",
        "Initialized": "Unknown",
        "Ready": "Unknown",
    }
    labels = claim["metadata"]["labels"]
    assert labels["karpenter.sh/nodepool"] == "default" and labels["karpenter.sh/capacity-type"] == "spot"
    assert int(labels["karpenter.k8s.aws/instance-generation"]) > 5
    assert [e["message"] for e in events(client, "Nominated")] == [
        f"Pod should schedule on: nodeclaim/{claim['metadata']['name']}"
    ]
    assert client.get(f"/api/v1/nodes/{claim['metadata']['name']}").status_code == 404
    assert assess(client.get("/apis/apps/v1/namespaces/app/deployments/big").json()).status == HealthStatus.PROGRESSING
    sim.advance(25)  # the NodeClaim's 20 s launch, then the pod's own delay
    claim = client.get(f"{CLAIMS}/{claim['metadata']['name']}").json()
    assert conditions(claim) == {
        "Launched": "True",
        "Registered": "True",
        "Initialized": "True",
        "Ready": "True",
    }
    node = client.get(f"/api/v1/nodes/{claim['status']['nodeName']}").json()
    assert node["metadata"]["labels"]["node-pool"] == "default"
    assert node["metadata"]["ownerReferences"][0]["kind"] == "NodeClaim"
    assert sorted((p["spec"]["nodeName"], p["status"]["phase"]) for p in pods(client, "big")) == sorted(
        [(node["metadata"]["name"], "Running"), ("sim-node-1", "Running")]
    )
    moved = next(p for p in pods(client, "big") if p["spec"]["nodeName"] == node["metadata"]["name"])
    assert moved["status"]["hostIP"] == node["status"]["addresses"][0]["address"] != "172.18.0.2"
    assert assess(client.get("/apis/apps/v1/namespaces/app/deployments/big").json()).status == HealthStatus.HEALTHY


def test_an_empty_node_is_removed_after_consolidate_after(sim, client, ns):
    install_karpenter(sim, client, consolidate_after="30s")
    deploy(client, deployment("base", cpu="5"))
    sim.advance(2)
    deploy(client, deployment("extra", cpu="5"))
    sim.advance(30)
    (claim,) = client.get(CLAIMS).json()["items"]
    name = claim["metadata"]["name"]
    assert [p["spec"]["nodeName"] for p in pods(client, "extra")] == [name]
    deploy(client, deployment("extra", replicas=0, cpu="5"))
    sim.advance(5)
    assert pods(client, "extra") == []
    sim.advance(20)
    assert client.get(f"/api/v1/nodes/{name}").status_code == 200  # empty for 25 s of 30
    sim.advance(15)
    assert client.get(f"/api/v1/nodes/{name}").status_code == 404
    assert client.get(f"{CLAIMS}/{name}").status_code == 404
    assert client.get("/api/v1/nodes/sim-node-1").status_code == 200


def test_a_nodepool_limit_leaves_the_pod_pending_with_karpenters_reason(sim, client, ns):
    install_karpenter(sim, client, limits={"cpu": "4"})
    deploy(client, deployment("big", replicas=2, cpu="5"))
    sim.advance(300)
    pending = [p for p in pods(client, "big") if not p["spec"].get("nodeName")]
    assert len(pending) == 1
    assert scheduled(pending[0])["message"] == (
        "0/1 nodes are available: 1 Insufficient cpu. "
        "preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod."
    )
    assert client.get(CLAIMS).json()["items"] == []
    karpenter = [e for e in events(client, "FailedScheduling") if e["source"]["component"] == "karpenter"]
    assert [e["message"] for e in karpenter] == [
        'Failed to schedule pod, all available instance types exceed limits for nodepool: "default"'
    ]


def test_a_tainted_pool_serves_only_pods_that_tolerate_it(sim, client, ns):
    taint = {"key": "purpose", "value": "loadtest", "effect": "NoSchedule"}
    install_karpenter(sim, client, taints=[taint], name="loadtest")
    toleration = {"key": "purpose", "operator": "Equal", "value": "loadtest", "effect": "NoSchedule"}
    deploy(client, deployment("k6", nodeSelector={"node-pool": "loadtest"}, tolerations=[toleration]))
    deploy(client, deployment("plain", nodeSelector={"node-pool": "loadtest"}))
    sim.advance(30)
    (k6,) = pods(client, "k6")
    node = client.get(f"/api/v1/nodes/{k6['spec']['nodeName']}").json()
    assert node["spec"]["taints"] == [taint]
    (plain,) = pods(client, "plain")
    assert "nodeName" not in plain["spec"]
    karpenter = [
        e["message"]
        for e in events(client, "FailedScheduling")
        if e["source"]["component"] == "karpenter" and e["involvedObject"]["name"] == plain["metadata"]["name"]
    ]
    assert karpenter == [
        'Failed to schedule pod, incompatible with nodepool "loadtest", '
        "node(s) had untolerated taint {purpose: loadtest}"
    ]
    assert len(client.get(CLAIMS).json()["items"]) == 1


def _claims(client):
    return client.get(CLAIMS).json()["items"]


def _size(claim):
    return claim["metadata"]["labels"]["node.kubernetes.io/instance-type"]


def test_a_new_node_is_sized_for_the_daemonset_pods_it_will_run(sim, client, ns):
    # c6i.xlarge offers 3920m after EKS's reservation: the pod's 3 CPUs fit, but not with the agent's 1 CPU.
    cordon_default(client)
    install_karpenter(sim, client)
    agent = deployment("agent", cpu="1")
    agent["kind"] = "DaemonSet"
    del agent["spec"]["replicas"]
    apply(client, "/apis/apps/v1/namespaces/app/daemonsets/agent", agent)
    deploy(client, deployment("big", cpu="3"))
    sim.advance(2)
    (claim,) = _claims(client)
    assert _size(claim) == "c6i.2xlarge"
    sim.advance(25)
    (pod,) = pods(client, "big")
    assert pod["spec"]["nodeName"] == claim["metadata"]["name"] and pod["status"]["phase"] == "Running"
    assert claim["metadata"]["name"] in {p["spec"]["nodeName"] for p in pods(client, "agent")}


def _anti_affinity(app):
    term = {"labelSelector": {"matchLabels": {"app": app}}, "topologyKey": "kubernetes.io/hostname"}
    return {
        "podAntiAffinity": {
            "preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 100, "podAffinityTerm": term}]
        }
    }


def test_preferred_anti_affinity_is_provisioned_as_required(sim, client, ns):
    cordon_default(client)
    install_karpenter(sim, client)
    deploy(client, deployment("web", replicas=2, cpu="1", affinity=_anti_affinity("web")))
    sim.advance(30)
    claims = _claims(client)
    assert len(claims) == 2
    assert sorted(p["spec"].get("nodeName") for p in pods(client, "web")) == sorted(
        c["metadata"]["name"] for c in claims
    )


def test_a_preference_no_pool_can_meet_is_relaxed(sim, client, ns):
    # Within a 4-CPU limit one xlarge node is all the pool may launch: the second replica's anti-affinity is
    # dropped and it joins the first on that node; a preferred label no pool sets is dropped likewise.
    cordon_default(client)
    install_karpenter(sim, client, limits={"cpu": "4"})
    nvme = {"matchExpressions": [{"key": "disk", "operator": "In", "values": ["nvme"]}]}
    affinity = {
        **_anti_affinity("web"),
        "nodeAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 50, "preference": nvme}]},
    }
    deploy(client, deployment("web", replicas=2, cpu="1", affinity=affinity))
    sim.advance(30)
    (claim,) = _claims(client)
    assert _size(claim) == "c6i.xlarge"
    assert [p["spec"].get("nodeName") for p in pods(client, "web")] == [claim["metadata"]["name"]] * 2
    assert [e for e in events(client, "FailedScheduling") if e["source"]["component"] == "karpenter"] == []


def test_a_nodepool_reports_the_capacity_of_its_nodes(sim, client, ns):
    cordon_default(client)
    install_karpenter(sim, client, consolidate_after="10s")
    deploy(client, deployment("one", cpu="3"))
    sim.advance(25)
    (claim,) = _claims(client)
    assert _size(claim) == "c6i.xlarge"  # 4 vCPU, 8 GiB, 58 pods on the VPC CNI
    launched = {"cpu": "4", "memory": "8388608Ki", "pods": "58", "ephemeral-storage": "52416492Ki", "nodes": "1"}
    assert _pool_resources(client) == launched
    deploy(client, deployment("one", replicas=0, cpu="3"))
    sim.advance(30)
    assert _claims(client) == []
    assert _pool_resources(client) == dict.fromkeys(launched, "0")


def _pool_resources(client):
    return client.get("/apis/karpenter.sh/v1/nodepools/default").json()["status"]["resources"]


def test_a_spread_preference_launches_the_node_in_an_empty_zone_of_the_pool(sim, client, ns):
    # One replica runs on sim-node-1 in sim-1a; the pool also offers sim-1b and sim-1c, empty domains Karpenter
    # counts, so another node in sim-1a would make the skew 2 - 0.
    install_karpenter(sim, client)
    spread = [
        {
            "maxSkew": 1,
            "topologyKey": "topology.kubernetes.io/zone",
            "whenUnsatisfiable": "ScheduleAnyway",
            "labelSelector": {"matchLabels": {"app": "zonal"}},
        }
    ]
    deploy(client, deployment("zonal", replicas=2, cpu="5", topologySpreadConstraints=spread))
    sim.advance(2)
    (claim,) = _claims(client)
    assert claim["metadata"]["labels"]["topology.kubernetes.io/zone"] in ("sim-1b", "sim-1c")
