"""Storage and networking: PVC binding through StorageClasses, LoadBalancer Service and Ingress addresses,
APIService availability, HPA conditions."""

from __future__ import annotations

import hashlib
import math

from wavecd.sim.controllers.common import safe_create, safe_delete, set_condition, write_status
from wavecd.sim.controllers.engine import CONTROLLER, Context
from wavecd.sim.controllers.pods import is_ready
from wavecd.sim.registry import Kind
from wavecd.sim.store import clone

DEFAULT_CLASS_ANNOTATION = "storageclass.kubernetes.io/is-default-class"


def _due(ctx: Context, kind: Kind, obj: dict) -> str:
    """'ready', 'fail' or 'wait' for this object now, scheduling a recheck when it waits."""
    timing = ctx.timing(kind, obj)
    since = ctx.since(obj)
    if timing.outcome == "never":
        return "wait"
    if timing.outcome == "fail":
        if ctx.now >= since + timing.failure_delay:
            return "fail"
        ctx.recheck(kind, obj, since + timing.failure_delay)
        return "wait"
    if ctx.now >= since + timing.delay:
        return "ready"
    ctx.recheck(kind, obj, since + timing.delay)
    return "wait"


def _storage_class(ctx: Context, name: str | None) -> dict | None:
    kind = ctx.api.registry.by_plural("storage.k8s.io", "v1", "storageclasses")
    if kind is None:
        return None
    if name:
        return ctx.api.find(kind, None, name)
    classes, _ = ctx.api.list(kind, None)
    defaults = [c for c in classes if (c["metadata"].get("annotations") or {}).get(DEFAULT_CLASS_ANNOTATION) == "true"]
    return defaults[-1] if defaults else None


def reconcile_pvc(ctx: Context, kind: Kind, pvc: dict) -> None:
    meta = pvc["metadata"]
    status = pvc.get("status") or {}
    if meta.get("deletionTimestamp") or status.get("phase") in ("Bound", "Lost"):
        return
    spec = pvc.get("spec") or {}
    if "storageClassName" not in spec:
        storage_class = _storage_class(ctx, None)
        if storage_class is not None:
            updated = clone(pvc)
            updated["spec"]["storageClassName"] = storage_class["metadata"]["name"]
            ctx.api.update(kind, meta.get("namespace"), meta["name"], updated, manager=CONTROLLER)
        return
    if _storage_class(ctx, spec.get("storageClassName")) is None:
        return  # no such class: stays Pending, as on a real cluster
    verdict = _due(ctx, kind, pvc)
    if verdict == "fail":
        write_status(ctx, kind, pvc, {"phase": "Lost"})
    if verdict != "ready":
        return
    size = ((spec.get("resources") or {}).get("requests") or {}).get("storage", "1Gi")
    pv_kind = ctx.core("persistentvolumes")
    pv_name = f"pvc-{meta['uid']}"
    safe_create(
        ctx,
        pv_kind,
        None,
        {
            "apiVersion": "v1",
            "kind": "PersistentVolume",
            "metadata": {
                "name": pv_name,
                "annotations": {"pv.kubernetes.io/provisioned-by": "sim.wavecd.io"},
            },
            "spec": {
                "capacity": {"storage": size},
                "accessModes": spec.get("accessModes") or ["ReadWriteOnce"],
                "persistentVolumeReclaimPolicy": "Delete",
                "storageClassName": spec["storageClassName"],
                "volumeMode": spec.get("volumeMode", "Filesystem"),
                "hostPath": {"path": f"/var/sim/{pv_name}"},
                "claimRef": {
                    "apiVersion": "v1",
                    "kind": "PersistentVolumeClaim",
                    "name": meta["name"],
                    "namespace": meta.get("namespace"),
                    "uid": meta["uid"],
                },
            },
        },
    )
    if spec.get("volumeName") != pv_name:
        updated = clone(pvc)
        updated["spec"]["volumeName"] = pv_name
        pvc, _ = ctx.api.update(kind, meta.get("namespace"), meta["name"], updated, manager=CONTROLLER)
    write_status(
        ctx,
        kind,
        pvc,
        {
            "phase": "Bound",
            "accessModes": spec.get("accessModes") or ["ReadWriteOnce"],
            "capacity": {"storage": size},
        },
    )


def release_volume(ctx: Context, kind: Kind, deleted: dict) -> None:
    """A deleted claim's dynamically provisioned volume goes with it (reclaim policy `Delete`)."""
    if (kind.group, kind.kind) != ("", "PersistentVolumeClaim"):
        return
    volume = (deleted.get("spec") or {}).get("volumeName")
    pv_kind = ctx.core("persistentvolumes")
    pv = ctx.api.find(pv_kind, None, volume) if volume else None
    if pv is not None and (pv.get("spec") or {}).get("persistentVolumeReclaimPolicy") == "Delete":
        safe_delete(ctx, pv_kind, pv)


def _address(seed: str) -> str:
    digest = hashlib.sha256(seed.encode()).digest()
    return f"172.18.255.{1 + digest[0] % 250}"


