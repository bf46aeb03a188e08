"""kube-controller-manager's EndpointSlice controller, for a server that has none: each Service with a selector
gets one EndpointSlice listing the pods it selects (their IP, ready when the pod is Running and Ready), which
kube-apiserver's aggregator needs to judge an `APIService` (`discovery_backend.py`).

A Service that backs an APIService lists the same pods, with readiness from them, but at the stand-in
`DiscoveryBackend`'s address and port: the pods' own IPs are made up, and the aggregator dials what the slice says.

The slices are written with server-side apply, and only when they change; the controllers do not mirror them.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Callable
from typing import Any

from wavecd.kube import KubeClient, KubeError
from wavecd.sim.controllers.engine import Context
from wavecd.sim.controllers.labels import object_labels, selects
from wavecd.sim.controllers.pods import is_ready
from wavecd.sim.registry import Kind

__all__ = ["EndpointSlices", "desired_slice"]

MANAGER = "endpointslice-controller.k8s.io"
SERVICE_NAME_LABEL = "kubernetes.io/service-name"
MANAGED_BY_LABEL = "endpointslice.kubernetes.io/managed-by"

Address = tuple[str, int]


def _target_port(port: dict[str, Any], pods: list[dict[str, Any]]) -> int | None:
    """The port the pods listen on for a Service port: `targetPort` as a number, or a container port's name."""
    target = port.get("targetPort", port.get("port"))
    if isinstance(target, int):
        return target
    for pod in pods:
        for container in (pod.get("spec") or {}).get("containers") or []:
            for declared in container.get("ports") or []:
                if declared.get("name") == target and isinstance(declared.get("containerPort"), int):
                    return int(declared["containerPort"])
    return None


def _endpoint(pod: dict[str, Any], address: str) -> dict[str, Any]:
    meta = pod["metadata"]
    ready = is_ready(pod)
    endpoint: dict[str, Any] = {
        "addresses": [address],
        "conditions": {"ready": ready, "serving": ready, "terminating": bool(meta.get("deletionTimestamp"))},
        "targetRef": {"kind": "Pod", "namespace": meta.get("namespace"), "name": meta["name"], "uid": meta.get("uid")},
    }
    node = (pod.get("spec") or {}).get("nodeName")
    if node:
        endpoint["nodeName"] = node
    return endpoint


def desired_slice(
    service: dict[str, Any], pods: list[dict[str, Any]], backend: Address | None
) -> dict[str, Any] | None:
    """The EndpointSlice of `service` over the namespace's `pods`; at `backend` when it stands in for them.
    None when the Service selects nothing (no selector: its endpoints are someone else's to write)."""
    spec = service.get("spec") or {}
    selector = spec.get("selector")
    if not isinstance(selector, dict) or not selector or spec.get("type") == "ExternalName":
        return None
    selected = sorted(
        (
            pod
            for pod in pods
            if selects({"matchLabels": selector}, object_labels(pod)) and (pod.get("status") or {}).get("podIP")
        ),
        key=lambda pod: str(pod["metadata"]["name"]),
    )
    endpoints = [_endpoint(pod, backend[0] if backend else pod["status"]["podIP"]) for pod in selected]
    ports = []
    for port in spec.get("ports") or []:
        number = backend[1] if backend else _target_port(port, selected)
        if number is not None:
            ports.append({"name": port.get("name", ""), "port": number, "protocol": port.get("protocol", "TCP")})
    meta = service["metadata"]
    family = "IPv6" if endpoints and ipaddress.ip_address(endpoints[0]["addresses"][0]).version == 6 else "IPv4"
    return {
        "apiVersion": "discovery.k8s.io/v1",
        "kind": "EndpointSlice",
        "metadata": {
            "name": meta["name"],
            "namespace": meta.get("namespace"),
            "labels": {SERVICE_NAME_LABEL: meta["name"], MANAGED_BY_LABEL: MANAGER},
            "ownerReferences": [
                {
                    "apiVersion": "v1",
                    "kind": "Service",
                    "name": meta["name"],
                    "uid": meta.get("uid"),
                    "controller": True,
                    "blockOwnerDeletion": True,
                }
            ],
        },
        "addressType": family,
        "endpoints": endpoints,
        "ports": ports,
    }


class EndpointSlices:
    """The controller: `sync` after a Service is reconciled (and again when its namespace's pods change),
    `forget` when it is deleted. `backend_for(namespace, name)` is the stand-in's address for a Service that
    backs an APIService, else None."""

    def __init__(
        self, client: KubeClient, backend_for: Callable[[str, str], Address | None], log: Callable[[str], None]
    ) -> None:
        self._client = client
        self._backend_for = backend_for
        self._log = log
        self._written: dict[tuple[str, str], str] = {}

    def sync(self, ctx: Context, service: dict[str, Any]) -> None:
        meta = service["metadata"]
        namespace, name = str(meta.get("namespace") or ""), str(meta["name"])
        if meta.get("deletionTimestamp"):
            return
        pods, _ = ctx.api.list(ctx.core("pods"), namespace)
        body = desired_slice(service, pods, self._backend_for(namespace, name))
        key = (namespace, name)
        if body is None:
            if self._written.pop(key, None) is not None:
                self._delete(namespace, name)
            return
        text = json.dumps(body, sort_keys=True)
        if self._written.get(key) == text:
            return
        try:
            self._client.apply(body, field_manager=MANAGER, force=True)
        except KubeError as err:
            self._written.pop(key, None)  # tried again when the Service is next reconciled
            self._log(f"apply EndpointSlice {namespace}/{name} refused: {err.message}")
            return
        self._written[key] = text

    def forget(self, ctx: Context, kind: Kind, deleted: dict[str, Any]) -> None:
        """A deleted Service's slice goes with it (the garbage collector's part, for an object not mirrored)."""
        if (kind.group, kind.kind) != ("", "Service"):
            return
        meta = deleted.get("metadata") or {}
        namespace, name = str(meta.get("namespace") or ""), str(meta.get("name") or "")
        if self._written.pop((namespace, name), None) is not None:
            self._delete(namespace, name)

    def _delete(self, namespace: str, name: str) -> None:
        try:
            self._client.delete("discovery.k8s.io/v1", "EndpointSlice", name, namespace)
        except KubeError as err:
            if err.code != 404:
                self._log(f"delete EndpointSlice {namespace}/{name} refused: {err.message}")
