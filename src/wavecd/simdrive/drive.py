"""`wavecd sim controllers --kubeconfig F`: the sim's controllers (Deployments → ReplicaSets → Pods, the
scheduler and kubelet, Jobs, PVCs, Karpenter, readiness of custom resources) driving another API server,
as kwok drives a kube-apiserver that has no kubelets and no controller manager.

The server keeps everything a real one keeps (validation, defaulting, admission, resourceVersions); the
controllers read a mirror of it (`Mirror`) and write back through its API (`RemoteApi`). They start by
creating what `wavecd sim serve` starts with and the server lacks: `nodes` Ready nodes (a server without
kubelets has none), the default StorageClasses, and Argo CD's namespace and CRDs (wavecd records its
Applications there).

Two things a real cluster has and the server lacks stand beside them for aggregated APIs: EndpointSlices for
Services (`endpointslices.py`, kube-controller-manager's part) and, for each APIService backed by a Service, a
discovery backend the server's aggregator can reach (`discovery_backend.py`, the stand-in for metrics-server).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from wavecd.core import RealClock
from wavecd.kube import KubeClient, KubeError
from wavecd.sim.apierrors import ApiError
from wavecd.sim.controllers.common import safe_create
from wavecd.sim.controllers.engine import CONTROLLER, Context, Engine, Reconciler
from wavecd.sim.controllers.wiring import bootstrap, install
from wavecd.sim.registry import Kind, Registry
from wavecd.sim.store import Store, clone
from wavecd.sim.timing import Rules
from wavecd.simdrive.discovery_backend import DiscoveryBackend, host_address
from wavecd.simdrive.endpointslices import Address, EndpointSlices
from wavecd.simdrive.mirror import Mirror
from wavecd.simdrive.remote_api import RemoteApi

__all__ = ["ControllersOnServer"]

# A write the server refused is tried again this long after (the sim's own refusals are races, retried at once).
RETRY_AFTER = 2.0
# Every object is reconciled again this often, as informers resync: a write refused inside a reconcile that
# swallows it (a ReplicaSet's pod create, before its namespace's ServiceAccount exists) is tried again.
RESYNC = 10.0
# The real server establishes CRDs itself, and its aggregator judges APIServices; the sim's rules for them
# would write their status beside it.
_SERVER_OWNED = (("apiextensions.k8s.io", "CustomResourceDefinition"), ("apiregistration.k8s.io", "APIService"))


class ControllersOnServer:
    """The controllers attached to `client`'s server until `stop()`; `log` hears each refused write once."""

    def __init__(
        self, client: KubeClient, *, nodes: int, log: Callable[[str], None], rules: Rules | None = None
    ) -> None:
        self._client = client
        self.api = RemoteApi(client, Store(), Registry(), log)
        self.engine = Engine(self.api, RealClock(), rules or Rules())
        install(self.engine)
        for owned in _SERVER_OWNED:
            self.engine.reconcilers.pop(owned, None)
        self.engine.retry_after = RETRY_AFTER
        for key, before in _MANAGER_DUTIES.items():
            self.engine.reconcilers[key] = before(self.engine.reconcilers[key])
        address = host_address()
        self.backend = DiscoveryBackend(address) if address else None
        self._backed: set[tuple[str, str]] = set()  # Services that back an APIService
        self.slices = EndpointSlices(client, self._backend_for, self.api.say_once)
        self.engine.reconcilers[("", "Service")] = self._with_slice(self.engine.reconcilers[("", "Service")])
        self.engine.reconcilers[("", "Pod")] = self._gone_when_terminating(self.engine.reconcilers[("", "Pod")])
        self.engine.reconcilers[("apiregistration.k8s.io", "APIService")] = self._stand_in
        self.engine.on_delete.append(self.slices.forget)
        # A pod that starts, turns ready or goes changes the slices of the Services in its namespace.
        self.engine.related.setdefault(("", "Pod"), []).append(("", "services"))
        self.mirror = Mirror(self.api, client)
        self._nodes = nodes
        self._log = log
        self._stopping = threading.Event()
        self._resync = threading.Thread(target=self._resync_loop, name="wavecd-simdrive-resync", daemon=True)

    def start(self) -> ControllersOnServer:
        if not self.mirror.start():
            self._log("some kinds were not listed within 60 s: the controllers start without them")
        bootstrap(self.api, self._nodes)
        if self.backend is not None:
            self.backend.start()
        self.engine.start()
        self._resync.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self.engine.stop()
        self.mirror.stop()
        if self.backend is not None:
            self.backend.stop()

    def _backend_for(self, namespace: str, name: str) -> Address | None:
        if self.backend is None or (namespace, name) not in self._backed:
            return None
        return self.backend.address, self.backend.port

    def _with_slice(self, reconcile: Reconciler) -> Reconciler:
        def run(ctx: Context, kind: Kind, service: dict[str, Any]) -> None:
            reconcile(ctx, kind, service)
            self.slices.sync(ctx, service)

        return run

    def _gone_when_terminating(self, reconcile: Reconciler) -> Reconciler:
        """The kubelet's last word on a pod: a real server only marks a bound pod deleted (`deletionTimestamp`,
        its grace period) and waits for the pod's kubelet to stop it and delete it for good, with grace period 0.
        Without that a scaled-down ReplicaSet keeps its pods, terminating, forever (the sim's own server deletes
        at once)."""

        def run(ctx: Context, kind: Kind, pod: dict[str, Any]) -> None:
            meta = pod["metadata"]
            if not meta.get("deletionTimestamp") or not (pod.get("spec") or {}).get("nodeName"):
                reconcile(ctx, kind, pod)
                return
            try:
                self._client.delete("v1", "Pod", meta["name"], meta.get("namespace"), grace_period=0)
            except KubeError as err:
                self.api.say_once(f"delete Pod {meta.get('namespace')}/{meta['name']} refused: {err.message}")

        return run

    def _stand_in(self, ctx: Context, kind: Kind, apiservice: dict[str, Any]) -> None:
        """An APIService backed by a Service is answered by the discovery backend, and that Service's
        EndpointSlice points there; the server's aggregator then judges it as it judges any other."""
        spec = apiservice.get("spec") or {}
        service = spec.get("service") or {}
        if not service.get("name") or not spec.get("group") or not spec.get("version"):
            return
        if self.backend is None:
            self.api.say_once(
                f"APIService {apiservice['metadata']['name']} has no stand-in backend: this host has no address "
                "other than loopback or link-local, which an EndpointSlice may not hold"
            )
            return
        self.backend.serve(str(spec["group"]), str(spec["version"]))
        key = (str(service.get("namespace") or ""), str(service["name"]))
        if key not in self._backed:
            self._backed.add(key)
            self.engine.enqueue(("", "services", *key))

    def _resync_loop(self) -> None:
        while not self._stopping.wait(RESYNC):
            self.engine.enqueue_all()


