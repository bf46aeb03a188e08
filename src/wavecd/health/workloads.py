"""apps/v1 workloads: Deployment, StatefulSet, DaemonSet, ReplicaSet (gitops-engine `health_*.go`).

The messages are Argo's (they come from kubectl's rollout-status wording), because users compare them.
"""

from __future__ import annotations

from typing import Any

from wavecd.common import HealthStatus
from wavecd.health.fields import condition, get, integer, string
from wavecd.health.status import HEALTHY, Health

_P = HealthStatus.PROGRESSING
_H = HealthStatus.HEALTHY
_ROLLOUT = "Waiting for rollout to finish: "


def deployment(obj: dict[str, Any]) -> Health:
    if get(obj, "spec", "paused") is True:
        return Health(HealthStatus.SUSPENDED, "Deployment is paused")
    generation = integer(obj, "metadata", "generation")
    observed = integer(obj, "status", "observedGeneration")
    if generation > observed:
        return Health(_P, _ROLLOUT + "observed deployment generation less than desired generation")
    progressing = condition(obj, "Progressing")
    if progressing is not None and progressing.get("reason") == "ProgressDeadlineExceeded":
        name = string(obj, "metadata", "name")
        return Health(HealthStatus.DEGRADED, f'Deployment "{name}" exceeded its progress deadline')
    wanted = integer(obj, "spec", "replicas", default=None)
    updated = integer(obj, "status", "updatedReplicas")
    replicas = integer(obj, "status", "replicas")
    available = integer(obj, "status", "availableReplicas")
    if wanted is not None and updated < wanted:
        return Health(_P, _ROLLOUT + f"{updated} out of {wanted} new replicas have been updated...")
    if replicas > updated:
        return Health(_P, _ROLLOUT + f"{replicas - updated} old replicas are pending termination...")
    if available < updated:
        return Health(_P, _ROLLOUT + f"{available} of {updated} updated replicas are available...")
    return HEALTHY


def statefulset(obj: dict[str, Any]) -> Health:
    observed = integer(obj, "status", "observedGeneration")
    if observed == 0 or integer(obj, "metadata", "generation") > observed:
        return Health(_P, "Waiting for statefulset spec update to be observed...")
    wanted = integer(obj, "spec", "replicas", default=None)
    ready = integer(obj, "status", "readyReplicas")
    if wanted is not None and ready < wanted:
        return Health(_P, f"Waiting for {wanted - ready} pods to be ready...")
    strategy = string(obj, "spec", "updateStrategy", "type")
    updated = integer(obj, "status", "updatedReplicas")
    rolling = get(obj, "spec", "updateStrategy", "rollingUpdate")
    if strategy == "RollingUpdate" and rolling is not None:
        partition = integer(obj, "spec", "updateStrategy", "rollingUpdate", "partition", default=None)
        if wanted is not None and partition is not None and updated < wanted - partition:
            return Health(
                _P,
                "Waiting for partitioned roll out to finish: "
                f"{updated} out of {wanted - partition} new pods have been updated...",
            )
        return Health(_H, f"partitioned roll out complete: {updated} new pods have been updated...")
    if strategy == "OnDelete":
        return Health(_H, f"statefulset has {ready} ready pods")
    update_rev = string(obj, "status", "updateRevision")
    current_rev = string(obj, "status", "currentRevision")
    if update_rev != current_rev:
        return Health(
            _P,
            f"waiting for statefulset rolling update to complete {updated} pods at revision {update_rev}...",
        )
    current = integer(obj, "status", "currentReplicas")
    return Health(_H, f"statefulset rolling update complete {current} pods at revision {current_rev}...")


def daemonset(obj: dict[str, Any]) -> Health:
    if integer(obj, "metadata", "generation") > integer(obj, "status", "observedGeneration"):
        return Health(_P, _ROLLOUT + "observed daemon set generation less than desired generation")
    desired = integer(obj, "status", "desiredNumberScheduled")
    updated = integer(obj, "status", "updatedNumberScheduled")
    if string(obj, "spec", "updateStrategy", "type") == "OnDelete":
        return Health(_H, f"daemon set {updated} out of {desired} new pods have been updated")
    name = string(obj, "metadata", "name")
    if updated < desired:
        return Health(
            _P,
            f'Waiting for daemon set "{name}" rollout to finish: '
            f"{updated} out of {desired} new pods have been updated...",
        )
    available = integer(obj, "status", "numberAvailable")
    if available < desired:
        return Health(
            _P,
            f'Waiting for daemon set "{name}" rollout to finish: '
            f"{available} of {desired} updated pods are available...",
        )
    return HEALTHY


def replicaset(obj: dict[str, Any]) -> Health:
    if integer(obj, "metadata", "generation") > integer(obj, "status", "observedGeneration"):
        return Health(_P, _ROLLOUT + "observed replica set generation less than desired generation")
    failure = condition(obj, "ReplicaFailure")
    if failure is not None and failure.get("status") == "True":
        return Health(HealthStatus.DEGRADED, string(failure, "message"))
    wanted = integer(obj, "spec", "replicas", default=None)
    available = integer(obj, "status", "availableReplicas")
    if wanted is not None and available < wanted:
        return Health(_P, _ROLLOUT + f"{available} out of {wanted} new replicas are available...")
    return HEALTHY
