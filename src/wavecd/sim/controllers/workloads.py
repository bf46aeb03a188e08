"""Deployment → ReplicaSet → Pods, StatefulSet and DaemonSet (one pod on each node whose labels and taints it
accepts), writing the status fields that `kubectl rollout status` and Argo's health rules read."""

from __future__ import annotations

import math

from wavecd.sim.apierrors import ApiError
from wavecd.sim.controllers.common import (
    children,
    new_pod,
    owner_ref,
    safe_create,
    safe_delete,
    set_condition,
    template_hash,
    write_status,
)
from wavecd.sim.controllers.engine import CONTROLLER, Context
from wavecd.sim.controllers.events import record_event
from wavecd.sim.controllers.placement import matches_node_affinity, tolerates_taints
from wavecd.sim.controllers.pods import drive_pod, is_ready
from wavecd.sim.registry import Kind
from wavecd.sim.store import clone
from wavecd.sim.timing import override, sim_annotations


def _alive(objs: list[dict]) -> list[dict]:
    return [o for o in objs if not o["metadata"].get("deletionTimestamp")]


def _suffix(seed: str) -> str:
    return template_hash({"seed": seed})[:5]


def _apps(ctx: Context, plural: str) -> Kind:
    kind = ctx.api.registry.by_plural("apps", "v1", plural)
    assert kind is not None
    return kind


def reconcile_replicaset(ctx: Context, kind: Kind, rs: dict) -> None:
    if rs["metadata"].get("deletionTimestamp"):
        return
    pods_kind = ctx.core("pods")
    spec = rs.get("spec") or {}
    desired = int(spec.get("replicas", 1) or 0)
    pods = _alive(children(ctx, pods_kind, rs))
    template = spec.get("template") or {}
    for i in range(len(pods), desired):
        name = f"{rs['metadata']['name']}-{_suffix(rs['metadata']['uid'] + str(i) + str(ctx.now))}"
        created = safe_create(ctx, pods_kind, rs["metadata"].get("namespace"), new_pod(rs, name, template))
        if created is not None:
            pods.append(created)
            record_event(ctx, rs, "SuccessfulCreate", f"Created pod: {name}", "replicaset-controller")
    for extra in pods[desired:]:
        safe_delete(ctx, pods_kind, extra)
        record_event(ctx, rs, "SuccessfulDelete", f"Deleted pod: {extra['metadata']['name']}", "replicaset-controller")
    pods = pods[:desired]
    timing = ctx.timing(kind, rs)
    pods = [drive_pod(ctx, pods_kind, p, override(timing, p["metadata"].get("annotations") or {})) for p in pods]
    ready = sum(1 for p in pods if is_ready(p))
    status = {
        "replicas": len(pods),
        "fullyLabeledReplicas": len(pods),
        "readyReplicas": ready,
        "availableReplicas": ready,
        "observedGeneration": rs["metadata"].get("generation", 1),
    }
    if not ready:
        del status["readyReplicas"], status["availableReplicas"]
    if not pods:
        status = {"replicas": 0, "observedGeneration": status["observedGeneration"]}
    write_status(ctx, kind, rs, status)


def _max_unavailable(deploy: dict, desired: int) -> int:
    value = ((deploy.get("spec") or {}).get("strategy") or {}).get("rollingUpdate", {}).get("maxUnavailable", "25%")
    if isinstance(value, str) and value.endswith("%"):
        return math.floor(desired * int(value[:-1] or 0) / 100)
    return int(value) if isinstance(value, int) else 0


