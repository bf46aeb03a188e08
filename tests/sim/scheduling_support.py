"""Helpers of the scheduling and Karpenter tests: objects applied as a user applies them, pods as a user lists
them."""

from __future__ import annotations

import json

APPLY = {"Content-Type": "application/apply-patch+yaml"}


def apply(client, path, obj):
    response = client.patch(f"{path}?fieldManager=test", content=json.dumps(obj), headers=APPLY)
    assert response.status_code in (200, 201), response.text
    return response.json()


def add_node(client, name, *, labels=None, taints=None, cpu="4", memory="16Gi", pods="58", unschedulable=False):
    """A Node as a user adds one with kubectl: its spec, then its status (allocatable) as the kubelet reports it."""
    spec = {}
    if taints:
        spec["taints"] = taints
    if unschedulable:
        spec["unschedulable"] = True
    node = {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": name, "labels": {"kubernetes.io/hostname": name, **(labels or {})}},
        "spec": spec,
    }
    apply(client, f"/api/v1/nodes/{name}", node)
    status = {"allocatable": {"cpu": cpu, "memory": memory, "pods": pods}, "capacity": {"cpu": cpu}}
    response = client.patch(
        f"/api/v1/nodes/{name}/status",
        content=json.dumps({"status": status}),
        headers={"Content-Type": "application/merge-patch+json"},
    )
    assert response.status_code == 200, response.text


def cordon_default(client):
    response = client.patch(
        "/api/v1/nodes/sim-node-1",
        content=json.dumps({"spec": {"unschedulable": True}}),
        headers={"Content-Type": "application/merge-patch+json"},
    )
    assert response.status_code == 200


def deployment(name, replicas=1, cpu=None, **pod_spec):
    container = {"name": "c", "image": "nginx:1.25"}
    if cpu:
        container["resources"] = {"requests": {"cpu": cpu, "memory": "256Mi"}}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": "app"},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": [container], **pod_spec},
            },
        },
    }


def deploy(client, body):
    return apply(client, f"/apis/apps/v1/namespaces/app/deployments/{body['metadata']['name']}", body)


def pods(client, app):
    items = client.get(f"/api/v1/namespaces/app/pods?labelSelector=app%3D{app}").json()["items"]
    return sorted(items, key=lambda p: (p["spec"].get("nodeName") or "~", p["metadata"]["name"]))


def scheduled(pod):
    return next(c for c in pod["status"]["conditions"] if c["type"] == "PodScheduled")


def events(client, reason):
    items = client.get("/api/v1/namespaces/app/events").json()["items"]
    return [e for e in items if e["reason"] == reason]


def bound_pod(client, name, node, *, namespace="app", labels=None):
    """A pod a user created already bound to `node` (as the scheduler would have left it)."""
    body = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": namespace, "labels": labels or {"app": name}},
        "spec": {"nodeName": node, "containers": [{"name": "c", "image": "busybox"}]},
    }
    return apply(client, f"/api/v1/namespaces/{namespace}/pods/{name}", body)
