"""The Events Kubernetes' own components write as a rollout goes: the deployment controller's
`ScalingReplicaSet`, the replicaset controller's `SuccessfulCreate`/`SuccessfulDelete`, the scheduler's
`Scheduled`, the kubelet's `Pulled`, `Created`, `Started` and `BackOff`, with their messages as those
components word them. Argo CD's UI shows them in a resource's Events tab; `wavecd serve` proxies them."""

from __future__ import annotations

import itertools

from wavecd.sim.apierrors import ApiError
from wavecd.sim.controllers.common import template_hash
from wavecd.sim.controllers.engine import Context

__all__ = ["record_event"]

_SEQUENCE = itertools.count()


def record_event(
    ctx: Context,
    regarding: dict,
    reason: str,
    message: str,
    component: str,
    *,
    warning: bool = False,
    once: bool = False,
) -> None:
    """One core/v1 Event about `regarding`, named as client-go's recorder names it (`<object>.<hex time>`);
    `once`: named after its content instead, so news a controller repeats on every pass (a pod still
    unschedulable) is written once."""
    meta = regarding.get("metadata") or {}
    namespace = meta.get("namespace") or "default"
    stamp = ctx.api.timestamp()
    if once:
        suffix = template_hash({"r": reason, "m": message, "u": meta.get("uid")})
    else:
        suffix = f"{int(ctx.now * 1e9) + next(_SEQUENCE):x}"
    event = {
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {"name": f"{meta.get('name', '')}.{suffix}", "namespace": namespace},
        "involvedObject": {
            "apiVersion": regarding.get("apiVersion", ""),
            "kind": regarding.get("kind", ""),
            "name": meta.get("name", ""),
            "namespace": namespace,
            "uid": meta.get("uid", ""),
            "resourceVersion": meta.get("resourceVersion", ""),
        },
        "reason": reason,
        "message": message,
        "source": {"component": component},
        "firstTimestamp": stamp,
        "lastTimestamp": stamp,
        "count": 1,
        "type": "Warning" if warning else "Normal",
        "reportingComponent": component,
        "reportingInstance": "",
    }
    try:
        ctx.api.create(ctx.core("events"), namespace, event, manager=component)
    except ApiError:  # the namespace is going away, or (`once`) the news is already written
        return
