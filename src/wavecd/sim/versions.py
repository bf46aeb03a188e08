"""How a stored object looks when read through one version of its kind.

Storage is version-agnostic (one object per resource); reading sets `apiVersion`/`kind` and, for
`autoscaling/v1` HorizontalPodAutoscalers, moves the v2 `status.conditions` into the
`autoscaling.alpha.kubernetes.io/conditions` annotation, where v1 clients (and Argo's v1 health check) read them.
"""

from __future__ import annotations

import json

from wavecd.sim.registry import Kind

HPA_CONDITIONS = "autoscaling.alpha.kubernetes.io/conditions"


def present(kind: Kind, obj: dict) -> dict:
    """`obj` (a copy the caller owns) as `kind`'s version shows it."""
    obj["apiVersion"] = kind.api_version
    obj["kind"] = kind.kind
    if (kind.group, kind.version, kind.kind) == ("autoscaling", "v1", "HorizontalPodAutoscaler"):
        status = obj.get("status")
        conditions = status.pop("conditions", None) if isinstance(status, dict) else None
        if conditions:
            meta = obj.setdefault("metadata", {})
            meta["annotations"] = {**(meta.get("annotations") or {}), HPA_CONDITIONS: json.dumps(conditions)}
    return obj