def reconcile_deployment(ctx: Context, kind: Kind, deploy: dict) -> None:
    meta = deploy["metadata"]
    if meta.get("deletionTimestamp"):
        return
    spec = deploy.get("spec") or {}
    desired = int(spec.get("replicas", 1) or 0)
    generation = meta.get("generation", 1)
    status = clone(deploy.get("status") or {})
    conditions = status.get("conditions") or []
    if spec.get("paused"):
        status["observedGeneration"] = generation
        status["conditions"] = set_condition(
            conditions,
            ctx,
            "Progressing",
            "Unknown",
            "DeploymentPaused",
            "Deployment is paused",
            update_time=True,
        )
        write_status(ctx, kind, deploy, status)
        return
    rs_kind = _apps(ctx, "replicasets")
    template = clone(spec.get("template") or {})
    pod_hash = template_hash(template)
    rs_name = f"{meta['name']}-{pod_hash}"
    owned = _alive(children(ctx, rs_kind, deploy))
    new_rs = next((r for r in owned if r["metadata"]["name"] == rs_name), None)
    revision = 1 + max(
        (int((r["metadata"].get("annotations") or {}).get("deployment.kubernetes.io/revision", 0)) for r in owned),
        default=0,
    )
    if new_rs is None:
        template.setdefault("metadata", {}).setdefault("labels", {})["pod-template-hash"] = pod_hash
        selector = clone(spec.get("selector") or {})
        selector.setdefault("matchLabels", {})["pod-template-hash"] = pod_hash
        annotations = {
            **sim_annotations(meta.get("annotations")),
            "deployment.kubernetes.io/desired-replicas": str(desired),
            "deployment.kubernetes.io/max-replicas": str(desired + 1),
            "deployment.kubernetes.io/revision": str(revision),
        }
        body = {
            "apiVersion": "apps/v1",
            "kind": "ReplicaSet",
            "metadata": {
                "name": rs_name,
                "namespace": meta.get("namespace"),
                "labels": dict(template["metadata"]["labels"]),
                "annotations": annotations,
                "ownerReferences": [owner_ref(deploy)],
            },
            "spec": {"replicas": desired, "selector": selector, "template": template},
        }
        new_rs = safe_create(ctx, rs_kind, meta.get("namespace"), body)
        if new_rs is None:
            return
        owned.append(new_rs)
        _scaled(ctx, deploy, rs_name, 0, desired)
    elif (new_rs.get("spec") or {}).get("replicas") != desired:
        _scaled(ctx, deploy, rs_name, int((new_rs.get("spec") or {}).get("replicas") or 0), desired)
        _set_replicas(ctx, rs_kind, new_rs, desired)
    new_status = new_rs.get("status") or {}
    new_available = new_status.get("availableReplicas", 0)
    old = [r for r in owned if r["metadata"]["name"] != rs_name]
    if new_available >= desired:
        for r in old:
            if (r.get("spec") or {}).get("replicas"):
                _scaled(ctx, deploy, r["metadata"]["name"], int(r["spec"]["replicas"]), 0)
                _set_replicas(ctx, rs_kind, r, 0)
    total = sum((r.get("status") or {}).get("replicas", 0) for r in owned)
    ready = sum((r.get("status") or {}).get("readyReplicas", 0) for r in owned)
    available = sum((r.get("status") or {}).get("availableReplicas", 0) for r in owned)
    updated = new_status.get("replicas", 0)
    complete = updated == desired and available == desired and total == desired
    timing = ctx.timing(kind, deploy)
    since = ctx.since(deploy)
    if available >= desired - _max_unavailable(deploy, desired):
        conditions = set_condition(
            conditions,
            ctx,
            "Available",
            "True",
            "MinimumReplicasAvailable",
            "Deployment has minimum availability.",
            update_time=True,
        )
    else:
        conditions = set_condition(
            conditions,
            ctx,
            "Available",
            "False",
            "MinimumReplicasUnavailable",
            "Deployment does not have minimum availability.",
            update_time=True,
        )
    if complete:
        conditions = set_condition(
            conditions,
            ctx,
            "Progressing",
            "True",
            "NewReplicaSetAvailable",
            f'ReplicaSet "{rs_name}" has successfully progressed.',
            update_time=True,
        )
    elif timing.outcome == "fail" and ctx.now >= since + timing.failure_delay:
        conditions = set_condition(
            conditions,
            ctx,
            "Progressing",
            "False",
            "ProgressDeadlineExceeded",
            f'ReplicaSet "{rs_name}" has timed out progressing.',
            update_time=True,
        )
    else:
        conditions = set_condition(
            conditions,
            ctx,
            "Progressing",
            "True",
            "ReplicaSetUpdated",
            f'ReplicaSet "{rs_name}" is progressing.',
            update_time=True,
        )
        if timing.outcome == "fail":
            ctx.recheck(kind, deploy, since + timing.failure_delay)
    status = {
        "observedGeneration": generation,
        "replicas": total,
        "updatedReplicas": updated,
        "readyReplicas": ready,
        "availableReplicas": available,
        "unavailableReplicas": max(0, total - available),
        "conditions": conditions,
    }
    for field in ("replicas", "updatedReplicas", "readyReplicas", "availableReplicas", "unavailableReplicas"):
        if not status[field]:
            del status[field]
    write_status(ctx, kind, deploy, status)


