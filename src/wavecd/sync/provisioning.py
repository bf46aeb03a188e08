"""Nodes that join while a wave waits for capacity: Karpenter's NodeClaims, as a user would follow them.

When a health gate waits on a workload whose pod no node takes (`pending_pods`), the cluster's node
autoscaler is what ends the wait. Karpenter records each node it launches as a `NodeClaim`
(`karpenter.sh/v1`, cluster-scoped): its labels name the NodePool, and once launched the instance type,
capacity type and zone; `status.nodeName` names the Node once it registered, and its `Ready` condition says
it is initialized. The sync lists NodeClaims on the gate's polls while such a wait lasts (and until every
claim it reported launching has joined or left the list) and reports each claim once when it is first seen launching and
once when its node joined, so the progress shows provisioning instead of only `is Pending` waits. Claims
that had joined before the first look are the cluster's existing capacity, not news. The same objects exist
on any cluster Karpenter runs on; where the kind is not served (no Karpenter) or may not be listed, nothing
is reported.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from wavecd.kube import ForbiddenError, KubeClient, NoKindMatchError
from wavecd.sync.events import NodeProvisioned

__all__ = ["PENDING_NOTE", "NodeClaims"]

# What `pending_pods.unschedulable_note` puts in a wait message.
PENDING_NOTE = " is Pending: "
_CLAIMS = ("karpenter.sh/v1", "NodeClaim")
_LABELS = (
    ("nodepool", "karpenter.sh/nodepool"),
    ("instance_type", "node.kubernetes.io/instance-type"),
    ("capacity_type", "karpenter.sh/capacity-type"),
    ("zone", "topology.kubernetes.io/zone"),
)


def _joined(claim: dict[str, Any]) -> str:
    """The claim's node name once it registered and is Ready, else ``."""
    status = claim.get("status") or {}
    ready = any(c.get("type") == "Ready" and c.get("status") == "True" for c in status.get("conditions") or [])
    return str(status.get("nodeName") or "") if ready else ""


class NodeClaims:
    """What one sync has reported of the NodeClaims: shared by the apps' gates, which run in parallel."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._looked = False
        self._launching: set[str] = set()
        self._joined: set[str] = set()

    def wanted(self, blockers: list[dict[str, str]]) -> bool:
        """Whether a gate with these blockers should look: a pod waits for a node, or a node it reported
        launching has not joined yet (and is still listed)."""
        with self._lock:
            outstanding = bool(self._launching - self._joined)
        return outstanding or any(PENDING_NOTE in b.get("message", "") for b in blockers)

    def look(self, client: KubeClient, emit: Callable[[NodeProvisioned], None], *, app: str, wave: int | None) -> None:
        """List the NodeClaims and report what is new since the last look."""
        try:
            claims = client.list(*_CLAIMS)
        except (NoKindMatchError, ForbiddenError):
            return
        with self._lock:
            first = not self._looked
            self._looked = True
            # A claim that left the list before it joined (launch failed, consolidated) is followed no longer.
            listed = {str((c.get("metadata") or {}).get("name") or "") for c in claims}
            self._launching &= listed | self._joined
            for claim in sorted(claims, key=lambda c: str(c.get("metadata", {}).get("creationTimestamp", ""))):
                name = str((claim.get("metadata") or {}).get("name") or "")
                node = _joined(claim)
                if not name or name in self._joined:
                    continue
                if first and node:
                    self._joined.add(name)  # capacity the cluster had before this sync looked
                    continue
                labels = (claim.get("metadata") or {}).get("labels") or {}
                details = {field: str(labels[key]) if labels.get(key) else None for field, key in _LABELS}
                if name not in self._launching:
                    self._launching.add(name)
                    emit(NodeProvisioned(app=app, wave=wave, nodeclaim=name, state="launching", **details))
                if node:
                    self._joined.add(name)
                    emit(NodeProvisioned(app=app, wave=wave, nodeclaim=name, state="joined", node=node, **details))
