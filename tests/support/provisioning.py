"""What the cluster, not wavecd, writes while a rolling update runs: the proofs that assert "nothing else
changed" take these objects out first, each checked to have changed only as the capacity controllers change it."""

from __future__ import annotations

from typing import Any

from support.snapshot import Key

# What the cluster, not wavecd, writes when a rolling update's new pods need room: Karpenter's nodes and claims
# come (or empty ones go), the pool's status counts them, each DaemonSet puts a pod on a new node and counts it.
_CAPACITY_KINDS = {("", "Node"), ("karpenter.sh", "NodeClaim")}
_STATUS_ONLY_KINDS = {("karpenter.sh", "NodePool"), ("apps", "DaemonSet")}


def provisioned_for_the_rollout(before: dict[Key, dict[str, Any]], after: dict[Key, dict[str, Any]]) -> set[Key]:
    """The keys of objects the capacity controllers changed: nodes and claims that came or went, pods of
    DaemonSets that came or went, and pools and DaemonSets whose status alone moved (their spec, labels and
    annotations must not have)."""
    changed: set[Key] = set()
    for key in before.keys() ^ after.keys():
        obj = after.get(key) or before[key]
        daemon_pod = key[:2] == ("", "Pod") and any(
            ref.get("kind") == "DaemonSet" for ref in obj["metadata"].get("ownerReferences") or []
        )
        if key[:2] in _CAPACITY_KINDS or daemon_pod:
            changed.add(key)
    for key in before.keys() & after.keys():
        if (
            key[:2] in _STATUS_ONLY_KINDS
            and before[key]["metadata"]["resourceVersion"] != after[key]["metadata"]["resourceVersion"]
        ):
            was, now = before[key], after[key]
            assert was.get("spec") == now.get("spec"), key
            for field in ("labels", "annotations"):
                assert was["metadata"].get(field) == now["metadata"].get(field), (key, field)
            changed.add(key)
    return changed
