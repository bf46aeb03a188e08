"""The `scale` subresource: an `autoscaling/v1` Scale view of a workload's replica count (`kubectl scale`)."""

from __future__ import annotations

import json

import yaml

from wavecd.core.jsondoc import merge_patch
from wavecd.sim import apierrors
from wavecd.sim.patch import PatchError, json_patch
from wavecd.sim.registry import Kind
from wavecd.sim.store import clone

# What the errors of a Scale write name (`Scale.autoscaling "web" is invalid: ...`).
SCALE = Kind("autoscaling", "v1", "Scale", "scale", True)


def _paths(kind: Kind) -> tuple[list[str], list[str]]:
    spec_path, status_path, _ = kind.scale_paths or (".spec.replicas", ".status.replicas", "")
    return spec_path.strip(".").split("."), status_path.strip(".").split(".")


def _read(obj: dict, path: list[str]) -> object:
    node: object = obj
    for part in path:
        node = node.get(part) if isinstance(node, dict) else None
    return node


def _selector(kind: Kind, obj: dict) -> str:
    """A built-in workload's `spec.selector` as a string; a custom resource's the string at its CRD's
    `labelSelectorPath` (none without one)."""
    if kind.scale_paths is not None:
        path = kind.scale_paths[2].strip(".")
        found = _read(obj, path.split(".")) if path else None
        return found if isinstance(found, str) else ""
    labels = ((obj.get("spec") or {}).get("selector") or {}).get("matchLabels") or {}
    return ",".join(f"{k}={v}" for k, v in sorted(labels.items()))


def scale_of(kind: Kind, obj: dict) -> dict:
    spec_path, status_path = _paths(kind)
    meta = obj.get("metadata") or {}
    scale = {
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": {
            k: meta[k] for k in ("name", "namespace", "uid", "resourceVersion", "creationTimestamp") if k in meta
        },
        "spec": {"replicas": _read(obj, spec_path) or 0},
        "status": {"replicas": _read(obj, status_path) or 0},
    }
    selector = _selector(kind, obj)
    if selector:
        scale["status"]["selector"] = selector
    return scale


def scale_patch(kind: Kind, obj: dict, method: str, content_type: str, raw: bytes) -> int:
    """The replica count a PUT or PATCH of the Scale asks for; a Scale that names a `resourceVersion` other
    than the object's is refused as a stale write of the object."""
    current = scale_of(kind, obj)
    try:
        body = yaml.load(raw, Loader=yaml.CSafeLoader) if raw.strip() else {}
        if method == "PUT":
            new = body
        elif content_type == "application/json-patch+json":
            new = json_patch(current, body)
        else:
            new = merge_patch(current, body)
    except (yaml.YAMLError, PatchError, json.JSONDecodeError) as err:
        raise apierrors.bad_request(f"invalid scale patch: {err}") from None
    name = (obj.get("metadata") or {}).get("name", "")
    wanted_rv = ((new.get("metadata") or {}).get("resourceVersion") if isinstance(new, dict) else None) or ""
    if wanted_rv and wanted_rv != current["metadata"].get("resourceVersion"):
        raise apierrors.stale(kind, name)
    replicas = ((new or {}).get("spec") or {}).get("replicas") if isinstance(new, dict) else None
    if not isinstance(replicas, int) or isinstance(replicas, bool) or replicas < 0:
        raise apierrors.invalid(
            SCALE,
            name,
            [
                (
                    "FieldValueInvalid",
                    "spec.replicas",
                    f"Invalid value: {replicas}: must be greater than or equal to 0",
                )
            ],
        )
    return replicas


def set_replicas(kind: Kind, obj: dict, replicas: int) -> dict:
    spec_path, _ = _paths(kind)
    new = clone(obj)
    node = new
    for part in spec_path[:-1]:
        node = node.setdefault(part, {})
    node[spec_path[-1]] = replicas
    return new
