"""core/v1 Pod (gitops-engine `health_pod.go`).

Run-to-completion pods (restartPolicy Never/OnFailure) stay Progressing while Running and are not failed for
image-pull back-offs: they are usually hooks, and failing a hook early would break the sync. The
`ignore-restart-policy` annotation opts a non-hook pod into long-running semantics.
"""

from __future__ import annotations

from typing import Any

from wavecd.common import IGNORE_RESTART_POLICY, HealthStatus
from wavecd.health.fields import get, integer, items, string
from wavecd.health.status import Health


def _waiting_error(reason: str) -> bool:
    return reason.startswith("Err") or reason.endswith("Error") or reason.endswith("BackOff")


def _fail_message(status: dict[str, Any]) -> str:
    terminated = get(status, "state", "terminated")
    if not isinstance(terminated, dict):
        return ""
    if string(terminated, "message"):
        return string(terminated, "message")
    if string(terminated, "reason") == "OOMKilled":
        return "OOMKilled"
    code = integer(terminated, "exitCode")
    if code:
        return f'container "{string(status, "name")}" failed with exit code {code}'
    return ""


def _ready(obj: dict[str, Any]) -> bool:
    return any(c.get("type") == "Ready" and c.get("status") == "True" for c in items(obj, "status", "conditions"))


def pod(obj: dict[str, Any], is_hook: bool = False) -> Health:
    annotations = get(obj, "metadata", "annotations") or {}
    long_running_opt_in = annotations.get(IGNORE_RESTART_POLICY) == "true" and not is_hook
    policy = string(obj, "spec", "restartPolicy")
    long_running = policy == "Always" or long_running_opt_in
    containers = items(obj, "status", "containerStatuses")
    message = string(obj, "status", "message")
    if long_running:
        errors = [
            string(c, "state", "waiting", "message")
            for c in containers
            if isinstance(get(c, "state", "waiting"), dict) and _waiting_error(string(c, "state", "waiting", "reason"))
        ]
        if errors:
            return Health(HealthStatus.DEGRADED, ", ".join(errors))
    phase = string(obj, "status", "phase")
    if phase == "Pending":
        return Health(HealthStatus.PROGRESSING, message)
    if phase == "Succeeded":
        return Health(HealthStatus.HEALTHY, message)
    if phase == "Failed":
        if message:
            return Health(HealthStatus.DEGRADED, message)
        for status in items(obj, "status", "initContainerStatuses") + containers:
            text = _fail_message(status)
            if text:
                return Health(HealthStatus.DEGRADED, text)
        return Health(HealthStatus.DEGRADED, "")
    if phase == "Running":
        if long_running:
            if _ready(obj):
                return Health(HealthStatus.HEALTHY, message)
            if any(isinstance(get(c, "lastState", "terminated"), dict) for c in containers):
                return Health(HealthStatus.DEGRADED, message)
            return Health(HealthStatus.PROGRESSING, message)
        if policy in ("OnFailure", "Never"):
            return Health(HealthStatus.PROGRESSING, message)
    return Health(HealthStatus.UNKNOWN, message)
