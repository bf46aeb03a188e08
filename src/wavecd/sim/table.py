"""`meta.k8s.io/v1` Table answers, so `kubectl get` prints the columns a real cluster prints.

kubectl asks for a Table (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io,...`) and prints whatever
columns the server sends; without one it falls back to NAME/AGE. Cells here follow the apiserver's printers for
the common kinds, and a CRD's `additionalPrinterColumns` for custom resources.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from wavecd.sim.registry import Kind

TABLE_TYPE = "application/json;as=Table;v=v1;g=meta.k8s.io"
Row = Callable[[dict], list]


def wants_table(accept: str) -> bool:
    return "as=Table" in accept and "g=meta.k8s.io" in accept


def human_duration(seconds: float) -> str:
    """Kubernetes' `duration.HumanDuration`, as the AGE column shows it."""
    s = int(seconds)
    if s < 0:
        return "<invalid>"
    if s < 120:
        return f"{s}s"
    minutes = s // 60
    if minutes < 10:
        return f"{minutes}m{s % 60}s" if s % 60 else f"{minutes}m"
    if minutes < 180:
        return f"{minutes}m"
    hours = minutes // 60
    if hours < 8:
        return f"{hours}h{minutes % 60}m" if minutes % 60 else f"{hours}h"
    if hours < 48:
        return f"{hours}h"
    if hours < 24 * 8:
        return f"{hours // 24}d{hours % 24}h" if hours % 24 else f"{hours // 24}d"
    if hours < 24 * 365 * 2:
        return f"{hours // 24}d"
    return f"{hours // (24 * 365)}y{hours // 24 % 365}d"


def _get(obj: object, *path: str) -> object:
    for part in path:
        obj = obj.get(part) if isinstance(obj, dict) else None
    return obj


def _n(value: object) -> int:
    return value if isinstance(value, int) else 0


def _pod_status(pod: dict) -> str:
    if _get(pod, "metadata", "deletionTimestamp"):
        return "Terminating"
    for status in _get(pod, "status", "containerStatuses") or []:
        reason = _get(status, "state", "waiting", "reason") or _get(status, "state", "terminated", "reason")
        if reason:
            return str(reason)
    return str(_get(pod, "status", "phase") or "Pending")


def _job_status(job: dict) -> str:
    for cond in _get(job, "status", "conditions") or []:
        if cond.get("status") == "True" and cond.get("type") in ("Complete", "Failed", "Suspended"):
            return str(cond["type"])
    return "Running"


def _ports(svc: dict) -> str:
    ports = _get(svc, "spec", "ports") or []
    return (
        ",".join(
            f"{p.get('port')}{':' + str(p['nodePort']) if p.get('nodePort') else ''}/{p.get('protocol', 'TCP')}"
            for p in ports
        )
        or "<none>"
    )


def _lb(obj: dict) -> str:
    ingress = _get(obj, "status", "loadBalancer", "ingress") or []
    return ",".join(str(i.get("ip") or i.get("hostname")) for i in ingress)