def _scaled(ctx: Context, deploy: dict, rs_name: str, before: int, after: int) -> None:
    """The deployment controller's Event for scaling one of its ReplicaSets."""
    way = "up" if after > before else "down"
    message = f"Scaled {way} replica set {rs_name} from {before} to {after}"
    record_event(ctx, deploy, "ScalingReplicaSet", message, "deployment-controller")


def _set_replicas(ctx: Context, kind: Kind, obj: dict, replicas: int) -> None:
    new = clone(obj)
    new["spec"]["replicas"] = replicas
    meta = new["metadata"]
    try:
        ctx.api.update(kind, meta.get("namespace"), meta["name"], new, manager=CONTROLLER)
    except ApiError:  # deleted meanwhile: the next event reconciles again
        return


def _claim_volumes(pod: dict, claims: list, suffix: str) -> None:
    """A volume per claim template, bound to the pod's own claim `<template>-<set>-<ordinal>`, as the StatefulSet
    controller adds them (its `updateStorage`): a real server refuses a pod whose volumeMounts name a volume it
    lacks."""
    spec = pod.setdefault("spec", {})
    names = {(claim.get("metadata") or {}).get("name", "data") for claim in claims}
    volumes = [v for v in spec.get("volumes") or [] if v.get("name") not in names]
    volumes += [{"name": claim, "persistentVolumeClaim": {"claimName": f"{claim}-{suffix}"}} for claim in sorted(names)]
    if volumes:
        spec["volumes"] = volumes


def reconcile_statefulset(ctx: Context, kind: Kind, sts: dict) -> None:
    meta = sts["metadata"]
    if meta.get("deletionTimestamp"):
        return
    spec = sts.get("spec") or {}
    desired = int(spec.get("replicas", 1) or 0)
    name, namespace = meta["name"], meta.get("namespace")
    revision = f"{name}-{template_hash(spec.get('template') or {})}"
    pods_kind, pvc_kind = ctx.core("pods"), ctx.core("persistentvolumeclaims")
    by_name = {p["metadata"]["name"]: p for p in _alive(children(ctx, pods_kind, sts))}
    for claim in spec.get("volumeClaimTemplates") or []:
        for i in range(desired):
            pvc_name = f"{(claim.get('metadata') or {}).get('name', 'data')}-{name}-{i}"
            if ctx.api.find(pvc_kind, namespace, pvc_name) is None:
                safe_create(
                    ctx,
                    pvc_kind,
                    namespace,
                    {
                        "apiVersion": "v1",
                        "kind": "PersistentVolumeClaim",
                        "metadata": {
                            "name": pvc_name,
                            "namespace": namespace,
                            "labels": dict((spec.get("selector") or {}).get("matchLabels") or {}),
                        },
                        "spec": clone(claim.get("spec") or {}),
                    },
                )
    pods = []
    for i in range(desired):
        pod_name = f"{name}-{i}"
        pod = by_name.pop(pod_name, None)
        if pod is not None and (pod["metadata"].get("labels") or {}).get("controller-revision-hash") != revision:
            safe_delete(ctx, pods_kind, pod)
            pod = None
        if pod is None:
            labels = {
                "controller-revision-hash": revision,
                "statefulset.kubernetes.io/pod-name": pod_name,
                "apps.kubernetes.io/pod-index": str(i),
            }
            body = new_pod(sts, pod_name, spec.get("template") or {}, labels)
            _claim_volumes(body, spec.get("volumeClaimTemplates") or [], f"{name}-{i}")
            pod = safe_create(ctx, pods_kind, namespace, body)
            if pod is None:
                continue
        pods.append(pod)
    for extra in by_name.values():
        safe_delete(ctx, pods_kind, extra)
    timing = ctx.timing(kind, sts)
    pods = [drive_pod(ctx, pods_kind, p, override(timing, p["metadata"].get("annotations") or {})) for p in pods]
    ready = sum(1 for p in pods if is_ready(p))
    status = clone(sts.get("status") or {})
    current = status.get("currentRevision") or revision
    if ready == desired:
        current = revision
    status.update(
        {
            "observedGeneration": meta.get("generation", 1),
            "replicas": len(pods),
            "readyReplicas": ready,
            "currentReplicas": len(pods) if current == revision else 0,
            "updatedReplicas": len(pods),
            "availableReplicas": ready,
            "currentRevision": current,
            "updateRevision": revision,
            "collisionCount": 0,
        }
    )
    write_status(ctx, kind, sts, status)


