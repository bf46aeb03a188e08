"""Service, Ingress and PersistentVolumeClaim: objects whose health is one status field."""

from __future__ import annotations

from typing import Any

from wavecd.common import HealthStatus
from wavecd.health.fields import get, string
from wavecd.health.status import HEALTHY, Health

_PVC_PHASES = {
    "Bound": HealthStatus.HEALTHY,
    "Pending": HealthStatus.PROGRESSING,
    "Lost": HealthStatus.DEGRADED,
}


def _has_address(obj: dict[str, Any]) -> bool:
    ingress = get(obj, "status", "loadBalancer", "ingress")
    return isinstance(ingress, list) and len(ingress) > 0


def service(obj: dict[str, Any]) -> Health:
    if string(obj, "spec", "type") == "LoadBalancer" and not _has_address(obj):
        return Health(HealthStatus.PROGRESSING)
    return HEALTHY


def ingress(obj: dict[str, Any]) -> Health:
    return HEALTHY if _has_address(obj) else Health(HealthStatus.PROGRESSING)


def pvc(obj: dict[str, Any]) -> Health:
    return Health(_PVC_PHASES.get(string(obj, "status", "phase"), HealthStatus.UNKNOWN))
