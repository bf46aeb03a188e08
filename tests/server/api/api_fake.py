"""A fake controller behind the API: the routes tested apart from the reconcile loop, through the
`ControllerView` protocol the real controller implements."""

from __future__ import annotations

import base64
import json
import threading
from dataclasses import dataclass, field, replace

from wavecd.server.errors import FailedPrecondition, NotFound
from wavecd.server.view import (
    AppEntry,
    ApplicationEvent,
    ManagedResource,
    ResourceNode,
    ResourceRef,
    SyncRequest,
)

CREATED = "2026-12-07T10:00:00Z"
WEBHOOK_MAX_BYTES = 1000  # the cap the client fixture gives the webhook route
# The Secret's values: no response may carry them, raw or base64.
SECRET_VALUES = ("s3cr3t-password", "hunter2-live", "applied-once-token")


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def application(name: str, project: str = "default") -> dict:
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": {"name": name, "namespace": "argocd"},
        "spec": {"project": project, "destination": {"namespace": name}},
        "status": {"sync": {"status": "Synced"}, "health": {"status": "Healthy"}},
    }


def secret_pair() -> tuple[dict, dict]:
    meta = {"name": "db", "namespace": "web"}
    target = {"apiVersion": "v1", "kind": "Secret", "metadata": meta, "stringData": {"password": SECRET_VALUES[0]}}
    applied = {"apiVersion": "v1", "kind": "Secret", "metadata": meta, "data": {"token": b64(SECRET_VALUES[2])}}
    live = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {**meta, "annotations": {"kubectl.kubernetes.io/last-applied-configuration": json.dumps(applied)}},
        "data": {"password": b64(SECRET_VALUES[1]), "token": b64(SECRET_VALUES[2])},
    }
    return target, live


@dataclass
class FakeView:
    """Two apps, `root` and its child `web` (in the `team` project); `web` manages a Secret and a
    Deployment, and holds a running operation. Calls are recorded."""

    entries: dict[str, AppEntry] = field(default_factory=dict)
    calls: list[tuple] = field(default_factory=list)
    events: list[ApplicationEvent] = field(default_factory=list)
    hold_watch_open: bool = False
    watch_stopped: threading.Event = field(default_factory=threading.Event)
    operation_running: bool = True

    def __post_init__(self) -> None:
        self.entries = {
            "web": AppEntry("web", "argocd", application("web", "team"), "root", 2, None),
            "root": AppEntry("root", "argocd", application("root"), None, None, None),
        }

    def _get(self, name: str) -> AppEntry:
        if name not in self.entries:
            raise NotFound(f'applications.argoproj.io "{name}" not found')
        return self.entries[name]

    def applications(self, read=None):
        self.calls.append(("applications",))
        entries = [self.entries[n] for n in sorted(self.entries)]
        return entries if read is None else [replace(e, application=read(e.application)) for e in entries]

    def application(self, name):
        self.calls.append(("application", name))
        return self._get(name)

    def refresh(self, name, *, hard, timeout):
        self.calls.append(("refresh", name, hard))
        return self._get(name)

    def resource_tree(self, name):
        self.calls.append(("resource_tree", name))
        self._get(name)
        deployment = ResourceRef("apps", "Deployment", "web", "web")
        return [
            ResourceNode(
                "apps", "v1", "Deployment", "web", "web", "u1", "10", (), "Healthy", "", "2026-12-07T10:00:00Z"
            ),
            ResourceNode("apps", "v1", "ReplicaSet", "web", "web-5d", "u2", "11", (deployment,), "Progressing", "1/2"),
            ResourceNode("", "v1", "Secret", "web", "db", "u3", "12"),
        ]

    def managed_resources(self, name):
        self.calls.append(("managed_resources", name))
        self._get(name)
        target, live = secret_pair()
        deployment = {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "web"},
            "spec": {"replicas": 2},
        }
        hook = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "migrate"}}
        return [
            ManagedResource("", "v1", "Secret", "web", "db", target, live, "OutOfSync"),
            ManagedResource("apps", "v1", "Deployment", "web", "web", deployment, None, "OutOfSync", "Missing"),
            ManagedResource("batch", "v1", "Job", "web", "migrate", hook, hook, "Synced", hook=True),
        ]

    def object_events(self, namespace, name, uid):
        self.calls.append(("object_events", namespace, name, uid))
        return [
            {
                "apiVersion": "v1",
                "kind": "Event",
                "metadata": {"name": f"{name}.17a", "namespace": namespace},
                "involvedObject": {"name": name, "namespace": namespace, "uid": uid},
                "reason": "ScalingReplicaSet",
                "message": f"Scaled up replica set {name}-5d from 0 to 2",
                "type": "Normal",
            }
        ]

    def sync(self, name, request: SyncRequest):
        self.calls.append(("sync", name, request))
        entry = self._get(name)
        operation = {"sync": {"revision": request.revision, "prune": request.prune}}
        return replace(entry, application={**entry.application, "operation": operation})

    def rollback(self, name, history_id, *, dry_run, prune, username):
        self.calls.append(("rollback", name, history_id, dry_run, prune, username))
        entry = self._get(name)
        if name == "root":
            raise FailedPrecondition("rollback cannot be initiated when auto-sync is enabled")
        return entry

    def terminate(self, name):
        self.calls.append(("terminate", name))
        self._get(name)
        if not self.operation_running:
            raise FailedPrecondition("Unable to terminate operation. No operation is in progress")

    def watch(self, stop, *, replay=True):
        self.calls.append(("watch", replay))
        yield from self.events
        if self.hold_watch_open:
            stop.wait(30)
        self.watch_stopped.set()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
