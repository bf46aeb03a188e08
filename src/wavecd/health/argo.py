"""Argo's own kinds: Workflow (built into gitops-engine) and Application (the argocd-cm Lua rule of the
upgrade notes for 1.7→1.8, which wavecd applies by default because app-of-apps sync waves depend on it)."""

from __future__ import annotations

from typing import Any

from wavecd.common import HealthStatus
from wavecd.health.fields import get, string
from wavecd.health.status import Health

_VALID = {code.value for code in HealthStatus}
INVALID_LUA_STATUS = Health(HealthStatus.UNKNOWN, "Lua returned an invalid health status")


def workflow(obj: dict[str, Any]) -> Health:
    phase = string(obj, "status", "phase")
    message = string(obj, "status", "message")
    if phase in ("", "Pending", "Running"):
        return Health(HealthStatus.PROGRESSING, message)
    if phase == "Succeeded":
        return Health(HealthStatus.HEALTHY, message)
    if phase in ("Failed", "Error"):
        return Health(HealthStatus.DEGRADED, message)
    return Health(HealthStatus.UNKNOWN, message)


def application(obj: dict[str, Any]) -> Health:
    """The documented Lua: the child's own `status.health`, Progressing until it reports one.

    The Lua copies `status` and `message` as they are; Argo then rejects a status that is not one of the six
    codes (including a missing one) as `Unknown`.
    """
    health = get(obj, "status", "health")
    if health is None:
        return Health(HealthStatus.PROGRESSING, "")
    if not isinstance(health, dict):
        return INVALID_LUA_STATUS
    status = health.get("status")
    if status not in _VALID:
        return INVALID_LUA_STATUS
    message = health.get("message")
    return Health(HealthStatus(status), message if isinstance(message, str) else "")
