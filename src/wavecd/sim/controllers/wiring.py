"""Which reconciler handles which kind, and the objects a fresh cluster starts with."""

from __future__ import annotations

from wavecd.common import APPLICATION, APPLICATION_SET, ARGO_GROUP, ARGOCD_NAMESPACE, DEFAULT_KUBE_VERSION
from wavecd.sim.api import Api
from wavecd.sim.apierrors import ApiError
from wavecd.sim.controllers import batch, capacity, infra, karpenter, lifecycle, pods, workloads
from wavecd.sim.controllers.engine import CONTROLLER, Context, Engine
from wavecd.sim.registry import kinds_from_crd
from wavecd.sim.timing import READY_AFTER

RECONCILERS = {
    ("", "Namespace"): lifecycle.reconcile_namespace,
    ("apiextensions.k8s.io", "CustomResourceDefinition"): lifecycle.reconcile_crd,
    ("apps", "Deployment"): workloads.reconcile_deployment,
    ("apps", "ReplicaSet"): workloads.reconcile_replicaset,
    ("apps", "StatefulSet"): workloads.reconcile_statefulset,
    ("apps", "DaemonSet"): workloads.reconcile_daemonset,
    ("batch", "Job"): batch.reconcile_job,
    ("", "Pod"): pods.reconcile_pod,
    ("", "PersistentVolumeClaim"): infra.reconcile_pvc,
    ("", "Service"): infra.reconcile_service,
    ("networking.k8s.io", "Ingress"): infra.reconcile_ingress,
    ("apiregistration.k8s.io", "APIService"): infra.reconcile_apiservice,
    ("autoscaling", "HorizontalPodAutoscaler"): infra.reconcile_hpa,
    ("policy", "PodDisruptionBudget"): infra.reconcile_pdb,
    ("", "Node"): karpenter.reconcile_node,
    ("karpenter.sh", "NodePool"): karpenter.reconcile_nodepool,
    ("karpenter.sh", "NodeClaim"): karpenter.reconcile_nodeclaim,
}


def install(engine: Engine) -> None:
    for key, reconciler in RECONCILERS.items():
        engine.reconcilers[key] = _with_foreground(reconciler)
    engine.fallback.append(_foreground_then(lifecycle.ready_condition))
    engine.on_delete.append(lifecycle.collect_garbage)
    engine.on_delete.append(infra.release_volume)
    engine.on_delete.append(karpenter.capacity_freed)
    engine.related[("", "Pod")] = [("policy", "poddisruptionbudgets")]


def _with_foreground(reconciler):
    def run(ctx: Context, kind, obj) -> None:
        lifecycle.foreground(ctx, kind, obj)
        reconciler(ctx, kind, obj)

    return run


def _foreground_then(check):
    def run(ctx: Context, kind, obj) -> bool:
        lifecycle.foreground(ctx, kind, obj)
        return check(ctx, kind, obj)

    return run


def _node(index: int) -> tuple[dict, dict]:
    """The cluster's own node `sim-node-<index>` and its status: an EKS managed node group `system` of
    general-purpose instances, spread over the zones."""
    instance = capacity.instance_type(capacity.DEFAULT_INSTANCE)
    assert instance is not None
    name = f"sim-node-{index}"
    labels = {
        "topology.kubernetes.io/zone": capacity.ZONES[(index - 1) % len(capacity.ZONES)],
        "eks.amazonaws.com/nodegroup": "system",
        "eks.amazonaws.com/capacityType": "ON_DEMAND",
    }
    status = capacity.node_status(instance, f"172.18.0.{1 + index}", f"{DEFAULT_KUBE_VERSION}-sim")
    return capacity.node_body(name, instance, labels, []), status


