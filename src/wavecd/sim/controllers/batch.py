"""Jobs: one pod that runs, then succeeds (conditions `SuccessCriteriaMet` + `Complete`, as Kubernetes 1.31+
writes them) or fails (`FailureTarget` + `Failed`, reason `BackoffLimitExceeded`)."""

from __future__ import annotations

from wavecd.sim.controllers.common import (
    children,
    new_pod,
    safe_create,
    set_condition,
    template_hash,
    write_status,
)
from wavecd.sim.controllers.engine import Context
from wavecd.sim.controllers.pods import drive_pod, is_ready
from wavecd.sim.registry import Kind
from wavecd.sim.store import clone
from wavecd.sim.timing import override

_COMPLETE = ("CompletionsReached", "Reached expected number of succeeded pods")
_FAILED = ("BackoffLimitExceeded", "Job has reached the specified backoff limit")


def _finished(job: dict) -> bool:
    return any(
        c.get("type") in ("Complete", "Failed") and c.get("status") == "True"
        for c in (job.get("status") or {}).get("conditions") or []
    )


def reconcile_job(ctx: Context, kind: Kind, job: dict) -> None:
    meta = job["metadata"]
    if meta.get("deletionTimestamp") or _finished(job):
        return
    spec = job.get("spec") or {}
    status = clone(job.get("status") or {})
    if spec.get("suspend"):
        status["conditions"] = set_condition(
            status.get("conditions") or [], ctx, "Suspended", "True", "JobSuspended", "Job suspended"
        )
        write_status(ctx, kind, job, status)
        return
    pods_kind = ctx.core("pods")
    pods = children(ctx, pods_kind, job)
    if not pods:
        template = spec.get("template") or {}
        labels = {
            "job-name": meta["name"],
            "batch.kubernetes.io/job-name": meta["name"],
            "controller-uid": meta["uid"],
            "batch.kubernetes.io/controller-uid": meta["uid"],
        }
        name = f"{meta['name']}-{template_hash({'uid': meta['uid']})[:5]}"
        pod = safe_create(ctx, pods_kind, meta.get("namespace"), new_pod(job, name, template, labels))
        if pod is None:
            return
        pods = [pod]
    timing = ctx.timing(kind, job)
    pods = [drive_pod(ctx, pods_kind, p, override(timing, p["metadata"].get("annotations") or {})) for p in pods]
    succeeded = sum(1 for p in pods if (p.get("status") or {}).get("phase") == "Succeeded")
    failed = sum(1 for p in pods if (p.get("status") or {}).get("phase") == "Failed")
    active = len(pods) - succeeded - failed
    status.setdefault("startTime", ctx.api.timestamp())
    status.update(
        {
            "active": active,
            "ready": sum(1 for p in pods if is_ready(p)),
            "terminating": 0,
            "uncountedTerminatedPods": {},
        }
    )
    for field, value in (("succeeded", succeeded), ("failed", failed)):
        if value:
            status[field] = value
    if not active:
        del status["active"]
    conditions = status.get("conditions") or []
    if succeeded >= int(spec.get("completions", 1) or 1):
        conditions = set_condition(conditions, ctx, "SuccessCriteriaMet", "True", *_COMPLETE)
        conditions = set_condition(conditions, ctx, "Complete", "True", *_COMPLETE)
        status["completionTime"] = ctx.api.timestamp()
    elif failed:
        conditions = set_condition(conditions, ctx, "FailureTarget", "True", *_FAILED)
        conditions = set_condition(conditions, ctx, "Failed", "True", *_FAILED)
    if conditions:
        status["conditions"] = conditions
    write_status(ctx, kind, job, status)
