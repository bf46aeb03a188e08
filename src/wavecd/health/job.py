"""batch/v1 Job (gitops-engine `health_job.go`), including its quirk: a `Suspended` condition with status
False still counts as "complete", so such a Job reads Healthy."""

from __future__ import annotations

from typing import Any

from wavecd.common import HealthStatus
from wavecd.health.fields import items, string
from wavecd.health.status import Health


def job(obj: dict[str, Any]) -> Health:
    failed = complete = suspended = False
    fail_message = message = ""
    for cond in items(obj, "status", "conditions"):
        kind = cond.get("type")
        if kind == "Failed":
            failed = complete = True
            fail_message = string(cond, "message")
        elif kind == "Complete":
            complete = True
            message = string(cond, "message")
        elif kind == "Suspended":
            complete = True
            message = string(cond, "message")
            suspended = suspended or cond.get("status") == "True"
    if not complete:
        return Health(HealthStatus.PROGRESSING, message)
    if failed:
        return Health(HealthStatus.DEGRADED, fail_message)
    if suspended:
        return Health(HealthStatus.SUSPENDED, message)
    return Health(HealthStatus.HEALTHY, message)