# Tolerations the DaemonSet controller adds to every daemon pod (pkg/controller/daemon/util), so a node's
# condition taints and a cordon do not keep its daemons away.
_DAEMON_TOLERATIONS = [
    {"key": f"node.kubernetes.io/{key}", "operator": "Exists", "effect": effect}
    for key, effect in (
        ("not-ready", "NoExecute"),
        ("unreachable", "NoExecute"),
        ("disk-pressure", "NoSchedule"),
        ("memory-pressure", "NoSchedule"),
        ("pid-pressure", "NoSchedule"),
        ("unschedulable", "NoSchedule"),
    )
]


def daemon_fits(template: dict, node: dict) -> bool:
    """Whether the DaemonSet wants a pod on `node`: its node selector and affinity match, and the node's taints
    are tolerated (the DaemonSet controller's own check; capacity is not considered)."""
    pod = {"spec": template.get("spec") or {}}
    tolerations = [*(pod["spec"].get("tolerations") or []), *_DAEMON_TOLERATIONS]
    return matches_node_affinity(pod, node) and tolerates_taints(tolerations, node) is None


def nodes_changed(ctx: Context) -> None:
    """A node joined or changed: every DaemonSet looks again at where it wants pods, as the DaemonSet
    controller, which watches nodes, does."""
    for daemonset in ctx.api.store.list("apps", "daemonsets"):
        meta = daemonset["metadata"]
        ctx.engine.enqueue(("apps", "daemonsets", meta.get("namespace") or "", meta["name"]))


def reconcile_daemonset(ctx: Context, kind: Kind, ds: dict) -> None:
    meta = ds["metadata"]
    if meta.get("deletionTimestamp"):
        return
    spec = ds.get("spec") or {}
    pods_kind, nodes_kind = ctx.core("pods"), ctx.core("nodes")
    nodes, _ = ctx.api.list(nodes_kind, None)
    nodes = [n for n in nodes if daemon_fits(spec.get("template") or {}, n)]
    pod_hash = template_hash(spec.get("template") or {})
    existing = {(p.get("spec") or {}).get("nodeName"): p for p in _alive(children(ctx, pods_kind, ds))}
    pods = []
    for node in nodes:
        node_name = node["metadata"]["name"]
        pod = existing.pop(node_name, None)
        if pod is not None and (pod["metadata"].get("labels") or {}).get("controller-revision-hash") != pod_hash:
            safe_delete(ctx, pods_kind, pod)
            pod = None
        if pod is None:
            body = new_pod(
                ds,
                f"{meta['name']}-{_suffix(node_name + pod_hash)}",
                spec.get("template") or {},
                {"controller-revision-hash": pod_hash},
            )
            body["spec"]["nodeName"] = node_name
            pod = safe_create(ctx, pods_kind, meta.get("namespace"), body)
            if pod is None:
                continue
        pods.append(pod)
    for extra in existing.values():
        safe_delete(ctx, pods_kind, extra)
    timing = ctx.timing(kind, ds)
    pods = [drive_pod(ctx, pods_kind, p, override(timing, p["metadata"].get("annotations") or {})) for p in pods]
    ready = sum(1 for p in pods if is_ready(p))
    status = {
        "observedGeneration": meta.get("generation", 1),
        "desiredNumberScheduled": len(nodes),
        "currentNumberScheduled": len(pods),
        "updatedNumberScheduled": len(pods),
        "numberReady": ready,
        "numberAvailable": ready,
        "numberMisscheduled": 0,
    }
    if len(nodes) - ready:
        status["numberUnavailable"] = len(nodes) - ready
    if not ready:
        del status["numberAvailable"]
    write_status(ctx, kind, ds, status)
