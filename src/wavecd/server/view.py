"""What the HTTP API asks of the controller: one protocol, so the routes and the reconcile loop are built
and tested apart, and the API never reaches into the controller's state.

Every object handed out is a fresh copy the caller may keep. Secret values are NOT masked here: masking is
the API's last step before a body leaves the process (`wavecd.diff.secrets`), so that no route can forget it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

__all__ = [
    "AppEntry",
    "AppRead",
    "ApplicationEvent",
    "ControllerView",
    "ManagedResource",
    "ResourceNode",
    "ResourceRef",
    "SyncRequest",
]


@dataclass(frozen=True)
class AppEntry:
    """One Application of the tree: the object as the cluster holds it (spec and status; the desired object
    when it is not recorded yet) and where it sits in the tree (wavecd's addition to Argo CD's shape)."""

    name: str
    namespace: str
    application: dict[str, Any]
    parent: str | None
    wave: int | None
    generated_by: str | None  # the ApplicationSet that generated it


# What a caller makes of an Application object instead of copying it all (the API's list cut down to a few
# fields): it must neither keep nor change the object it is given, and returns a new one.
AppRead = Callable[[dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class ResourceRef:
    group: str
    kind: str
    name: str
    namespace: str = ""


@dataclass(frozen=True)
class ResourceNode:
    """One node of an app's resource tree, in Argo CD's `ResourceNode` terms: the managed objects and what
    they own (Deployment → ReplicaSet → Pod), each pointing at its owners."""

    group: str
    version: str
    kind: str
    namespace: str
    name: str
    uid: str
    resource_version: str
    parent_refs: tuple[ResourceRef, ...] = ()
    health: str | None = None
    health_message: str = ""
    created_at: str = ""


@dataclass(frozen=True)
class ManagedResource:
    """One object the app manages: what the repository wants and what the cluster has (None when absent).
    Both unmasked; the API masks them."""

    group: str
    version: str
    kind: str
    namespace: str
    name: str
    target: dict[str, Any] | None
    live: dict[str, Any] | None
    status: str  # Synced | OutOfSync
    health: str | None = None
    hook: bool = False


@dataclass(frozen=True)
class SyncRequest:
    """`POST /api/v1/applications/{name}/sync`, already checked field by field."""

    revision: str = ""
    prune: bool = False
    dry_run: bool = False
    resources: tuple[ResourceRef, ...] = ()
    sync_options: tuple[str, ...] = ()
    retry: dict[str, Any] | None = None
    username: str = ""


@dataclass(frozen=True)
class ApplicationEvent:
    """A change for the stream: `type` is ADDED, MODIFIED or DELETED, as Argo CD's watch sends them."""

    type: str
    application: dict[str, Any] = field(default_factory=dict)


class ControllerView(Protocol):
    """The controller as the API sees it. Raises `wavecd.server.errors.ApiError`s (NotFound for an unknown
    app, FailedPrecondition for a request Argo CD refuses in that state)."""

    def applications(self, read: AppRead | None = None) -> Sequence[AppEntry]:
        """Every Application of the tree, sorted by name; each object a copy, or what `read` makes of it."""
        ...

    def application(self, name: str) -> AppEntry: ...

    def refresh(self, name: str, *, hard: bool, timeout: float) -> AppEntry:
        """Reconcile the app now (hard: bypass the render cache) and return it once reconciled, or as it is
        when `timeout` seconds pass."""
        ...

    def resource_tree(self, name: str) -> Sequence[ResourceNode]: ...

    def managed_resources(self, name: str) -> Sequence[ManagedResource]: ...

    def object_events(self, namespace: str, name: str, uid: str) -> Sequence[dict[str, Any]]:
        """The cluster's core/v1 Events about one object (its namespace, name and uid), as the API lists them."""
        ...

    def sync(self, name: str, request: SyncRequest) -> AppEntry:
        """Record a sync operation on the Application (it runs in the controller) and return the app with it."""
        ...

    def rollback(self, name: str, history_id: int, *, dry_run: bool, prune: bool, username: str) -> AppEntry: ...

    def terminate(self, name: str) -> None: ...

    def watch(self, stop: threading.Event, *, replay: bool = True) -> Iterator[ApplicationEvent]:
        """Every app as ADDED (unless not `replay`: a client that has just listed them), then changes as they
        happen, until `stop` is set; yields nothing for a while rather than blocking forever, so the caller
        can send keep-alives."""
        ...