def _with_default_service_account(reconcile: Reconciler) -> Reconciler:
    """kube-controller-manager's service-account controller gives every namespace a `default` ServiceAccount,
    without which a real server refuses every Pod there (`error looking up service account`); a server with
    no controller manager has nobody else to create it."""

    def run(ctx: Context, kind: Kind, namespace: dict[str, Any]) -> None:
        meta = namespace["metadata"]
        accounts = ctx.core("serviceaccounts")
        if not meta.get("deletionTimestamp") and ctx.api.find(accounts, meta["name"], "default") is None:
            body = {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "default"}}
            safe_create(ctx, accounts, meta["name"], body)
        reconcile(ctx, kind, namespace)

    return run


def _untainted_when_ready(reconcile: Reconciler) -> Reconciler:
    """The node lifecycle controller's part: a real server taints every new Node `node.kubernetes.io/not-ready`
    (admission plugin TaintNodesByCondition) until that controller sees it Ready and lifts the taint."""

    def run(ctx: Context, kind: Kind, node: dict[str, Any]) -> None:
        conditions = (node.get("status") or {}).get("conditions") or []
        ready = any(c.get("type") == "Ready" and c.get("status") == "True" for c in conditions)
        taints = (node.get("spec") or {}).get("taints") or []
        kept = [t for t in taints if t.get("key") not in _CONDITION_TAINTS]
        if ready and len(kept) != len(taints):
            untainted = clone(node)
            untainted["spec"]["taints"] = kept
            try:
                node, _ = ctx.api.update(kind, None, node["metadata"]["name"], untainted, manager=CONTROLLER)
            except ApiError:
                return  # changed meanwhile: its next event reconciles it again
        reconcile(ctx, kind, node)

    return run


_CONDITION_TAINTS = frozenset({"node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"})
# What kube-controller-manager does that the sim's own API server never needs (it neither refuses pods
# without a ServiceAccount nor taints new nodes), wrapped around the sim's reconciler of the kind.
_MANAGER_DUTIES: dict[tuple[str, str], Callable[[Reconciler], Reconciler]] = {
    ("", "Namespace"): _with_default_service_account,
    ("", "Node"): _untainted_when_ready,
}
