"""Helpers the simulated controllers share: conditions, status writes, owner references, pods."""

from __future__ import annotations

import hashlib
import json

from wavecd.sim.apierrors import ApiError
from wavecd.sim.controllers.engine import CONTROLLER, Context
from wavecd.sim.registry import Kind
from wavecd.sim.store import clone
from wavecd.sim.timing import sim_annotations


def set_condition(
    conditions: list[dict],
    ctx: Context,
    kind: str,
    status: str,
    reason: str,
    message: str,
    *,
    update_time: bool = False,
) -> list[dict]:
    """Conditions with `kind` set; `lastTransitionTime` changes only when the status does (as controllers do),
    so rewriting an unchanged condition is a no-op write."""
    result = [dict(c) for c in conditions]
    existing = next((c for c in result if c.get("type") == kind), None)
    stamp = ctx.api.timestamp()
    if existing is None:
        entry = {"type": kind, "status": status}
        if update_time:
            entry["lastUpdateTime"] = stamp
        entry.update({"lastTransitionTime": stamp, "reason": reason, "message": message})
        result.append(entry)
        return result
    if existing.get("status") != status:
        existing["lastTransitionTime"] = stamp
    if update_time and (existing.get("reason"), existing.get("message"), existing.get("status")) != (
        reason,
        message,
        status,
    ):
        existing["lastUpdateTime"] = stamp
    existing.update({"status": status, "reason": reason, "message": message})
    return result


def write_status(ctx: Context, kind: Kind, obj: dict, status: dict, manager: str = CONTROLLER) -> dict | None:
    """Replace the object's status (through the status subresource when the kind has one); a no-op when equal."""
    if obj.get("status") == status:
        return obj
    new = clone(obj)
    new["status"] = status
    meta = new["metadata"]
    try:
        result, _ = ctx.api.update(
            kind,
            meta.get("namespace"),
            meta["name"],
            new,
            manager=manager,
            subresource="status" if kind.status else None,
        )
    except ApiError:
        return None  # deleted or changed meanwhile: the next event reconciles again
    return result


def owner_ref(obj: dict, *, controller: bool = True) -> dict:
    meta = obj["metadata"]
    ref = {"apiVersion": obj["apiVersion"], "kind": obj["kind"], "name": meta["name"], "uid": meta["uid"]}
    if controller:
        ref["controller"] = True
        ref["blockOwnerDeletion"] = True
    return ref


def children(ctx: Context, kind: Kind, owner: dict) -> list[dict]:
    items, _ = ctx.api.list(kind, owner["metadata"].get("namespace"), owner["metadata"].get("uid"))
    return items


def template_hash(template: dict) -> str:
    """A stable short hash of a pod template (the `pod-template-hash` label real controllers add)."""
    digest = hashlib.sha256(json.dumps(template, sort_keys=True).encode()).hexdigest()
    alphabet = "bcdfghjklmnpqrstvwxz2456789"
    number = int(digest[:16], 16)
    out = []
    for _ in range(10):
        number, rem = divmod(number, len(alphabet))
        out.append(alphabet[rem])
    return "".join(out)


def new_pod(owner: dict, name: str, template: dict, extra_labels: dict | None = None) -> dict:
    """A Pod from a template, owned by `owner`, carrying the owner's `sim.wavecd.io/*` annotations."""
    meta = clone(template.get("metadata") or {})
    labels = {**(meta.get("labels") or {}), **(extra_labels or {})}
    annotations = {**sim_annotations(owner["metadata"].get("annotations")), **(meta.get("annotations") or {})}
    pod_meta = {
        "name": name,
        "namespace": owner["metadata"].get("namespace"),
        "labels": labels,
        "ownerReferences": [owner_ref(owner)],
    }
    if annotations:
        pod_meta["annotations"] = annotations
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": pod_meta,
        "spec": clone(template.get("spec") or {}),
    }


def pod_ip(uid: str) -> str:
    digest = hashlib.sha256(uid.encode()).digest()
    return f"10.244.{digest[0]}.{1 + digest[1] % 254}"


def running_status(ctx: Context, pod: dict, ready: bool) -> dict:
    """What the kubelet reports for a started pod (kwok's `pod-ready` stage)."""
    status = clone(pod.get("status") or {})
    stamp = status.get("startTime") or ctx.api.timestamp()
    conditions = status.get("conditions") or []
    flag = "True" if ready else "False"
    for kind in ("PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"):
        value = "True" if kind in ("PodReadyToStartContainers", "Initialized", "PodScheduled") else flag
        conditions = set_condition(conditions, ctx, kind, value, "", "")
    for cond in conditions:
        if not cond.get("reason"):
            cond.pop("reason", None)
        if not cond.get("message"):
            cond.pop("message", None)
    status.update(
        {
            "phase": "Running",
            "conditions": conditions,
            "hostIP": "172.18.0.2",
            "podIP": pod_ip(pod["metadata"].get("uid", "")),
            "startTime": stamp,
            "containerStatuses": [
                {
                    "name": c.get("name", ""),
                    "image": c.get("image", ""),
                    "imageID": "",
                    "ready": ready,
                    "restartCount": 0,
                    "started": ready,
                    "state": {"running": {"startedAt": stamp}},
                }
                for c in (pod.get("spec") or {}).get("containers") or []
            ],
        }
    )
    return status


def crashing_status(ctx: Context, pod: dict) -> dict:
    """A pod whose containers keep crashing (`CrashLoopBackOff`, Argo: Degraded)."""
    status = running_status(ctx, pod, ready=False)
    status["containerStatuses"] = [
        {
            "name": c.get("name", ""),
            "image": c.get("image", ""),
            "imageID": "",
            "ready": False,
            "restartCount": 3,
            "started": False,
            "lastState": {"terminated": {"exitCode": 1, "reason": "Error"}},
            "state": {
                "waiting": {
                    "reason": "CrashLoopBackOff",
                    "message": f"back-off 40s restarting failed container={c.get('name', '')} "
                    f"pod={pod['metadata']['name']}",
                }
            },
        }
        for c in (pod.get("spec") or {}).get("containers") or []
    ]
    return status


def finished_status(ctx: Context, pod: dict, succeeded: bool) -> dict:
    """A run-to-completion pod that exited (kwok's `pod-complete` stage)."""
    status = running_status(ctx, pod, ready=False)
    code = 0 if succeeded else 1
    status["phase"] = "Succeeded" if succeeded else "Failed"
    status["containerStatuses"] = [
        {
            "name": c.get("name", ""),
            "image": c.get("image", ""),
            "imageID": "",
            "ready": False,
            "restartCount": 0,
            "started": False,
            "state": {
                "terminated": {
                    "exitCode": code,
                    "reason": "Completed" if succeeded else "Error",
                    "startedAt": status["startTime"],
                    "finishedAt": ctx.api.timestamp(),
                }
            },
        }
        for c in (pod.get("spec") or {}).get("containers") or []
    ]
    return status


def safe_create(ctx: Context, kind: Kind, namespace: str | None, obj: dict) -> dict | None:
    try:
        return ctx.api.create(kind, namespace, obj, manager=CONTROLLER)
    except ApiError:
        return None


def safe_delete(ctx: Context, kind: Kind, obj: dict, propagation: str | None = None) -> None:
    meta = obj["metadata"]
    try:
        ctx.api.delete(kind, meta.get("namespace"), meta["name"], propagation=propagation)
    except ApiError:
        return
