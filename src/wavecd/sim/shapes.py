"""JSON shapes of the fields the sim reads, checked before an object is used.

A real apiserver decodes every write into typed Go structs and refuses a value of the wrong JSON type with 400
(`... cannot be handled as a Deployment: json: cannot unmarshal bool into Go struct field ...`). The sim keeps
plain dicts, so it checks the fields it and its controllers read, with the same kind of message.
"""

from __future__ import annotations

from wavecd.goyaml.jsonvalue import json_kind
from wavecd.sim import apierrors
from wavecd.sim.registry import Kind

OBJ, ARR, STR, INT, BOOL, STRMAP = "object", "array", "string", "integer", "boolean", "map[string]string"

_META = {
    "metadata": OBJ,
    "metadata.name": STR,
    "metadata.namespace": STR,
    "metadata.generateName": STR,
    "metadata.resourceVersion": STR,
    "metadata.labels": STRMAP,
    "metadata.annotations": STRMAP,
    "metadata.finalizers": ARR,
    "metadata.finalizers.*": STR,
    "metadata.ownerReferences": ARR,
    "metadata.ownerReferences.*": OBJ,
    "status": OBJ,
}


def _pod_spec(prefix: str) -> dict[str, str]:
    shapes = {prefix: OBJ, f"{prefix}.restartPolicy": STR, f"{prefix}.volumes": ARR, f"{prefix}.volumes.*": OBJ}
    for field in ("containers", "initContainers"):
        c = f"{prefix}.{field}"
        shapes.update(
            {
                c: ARR,
                f"{c}.*": OBJ,
                f"{c}.*.name": STR,
                f"{c}.*.image": STR,
                f"{c}.*.ports": ARR,
                f"{c}.*.ports.*": OBJ,
                f"{c}.*.ports.*.containerPort": INT,
                f"{c}.*.env": ARR,
                f"{c}.*.env.*": OBJ,
            }
        )
    return shapes


def _template(prefix: str) -> dict[str, str]:
    return {
        prefix: OBJ,
        f"{prefix}.metadata": OBJ,
        f"{prefix}.metadata.labels": STRMAP,
        f"{prefix}.metadata.annotations": STRMAP,
        **_pod_spec(f"{prefix}.spec"),
    }


def _workload() -> dict[str, str]:
    return {
        "spec": OBJ,
        "spec.replicas": INT,
        "spec.paused": BOOL,
        "spec.selector": OBJ,
        "spec.selector.matchLabels": STRMAP,
        "spec.strategy": OBJ,
        "spec.updateStrategy": OBJ,
        "spec.volumeClaimTemplates": ARR,
        "spec.volumeClaimTemplates.*": OBJ,
        **_template("spec.template"),
    }


_KINDS: dict[tuple[str, str], dict[str, str]] = {
    ("apps", "Deployment"): _workload(),
    ("apps", "ReplicaSet"): _workload(),
    ("apps", "StatefulSet"): _workload(),
    ("apps", "DaemonSet"): _workload(),
    ("batch", "Job"): {"spec": OBJ, "spec.completions": INT, "spec.suspend": BOOL, **_template("spec.template")},
    ("batch", "CronJob"): {
        "spec": OBJ,
        "spec.schedule": STR,
        "spec.jobTemplate": OBJ,
        "spec.jobTemplate.spec": OBJ,
        **_template("spec.jobTemplate.spec.template"),
    },
    ("", "Pod"): _pod_spec("spec"),
    ("", "Service"): {
        "spec": OBJ,
        "spec.type": STR,
        "spec.ports": ARR,
        "spec.ports.*": OBJ,
        "spec.ports.*.port": INT,
        "spec.selector": STRMAP,
        "spec.clusterIP": STR,
    },
    ("", "Namespace"): {"spec": OBJ, "spec.finalizers": ARR},
    ("", "ConfigMap"): {"data": STRMAP},
    ("", "Secret"): {"data": STRMAP, "stringData": STRMAP, "type": STR},
    ("", "PersistentVolumeClaim"): {
        "spec": OBJ,
        "spec.storageClassName": STR,
        "spec.accessModes": ARR,
        "spec.resources": OBJ,
        "spec.resources.requests": OBJ,
    },
    ("networking.k8s.io", "Ingress"): {"spec": OBJ, "spec.rules": ARR, "spec.rules.*": OBJ},
    ("policy", "PodDisruptionBudget"): {"spec": OBJ, "spec.selector": OBJ, "spec.selector.matchLabels": STRMAP},
    ("autoscaling", "HorizontalPodAutoscaler"): {"spec": OBJ, "spec.minReplicas": INT, "spec.maxReplicas": INT},
    ("apiextensions.k8s.io", "CustomResourceDefinition"): {
        "spec": OBJ,
        "spec.group": STR,
        "spec.scope": STR,
        "spec.names": OBJ,
        "spec.names.plural": STR,
        "spec.names.kind": STR,
        "spec.names.shortNames": ARR,
        "spec.versions": ARR,
        "spec.versions.*": OBJ,
        "spec.versions.*.name": STR,
        "spec.versions.*.served": BOOL,
        "spec.versions.*.storage": BOOL,
        "spec.versions.*.schema": OBJ,
        "spec.versions.*.subresources": OBJ,
    },
}
_CUSTOM = {"spec": OBJ}


def _fits(value: object, shape: str) -> bool:
    if shape == OBJ:
        return isinstance(value, dict)
    if shape == ARR:
        return isinstance(value, list)
    if shape == STR:
        return isinstance(value, str)
    if shape == INT:
        integral_float = isinstance(value, float) and value.is_integer()
        return (isinstance(value, int) and not isinstance(value, bool)) or integral_float
    if shape == BOOL:
        return isinstance(value, bool)
    return isinstance(value, dict) and all(isinstance(v, str) for v in value.values())


def check(kind: Kind, obj: dict) -> None:
    """Raise 400 BadRequest naming the first field whose JSON type is wrong."""
    shapes = {**_META, **_KINDS.get((kind.group, kind.kind), _CUSTOM if kind.schema is not None else {})}
    for path, shape in shapes.items():
        for where, value in _values(obj, path.split(".")):
            if value is not None and not _fits(value, shape):
                raise apierrors.bad_request(
                    f'{kind.kind} in version "{kind.version}" cannot be handled as a {kind.kind}: json: cannot '
                    f"unmarshal {json_kind(value)} into Go struct field {kind.kind}.{where} of type {shape}"
                )


def _values(obj: object, parts: list[str], where: str = "") -> list[tuple[str, object]]:
    if not parts:
        return [(where, obj)]
    head, rest = parts[0], parts[1:]
    if head == "*":
        if not isinstance(obj, list):
            return []
        return [pair for item in obj for pair in _values(item, rest, where)]
    if not isinstance(obj, dict) or head not in obj:
        return []
    return _values(obj[head], rest, f"{where}.{head}" if where else head)