_COLUMNS: dict[tuple[str, str], tuple[list[tuple[str, str]], Row]] = {
    ("", "Namespace"): ([("Status", "string")], lambda o: [_get(o, "status", "phase") or ""]),
    ("", "Pod"): (
        [("Ready", "string"), ("Status", "string"), ("Restarts", "string")],
        lambda o: [
            f"{sum(1 for c in _get(o, 'status', 'containerStatuses') or [] if c.get('ready'))}/"
            f"{len(_get(o, 'spec', 'containers') or [])}",
            _pod_status(o),
            str(sum(_n(c.get("restartCount")) for c in _get(o, "status", "containerStatuses") or [])),
        ],
    ),
    ("apps", "Deployment"): (
        [("Ready", "string"), ("Up-to-date", "integer"), ("Available", "integer")],
        lambda o: [
            f"{_n(_get(o, 'status', 'readyReplicas'))}/{_n(_get(o, 'spec', 'replicas'))}",
            _n(_get(o, "status", "updatedReplicas")),
            _n(_get(o, "status", "availableReplicas")),
        ],
    ),
    ("apps", "ReplicaSet"): (
        [("Desired", "integer"), ("Current", "integer"), ("Ready", "integer")],
        lambda o: [
            _n(_get(o, "spec", "replicas")),
            _n(_get(o, "status", "replicas")),
            _n(_get(o, "status", "readyReplicas")),
        ],
    ),
    ("apps", "StatefulSet"): (
        [("Ready", "string")],
        lambda o: [f"{_n(_get(o, 'status', 'readyReplicas'))}/{_n(_get(o, 'spec', 'replicas'))}"],
    ),
    ("apps", "DaemonSet"): (
        [
            ("Desired", "integer"),
            ("Current", "integer"),
            ("Ready", "integer"),
            ("Up-to-date", "integer"),
            ("Available", "integer"),
        ],
        lambda o: [
            _n(_get(o, "status", f))
            for f in (
                "desiredNumberScheduled",
                "currentNumberScheduled",
                "numberReady",
                "updatedNumberScheduled",
                "numberAvailable",
            )
        ],
    ),
    ("batch", "Job"): (
        [("Status", "string"), ("Completions", "string")],
        lambda o: [
            _job_status(o),
            f"{_n(_get(o, 'status', 'succeeded'))}/{_n(_get(o, 'spec', 'completions')) or 1}",
        ],
    ),
    ("", "Service"): (
        [("Type", "string"), ("Cluster-IP", "string"), ("External-IP", "string"), ("Port(s)", "string")],
        lambda o: [
            _get(o, "spec", "type") or "ClusterIP",
            _get(o, "spec", "clusterIP") or "<none>",
            _lb(o) or ("<pending>" if _get(o, "spec", "type") == "LoadBalancer" else "<none>"),
            _ports(o),
        ],
    ),
    ("", "PersistentVolumeClaim"): (
        [
            ("Status", "string"),
            ("Volume", "string"),
            ("Capacity", "string"),
            ("Access Modes", "string"),
            ("StorageClass", "string"),
        ],
        lambda o: [
            _get(o, "status", "phase") or "",
            _get(o, "spec", "volumeName") or "",
            _get(o, "status", "capacity", "storage") or "",
            ",".join(
                {
                    "ReadWriteOnce": "RWO",
                    "ReadOnlyMany": "ROX",
                    "ReadWriteMany": "RWX",
                    "ReadWriteOncePod": "RWOP",
                }.get(m, m)
                for m in _get(o, "status", "accessModes") or []
            ),
            _get(o, "spec", "storageClassName") or "",
        ],
    ),
    ("networking.k8s.io", "Ingress"): (
        [("Class", "string"), ("Hosts", "string"), ("Address", "string")],
        lambda o: [
            _get(o, "spec", "ingressClassName") or "<none>",
            ",".join(str(r.get("host", "*")) for r in _get(o, "spec", "rules") or []) or "*",
            _lb(o),
        ],
    ),
    ("", "ConfigMap"): (
        [("Data", "integer")],
        lambda o: [len(o.get("data") or {}) + len(o.get("binaryData") or {})],
    ),
    ("", "Secret"): (
        [("Type", "string"), ("Data", "integer")],
        lambda o: [o.get("type") or "Opaque", len(o.get("data") or {}) + len(o.get("stringData") or {})],
    ),
    ("", "Node"): (
        [("Status", "string"), ("Version", "string")],
        lambda o: [
            "Ready"
            if any(
                c.get("type") == "Ready" and c.get("status") == "True" for c in _get(o, "status", "conditions") or []
            )
            else "NotReady",
            _get(o, "status", "nodeInfo", "kubeletVersion") or "",
        ],
    ),
}


def _json_path(obj: dict, path: str) -> object:
    value: object = obj
    for part in path.strip().lstrip(".").split("."):
        if not part:
            continue
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _crd_columns(kind: Kind) -> tuple[list[tuple[str, str]], Row] | None:
    columns = [c for c in kind.printer_columns if not c.get("priority")]
    if not columns:
        return None
    return (
        [(c.get("name", ""), c.get("type", "string")) for c in columns],
        lambda o: [_json_path(o, c.get("jsonPath", "")) for c in columns],
    )


def table(kind: Kind, objects: list[dict], resource_version: str, now: float) -> dict:
    spec = _COLUMNS.get((kind.group, kind.kind)) or _crd_columns(kind) or ([], lambda o: [])
    extra, cells = spec
    definitions = [
        {
            "name": "Name",
            "type": "string",
            "format": "name",
            "description": "Name must be unique within a namespace.",
            "priority": 0,
        }
    ]
    definitions += [
        {"name": name, "type": typ, "format": "", "description": name, "priority": 0} for name, typ in extra
    ]
    definitions.append(
        {"name": "Age", "type": "string", "format": "", "description": "CreationTimestamp", "priority": 0}
    )
    rows = []
    for obj in objects:
        meta = obj.get("metadata") or {}
        created = meta.get("creationTimestamp")
        age = "<unknown>"
        if isinstance(created, str):
            moment = datetime.datetime.strptime(created, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.UTC)
            age = human_duration(now - moment.timestamp())
        rows.append(
            {
                "cells": [meta.get("name", ""), *cells(obj), age],
                "object": {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": meta},
            }
        )
    return {
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": {"resourceVersion": resource_version},
        "columnDefinitions": definitions,
        "rows": rows,
    }
