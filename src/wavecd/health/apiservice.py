"""apiregistration.k8s.io APIService: its `Available` condition decides."""

from __future__ import annotations

from typing import Any

from wavecd.common import HealthStatus
from wavecd.health.fields import condition
from wavecd.health.status import Health


def apiservice(obj: dict[str, Any]) -> Health:
    available = condition(obj, "Available")
    if available is None:
        return Health(HealthStatus.PROGRESSING, "Waiting to be processed")
    text = f"{available.get('reason') or ''}: {available.get('message') or ''}"
    if available.get("status") == "True":
        return Health(HealthStatus.HEALTHY, text)
    return Health(HealthStatus.PROGRESSING, text)
