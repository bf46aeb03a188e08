"""The kubelet's part: a pod's status over time, from its owner's (or its own) timing, once the scheduler
has bound it to a node (an unschedulable pod stays Pending).

Long-running pods become Running and Ready after the delay (or crash-loop with `outcome: fail`);
run-to-completion pods (restartPolicy Never/OnFailure) run, then succeed (or fail) after the delay.
"""

from __future__ import annotations

from wavecd.sim.controllers.common import crashing_status, finished_status, running_status, write_status
from wavecd.sim.controllers.engine import KUBELET, Context
from wavecd.sim.controllers.events import record_event
from wavecd.sim.controllers.scheduler import schedule
from wavecd.sim.registry import Kind
from wavecd.sim.timing import Timing


def pending_status(ctx: Context, pod: dict) -> dict:
    status = dict(pod.get("status") or {})
    status.update(
        {
            "phase": "Pending",
            "conditions": [
                {
                    "type": "PodScheduled",
                    "status": "True",
                    "lastTransitionTime": status.get("startTime") or ctx.api.timestamp(),
                }
            ],
            "hostIP": "172.18.0.2",
            "startTime": status.get("startTime") or ctx.api.timestamp(),
            "containerStatuses": [
                {
                    "name": c.get("name", ""),
                    "image": c.get("image", ""),
                    "imageID": "",
                    "ready": False,
                    "restartCount": 0,
                    "started": False,
                    "state": {"waiting": {"reason": "ContainerCreating"}},
                }
                for c in (pod.get("spec") or {}).get("containers") or []
            ],
        }
    )
    return status


def drive_pod(ctx: Context, pods: Kind, pod: dict, timing: Timing) -> dict:
    """Write the pod's status for the current time and schedule the next change; returns the pod."""
    meta = pod["metadata"]
    if meta.get("deletionTimestamp"):
        return pod
    phase = (pod.get("status") or {}).get("phase")
    if phase in ("Succeeded", "Failed"):
        return pod
    if not (pod.get("spec") or {}).get("nodeName"):
        pod = schedule(ctx, pods, pod)
        if not pod["spec"].get("nodeName"):
            return pod
    since = ctx.since(pod)
    completes = (pod.get("spec") or {}).get("restartPolicy") in ("Never", "OnFailure")
    if timing.outcome == "fail" and ctx.now >= since + timing.failure_delay:
        status = finished_status(ctx, pod, succeeded=False) if completes else crashing_status(ctx, pod)
    elif timing.outcome == "ready" and ctx.now >= since + timing.delay:
        status = finished_status(ctx, pod, succeeded=True) if completes else running_status(ctx, pod, ready=True)
    elif completes and timing.outcome == "never":
        status = running_status(ctx, pod, ready=False)
    else:
        status = pending_status(ctx, pod)
        due = since + (timing.failure_delay if timing.outcome == "fail" else timing.delay)
        if timing.outcome != "never":
            ctx.recheck(pods, pod, due)
    host = _host_ip(ctx, pod["spec"]["nodeName"])
    if host:
        status["hostIP"] = host
    if status.get("phase") == (pod.get("status") or {}).get("phase") == "Running" and _same_running(pod, status):
        return pod
    _record(ctx, pod, status)
    return write_status(ctx, pods, pod, status, manager=KUBELET) or pod


def _host_ip(ctx: Context, node_name: str) -> str | None:
    """The InternalIP of the pod's node, as the kubelet reports it in `status.hostIP`."""
    node = ctx.api.find(ctx.core("nodes"), None, node_name)
    addresses = ((node or {}).get("status") or {}).get("addresses") or []
    return next((a.get("address") for a in addresses if a.get("type") == "InternalIP"), None)


def _record(ctx: Context, pod: dict, status: dict) -> None:
    """The kubelet's Events for the pod's step from its last status to `status` (the scheduler writes its own
    `Scheduled` when it binds the pod)."""
    before = pod.get("status") or {}
    meta = pod["metadata"]
    started = [c for c in status.get("containerStatuses") or [] if "running" in (c.get("state") or {})]
    if started and before.get("phase") != "Running":
        for container in started:
            name = container.get("name", "")
            pulled = f'Container image "{container.get("image", "")}" already present on machine'
            record_event(ctx, pod, "Pulled", pulled, KUBELET)
            record_event(ctx, pod, "Created", f"Created container: {name}", KUBELET)
            record_event(ctx, pod, "Started", f"Started container {name}", KUBELET)
    crashing = {c.get("name", "") for c in status.get("containerStatuses") or [] if _backing_off(c)}
    crashed = {c.get("name", "") for c in before.get("containerStatuses") or [] if _backing_off(c)}
    for name in sorted(crashing - crashed):
        pod_id = f"{meta['name']}_{meta.get('namespace')}({meta.get('uid', '')})"
        message = f"Back-off restarting failed container {name} in pod {pod_id}"
        record_event(ctx, pod, "BackOff", message, KUBELET, warning=True)


def _backing_off(container: dict) -> bool:
    return ((container.get("state") or {}).get("waiting") or {}).get("reason") == "CrashLoopBackOff"


def _same_running(pod: dict, status: dict) -> bool:
    old = pod.get("status") or {}
    return [c.get("ready") for c in old.get("containerStatuses") or []] == [
        c.get("ready") for c in status.get("containerStatuses") or []
    ] and [c.get("state", {}).keys() for c in old.get("containerStatuses") or []] == [
        c.get("state", {}).keys() for c in status.get("containerStatuses") or []
    ]


def is_ready(pod: dict) -> bool:
    status = pod.get("status") or {}
    if status.get("phase") != "Running":
        return False
    return any(c.get("type") == "Ready" and c.get("status") == "True" for c in status.get("conditions") or [])


OWNED_KINDS = frozenset({"ReplicaSet", "StatefulSet", "DaemonSet", "Job"})


def reconcile_pod(ctx: Context, kind: Kind, pod: dict) -> None:
    """Standalone pods (or pods of owners the sim does not simulate) follow the Pod rule."""
    refs = pod["metadata"].get("ownerReferences") or []
    owners = [r for r in refs if r.get("kind") in OWNED_KINDS and r.get("controller")]
    if owners:
        for ref in owners:  # the owner drives its pods; a pod's timer wakes it
            owner = ctx.kind(ref.get("apiVersion", ""), ref.get("kind", ""))
            if owner is not None:
                ctx.engine.enqueue((owner.group, owner.plural, pod["metadata"].get("namespace", ""), ref["name"]))
        return
    drive_pod(ctx, kind, pod, ctx.timing(kind, pod))
