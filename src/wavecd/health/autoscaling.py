"""HorizontalPodAutoscaler (gitops-engine `health_hpa.go`): v1 keeps its conditions in an annotation as JSON,
v2* in `status.conditions`; the first condition that is degraded or healthy decides."""

from __future__ import annotations

import json
from typing import Any

from wavecd.common import HealthStatus
from wavecd.health.fields import ConversionError, get, items
from wavecd.health.status import Health

CONDITIONS_ANNOTATION = "autoscaling.alpha.kubernetes.io/conditions"

_DEGRADED = {
    ("AbleToScale", "FailedGetScale"),
    ("AbleToScale", "FailedUpdateScale"),
    ("ScalingActive", "FailedGetResourceMetric"),
    ("ScalingActive", "FailedGetObjectMetric"),
    ("ScalingActive", "FailedGetPodsMetric"),
    ("ScalingActive", "FailedGetExternalMetric"),
    ("ScalingActive", "FailedComputeMetricsReplicas"),
    ("ScalingActive", "InvalidSelector"),
}
_HEALTHY_TYPES = ("AbleToScale", "ScalingLimited")
_WAITING = Health(HealthStatus.PROGRESSING, "Waiting to Autoscale")


def _judge(conditions: list[dict[str, Any]]) -> Health:
    for cond in conditions:
        message = cond.get("message") or ""
        if (cond.get("type"), cond.get("reason")) in _DEGRADED:
            return Health(HealthStatus.DEGRADED, message)
        if cond.get("type") in _HEALTHY_TYPES and cond.get("status") == "True":
            return Health(HealthStatus.HEALTHY, message)
    return _WAITING


def hpa(obj: dict[str, Any]) -> Health:
    version = str(obj.get("apiVersion", ""))
    if version == "autoscaling/v1":
        raw = (get(obj, "metadata", "annotations") or {}).get(CONDITIONS_ANNOTATION)
        if raw is None:
            return _WAITING
        try:
            conditions = json.loads(raw)
        except (TypeError, ValueError) as err:
            raise ConversionError(f"failed to convert conditions annotation to typed: {err}") from None
        if not isinstance(conditions, list) or not all(isinstance(c, dict) for c in conditions):
            raise ConversionError("failed to convert conditions annotation to typed: not a list")
        return _judge(conditions) if conditions else _WAITING
    return _judge(items(obj, "status", "conditions"))