def _argocd_crd(plural: str, kind: str, short: list[str]) -> dict:
    """Argo CD's CRDs as an installed Argo CD provides them (schemas left open; Argo writes `status` through
    the main resource, so there is no status subresource)."""
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {
            "name": f"{plural}.{ARGO_GROUP}",
            "annotations": {READY_AFTER: "0s"},
            "labels": {"app.kubernetes.io/part-of": "argocd"},
        },
        "spec": {
            "group": ARGO_GROUP,
            "scope": "Namespaced",
            "names": {
                "plural": plural,
                "singular": kind.lower(),
                "kind": kind,
                "listKind": f"{kind}List",
                "shortNames": short,
            },
            "versions": [
                {
                    "name": "v1alpha1",
                    "served": True,
                    "storage": True,
                    "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}},
                }
            ],
        },
    }


ARGOCD_CRDS = (
    ("applications", APPLICATION, ["app", "apps"]),
    ("applicationsets", APPLICATION_SET, ["appset", "appsets"]),
    ("appprojects", "AppProject", ["appproj", "appprojs"]),
)


def bootstrap(api: Api, nodes: int) -> None:
    """Objects every cluster has (system namespaces, `nodes` Ready nodes, a default StorageClass), plus what
    an installed Argo CD brings: the `argocd` namespace and Argo CD's CRDs, since wavecd deploys App-of-Apps
    trees whose parents create `Application` objects."""
    registry = api.registry
    namespaces = registry.by_plural("", "v1", "namespaces")
    node_kind = registry.by_plural("", "v1", "nodes")
    classes = registry.by_plural("storage.k8s.io", "v1", "storageclasses")
    assert namespaces and node_kind and classes
    for name in ("default", "kube-system", "kube-public", "kube-node-lease", ARGOCD_NAMESPACE):
        _ensure(api, namespaces, None, {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})
    for i in range(1, nodes + 1):
        body, status = _node(i)
        node = _ensure(api, node_kind, None, body)
        if node is not None:
            node["status"] = status
            api.update(node_kind, None, node["metadata"]["name"], node, manager="kubelet", subresource="status")
    _ensure(
        api,
        classes,
        None,
        {
            "apiVersion": "storage.k8s.io/v1",
            "kind": "StorageClass",
            "metadata": {"name": "standard", "annotations": {infra.DEFAULT_CLASS_ANNOTATION: "true"}},
            "provisioner": "sim.wavecd.io/hostpath",
            "reclaimPolicy": "Delete",
            "volumeBindingMode": "Immediate",
        },
    )
    # The seed's platform runs on EKS with the EBS CSI driver's `gp3` class, which its charts name.
    _ensure(
        api,
        classes,
        None,
        {
            "apiVersion": "storage.k8s.io/v1",
            "kind": "StorageClass",
            "metadata": {"name": "gp3"},
            "provisioner": "ebs.csi.aws.com",
            "parameters": {"type": "gp3"},
            "reclaimPolicy": "Delete",
            "volumeBindingMode": "Immediate",
            "allowVolumeExpansion": True,
        },
    )
    crds = registry.by_plural("apiextensions.k8s.io", "v1", "customresourcedefinitions")
    assert crds is not None
    for plural, kind, short in ARGOCD_CRDS:
        _ensure(api, crds, None, _argocd_crd(plural, kind, short))


def _ensure(api: Api, kind, namespace: str | None, body: dict) -> dict | None:
    if api.find(kind, namespace, body["metadata"]["name"]) is not None:
        return None
    try:
        return api.create(kind, namespace, body, manager=CONTROLLER)
    except ApiError:
        return None


def restore_crds(api: Api) -> None:
    """After loading persisted state: serve the kinds of CRDs that were established."""
    crd_kind = api.registry.by_plural("apiextensions.k8s.io", "v1", "customresourcedefinitions")
    assert crd_kind is not None
    items, _ = api.list(crd_kind, None)
    for crd in items:
        established = any(
            c.get("type") == "Established" and c.get("status") == "True"
            for c in (crd.get("status") or {}).get("conditions") or []
        )
        if established and not crd["metadata"].get("deletionTimestamp"):
            api.registry.register_crd(crd["metadata"]["name"], kinds_from_crd(crd), served_from=api.store.rv)
