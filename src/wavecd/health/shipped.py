"""Health checks Argo CD ships as Lua in `resource_customizations/` for kinds without a Go check:
`batch/CronJob`, `policy/PodDisruptionBudget` and `argoproj.io/ApplicationSet` (argo-cd 3.6).

They apply whatever rules a user configures; a configured rule for the same kind replaces them. A Lua
runtime error (a field of the wrong shape) is `Unknown` in Argo; `ConversionError` carries that here.
"""

from __future__ import annotations

from typing import Any

from wavecd.common import HealthStatus
from wavecd.health.fields import ConversionError, get, items
from wavecd.health.status import Health


def cronjob(obj: dict[str, Any]) -> Health:
    if get(obj, "spec", "suspend") is True:
        return Health(HealthStatus.HEALTHY, "CronJob is Suspended")
    status = obj.get("status")
    if status is None:
        return Health(HealthStatus.PROGRESSING, "Waiting for CronJob")
    scheduled = get(status, "lastScheduleTime")
    if scheduled is None:
        return Health(HealthStatus.HEALTHY, "CronJob has not been scheduled yet")
    succeeded = get(status, "lastSuccessfulTime")
    if succeeded is None:
        return Health(HealthStatus.HEALTHY, "The CronJob never completed successfully. It may not be healthy")
    active = get(status, "active")
    if isinstance(active, list) and active:
        return Health(HealthStatus.HEALTHY, "The job is running. Its last execution may not have been successful")
    if str(succeeded) < str(scheduled):  # RFC 3339 times in UTC compare as strings, as the Lua does
        return Health(HealthStatus.DEGRADED, "CronJob has not completed its last execution successfully")
    return Health(HealthStatus.HEALTHY, "CronJob has completed its last execution successfully")


def pod_disruption_budget(obj: dict[str, Any]) -> Health:
    health = Health(HealthStatus.PROGRESSING, "Waiting for status")
    for cond in items(obj, "status", "conditions"):
        reason = cond.get("reason")
        if not isinstance(reason, str):
            raise ConversionError("attempt to concatenate a nil value (field 'reason')")
        if cond.get("status") == "False" and reason != "InsufficientPods":
            return Health(HealthStatus.DEGRADED, f"PodDisruptionBudget has {reason}")
        health = Health(HealthStatus.HEALTHY, f"PodDisruptionBudget has {reason}")
    return health


def application_set(obj: dict[str, Any]) -> Health:
    conditions = items(obj, "status", "conditions")
    checks = (
        ("ErrorOccurred", "True", HealthStatus.DEGRADED),
        ("ResourcesUpToDate", "False", HealthStatus.DEGRADED),
        ("RolloutProgressing", "True", HealthStatus.PROGRESSING),
        ("ResourcesUpToDate", "True", HealthStatus.HEALTHY),
    )
    for kind, status, code in checks:
        for cond in conditions:
            if cond.get("type") == kind and cond.get("status") == status:
                message = cond.get("message")
                return Health(code, message if isinstance(message, str) else "")
    return Health(HealthStatus.PROGRESSING, "Waiting for the status to be reported")
