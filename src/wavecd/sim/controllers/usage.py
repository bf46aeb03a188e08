"""The pods bound to each node and what they request, kept up to date as the store changes.

kube-scheduler keeps the same in its cache (a NodeInfo per node with the summed requests of its pods), so that
placing one pod costs what the nodes cost, not what every pod of the cluster costs. Without it the sim re-read
and re-parsed every bound pod's requests for each pod it placed, which grew as pods² with the cluster (a
1,000-app tree spent most of its CPU there). The index is told of every change to the pods collection by the
store itself (`Store.observe`), so binds, deletions and phase changes are reflected whichever path wrote them.
"""

from __future__ import annotations

import threading
import weakref

from wavecd.sim.controllers.capacity import Resources, pod_requests
from wavecd.sim.controllers.placement import Snapshot
from wavecd.sim.store import Key, Store

__all__ = ["NodeUsage", "counted_node"]

_PodKey = tuple[str, str]  # namespace, name


def counted_node(pod: dict) -> str | None:
    """The node a pod takes room on: the one it is bound to, unless it has finished (Succeeded or Failed)."""
    node = (pod.get("spec") or {}).get("nodeName")
    if not node or (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed"):
        return None
    return str(node)


class _Node:
    """One node's bound pods (by key) and their summed requests, as the scheduler and its scoring count them."""

    def __init__(self) -> None:
        self.pods: dict[_PodKey, dict] = {}
        self.requested = Resources()
        self.non_zero = Resources()
        self.ordered: list[dict] | None = None  # the pods sorted by key, rebuilt after a change


class NodeUsage:
    """Per node name: the pods bound to it and the sums of `pod_requests` over them, plain and `non_zero`.
    One per store (`of`)."""

    _instances: weakref.WeakKeyDictionary[Store, NodeUsage] = weakref.WeakKeyDictionary()
    _instances_lock = threading.Lock()

    def __init__(self, store: Store):
        self._lock = store.lock
        self._nodes: dict[str, _Node] = {}
        # each counted pod's node and what it added there, so that a change takes back exactly that
        self._counted: dict[_PodKey, tuple[str, Resources, Resources]] = {}
        store.observe("", "pods", self._changed)

    @classmethod
    def of(cls, store: Store) -> NodeUsage:
        """The store's index, made (and filled from the pods there) on first use."""
        with cls._instances_lock:
            usage = cls._instances.get(store)
            if usage is None:
                usage = cls._instances[store] = cls(store)
            return usage

    def _changed(self, key: Key, previous: dict | None, current: dict | None) -> None:
        """Called by the store under its lock: move the pod's contribution from where it was to where it is."""
        pod_key = (key[2], key[3])
        was = self._counted.pop(pod_key, None)
        if was is not None:
            node = self._nodes[was[0]]
            del node.pods[pod_key]
            node.requested -= was[1]
            node.non_zero -= was[2]
            node.ordered = None
            if not node.pods:
                del self._nodes[was[0]]
        name = counted_node(current) if current is not None else None
        if name is None or current is None:
            return
        requested, non_zero = pod_requests(current), pod_requests(current, non_zero=True)
        node = self._nodes.setdefault(name, _Node())
        node.pods[pod_key] = current
        node.requested += requested
        node.non_zero += non_zero
        node.ordered = None
        self._counted[pod_key] = (name, requested, non_zero)

    def fill(self, snap: Snapshot) -> None:
        """Bind to `snap` every node's pods (fresh lists of the stored objects, sorted by namespace and name, as
        the store lists them) with their sums already counted."""
        with self._lock:
            for name, node in self._nodes.items():
                if node.ordered is None:
                    node.ordered = [node.pods[k] for k in sorted(node.pods)]
                snap.known(name, list(node.ordered), node.requested, node.non_zero)