def reconcile_service(ctx: Context, kind: Kind, svc: dict) -> None:
    if (svc.get("spec") or {}).get("type") != "LoadBalancer" or svc["metadata"].get("deletionTimestamp"):
        return
    if ((svc.get("status") or {}).get("loadBalancer") or {}).get("ingress"):
        return
    if _due(ctx, kind, svc) == "ready":
        ip = _address(svc["metadata"]["uid"])
        write_status(ctx, kind, svc, {"loadBalancer": {"ingress": [{"ip": ip, "ipMode": "VIP"}]}})


def reconcile_ingress(ctx: Context, kind: Kind, ingress: dict) -> None:
    if ingress["metadata"].get("deletionTimestamp"):
        return
    if ((ingress.get("status") or {}).get("loadBalancer") or {}).get("ingress"):
        return
    if _due(ctx, kind, ingress) == "ready":
        write_status(ctx, kind, ingress, {"loadBalancer": {"ingress": [{"ip": "172.18.255.200"}]}})


def reconcile_apiservice(ctx: Context, kind: Kind, svc: dict) -> None:
    verdict = _due(ctx, kind, svc)
    if verdict == "wait":
        return
    status = clone(svc.get("status") or {})
    local = (svc.get("spec") or {}).get("service") is None
    if verdict == "ready":
        reason, message = (
            ("Local", "Local APIServices are always available") if local else ("Passed", "all checks passed")
        )
        status["conditions"] = set_condition(status.get("conditions") or [], ctx, "Available", "True", reason, message)
    else:
        status["conditions"] = set_condition(
            status.get("conditions") or [],
            ctx,
            "Available",
            "False",
            "FailedDiscoveryCheck",
            "failing or missing response (simulated)",
        )
    write_status(ctx, kind, svc, status)


def reconcile_hpa(ctx: Context, kind: Kind, hpa: dict) -> None:
    verdict = _due(ctx, kind, hpa)
    if verdict == "wait":
        return
    spec = hpa.get("spec") or {}
    replicas = spec.get("minReplicas", 1)
    status = clone(hpa.get("status") or {})
    status.update({"currentReplicas": replicas, "desiredReplicas": replicas})
    conditions = status.get("conditions") or []
    if verdict == "ready":
        conditions = set_condition(
            conditions,
            ctx,
            "AbleToScale",
            "True",
            "ReadyForNewScale",
            "recommended size matches current size",
        )
        conditions = set_condition(
            conditions,
            ctx,
            "ScalingActive",
            "True",
            "ValidMetricFound",
            "the HPA was able to successfully calculate a replica count",
        )
    else:
        conditions = set_condition(
            conditions,
            ctx,
            "ScalingActive",
            "False",
            "FailedGetResourceMetric",
            "unable to get metrics for resource cpu (simulated)",
        )
    status["conditions"] = conditions
    write_status(ctx, kind, hpa, status)


def _count(value: object, total: int, round_up: bool) -> int:
    """An int-or-percent field of a PodDisruptionBudget, resolved against `total` pods."""
    if isinstance(value, str) and value.endswith("%"):
        share = total * int(value[:-1] or 0) / 100
        return math.ceil(share) if round_up else math.floor(share)
    return value if isinstance(value, int) else 0


def reconcile_pdb(ctx: Context, kind: Kind, pdb: dict) -> None:
    """What the disruption controller reports, from the pods the selector matches."""
    spec = pdb.get("spec") or {}
    namespace = pdb["metadata"].get("namespace")
    pods, _ = ctx.api.list(ctx.core("pods"), namespace)
    selected = [p for p in pods if _selects(spec.get("selector"), (p["metadata"].get("labels") or {}))]
    expected = len(selected)
    healthy = sum(1 for p in selected if is_ready(p))
    if "minAvailable" in spec:
        desired = _count(spec["minAvailable"], expected, round_up=True)
    else:
        desired = expected - _count(spec.get("maxUnavailable", 0), expected, round_up=False)
    allowed = max(0, healthy - desired)
    status = clone(pdb.get("status") or {})
    status.update(
        {
            "observedGeneration": pdb["metadata"].get("generation", 1),
            "disruptionsAllowed": allowed,
            "currentHealthy": healthy,
            "desiredHealthy": max(desired, 0),
            "expectedPods": expected,
        }
    )
    if allowed > 0:
        reason, value, message = "SufficientPods", "True", ""
    else:
        reason, value, message = "InsufficientPods", "False", ""
    status["conditions"] = set_condition(
        status.get("conditions") or [], ctx, "DisruptionAllowed", value, reason, message
    )
    write_status(ctx, kind, pdb, status)


def _selects(selector: dict | None, labels: dict) -> bool:
    if not selector:
        return False
    if any(labels.get(k) != v for k, v in (selector.get("matchLabels") or {}).items()):
        return False
    for expr in selector.get("matchExpressions") or []:
        key, op, values = expr.get("key"), expr.get("operator"), expr.get("values") or []
        if (op == "In" and labels.get(key) not in values) or (op == "NotIn" and labels.get(key) in values):
            return False
        if (op == "Exists" and key not in labels) or (op == "DoesNotExist" and key in labels):
            return False
    return True
