"""Which NodeClaims a sync reports while a gate waits for capacity: each claim once launching and once joined,
never the nodes the cluster had before it looked, and nothing where Karpenter is not installed. The claims are
shaped as Karpenter v1 writes them (labels set at launch, `status.nodeName` and `Ready` once registered)."""

from __future__ import annotations

from wavecd.kube import NoKindMatchError
from wavecd.sync.provisioning import NodeClaims

PENDING = [{"kind": "Deployment", "message": "Waiting for rollout...; pod api-1 is Pending: 0/1 nodes are available"}]


def claim(name, *, node=None):
    labels = {"karpenter.sh/nodepool": "default", "karpenter.sh/capacity-type": "spot"}
    status = {}
    if node:
        status = {"nodeName": node, "conditions": [{"type": "Ready", "status": "True"}]}
    return {"metadata": {"name": name, "labels": labels, "creationTimestamp": "2026-12-08T00:00:00Z"}, "status": status}


class Cluster:
    """The one call the sync makes: a list of NodeClaims (or the error of a cluster without their CRD)."""

    def __init__(self, claims=None, error=None):
        self.claims, self.error, self.calls = claims or [], error, 0

    def list(self, api_version, kind):
        assert (api_version, kind) == ("karpenter.sh/v1", "NodeClaim")
        self.calls += 1
        if self.error:
            raise self.error
        return self.claims


def look(claims: NodeClaims, cluster: Cluster, blockers=PENDING) -> list[tuple[str, str, str | None]]:
    seen = []
    if claims.wanted(blockers):
        claims.look(cluster, lambda e: seen.append((e.state, e.nodeclaim, e.node)), app="web", wave=10)
    return seen


def test_a_claim_is_reported_launching_then_joined_once_each():
    claims, cluster = NodeClaims(), Cluster([claim("default-aaaaa")])
    assert look(claims, cluster) == [("launching", "default-aaaaa", None)]
    assert look(claims, cluster) == []
    cluster.claims = [claim("default-aaaaa", node="ip-10-0-1-7")]
    # The pod is scheduled now (no Pending note), but the claim it saw launching is still followed.
    assert look(claims, cluster, blockers=[]) == [("joined", "default-aaaaa", "ip-10-0-1-7")]
    assert look(claims, cluster, blockers=[]) == []  # nothing outstanding: no more lists
    assert cluster.calls == 3


def test_nodes_that_joined_before_the_first_look_are_not_news():
    claims, cluster = NodeClaims(), Cluster([claim("default-old", node="ip-10-0-0-1"), claim("default-new")])
    assert look(claims, cluster) == [("launching", "default-new", None)]


def test_a_claim_that_joined_between_two_looks_is_reported_launching_and_joined():
    claims, cluster = NodeClaims(), Cluster([])
    assert look(claims, cluster) == []
    cluster.claims = [claim("default-fast", node="ip-10-0-2-2")]
    assert look(claims, cluster) == [("launching", "default-fast", None), ("joined", "default-fast", "ip-10-0-2-2")]


def test_no_pending_pod_no_list_and_no_karpenter_no_report():
    claims, cluster = NodeClaims(), Cluster([claim("default-aaaaa")])
    assert look(claims, cluster, blockers=[{"kind": "Deployment", "message": "0 of 2 updated replicas"}]) == []
    assert cluster.calls == 0
    assert look(NodeClaims(), Cluster(error=NoKindMatchError("karpenter.sh/v1", "NodeClaim"))) == []


def test_a_claim_that_vanishes_before_joining_stops_the_lists():
    claims, cluster = NodeClaims(), Cluster([claim("default-aaaaa")])
    assert look(claims, cluster) == [("launching", "default-aaaaa", None)]
    cluster.claims = []  # the launch failed: Karpenter deleted the claim, no node will join
    assert look(claims, cluster, blockers=[]) == []
    assert look(claims, cluster, blockers=[]) == []  # nothing outstanding any more: no list
    assert cluster.calls == 2
