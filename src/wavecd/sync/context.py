"""What every part of one sync shares: the cluster, the clock, the settings, the event stream, and the two
ways a sync is stopped from outside (a deadline on the clock, a cancel flag)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from wavecd.common import OperationPhase
from wavecd.core import Clock, Emit, Event
from wavecd.kube import KubeClient
from wavecd.sync.inventory import Tracked
from wavecd.sync.provisioning import NodeClaims
from wavecd.sync.settings import SyncSettings
from wavecd.sync.watches import KindWatches

# The kinds whose objects change what the API serves.
SERVES_KINDS = frozenset(
    {("apiextensions.k8s.io", "CustomResourceDefinition"), ("apiregistration.k8s.io", "APIService")}
)


class SyncStopped(Exception):
    """Raised at a safe point when the sync must stop: `reason` is TimedOut or Interrupted."""

    def __init__(self, reason: OperationPhase):
        super().__init__(reason)
        self.reason = reason


@dataclass
class SyncContext:
    client: KubeClient
    clock: Clock
    settings: SyncSettings
    emit_to: Emit
    cancel: threading.Event = field(default_factory=threading.Event)
    started: float = 0.0
    # `group/Kind` of every CRD the tree plans: in a dry run nothing is created, so their custom resources
    # cannot be checked by the server yet and are reported as skipped instead of failing.
    planned_crd_kinds: frozenset[str] = frozenset()
    # Namespaces the tree creates: in a dry run they do not exist yet, so objects in them are skipped too.
    planned_namespaces: frozenset[str] = frozenset()
    # app instance -> the live objects it tracks (prune candidates; set by the tree when the rollout begins)
    inventory: Tracked = field(default=lambda _instance: [])  # a sync of no tree tracks nothing
    # app -> what its gate waits on now (the last `waiting` event's blockers), to say what a timeout hit
    waiting: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    # app -> how many objects a dry run found it would create or change
    would_change: dict[str, int] = field(default_factory=dict)
    # one watch per kind the health gates wait on (None: they read each object with a GET)
    watches: KindWatches | None = None
    # the NodeClaims reported while gates wait for capacity
    node_claims: NodeClaims = field(default_factory=NodeClaims)
    # Whether what the API serves may have changed since the rollout last read discovery: true until the
    # first reading, then set again by each CRD or APIService applied or deleted.
    discovery_stale: bool = True
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.started = self.clock.now()

    @property
    def dry_run(self) -> bool:
        return self.settings.dry_run

    def elapsed(self) -> float:
        return round(self.clock.now() - self.started, 3)

    def emit(self, event: Event) -> None:
        """Events from apps syncing in parallel reach the listener one at a time."""
        with self._lock:
            self.emit_to(event)

    def note_change(self, app: str) -> None:
        with self._lock:
            self.would_change[app] = self.would_change.get(app, 0) + 1

    def note_served_kinds(self, group: str, kind: str) -> None:
        """An object of this kind was applied or deleted: if it adds or removes kinds the API serves, the
        rollout reads discovery again before its next wave renders."""
        if (group, kind) in SERVES_KINDS:
            self.discovery_stale = True

    def checkpoint(self) -> None:
        """Stop here if the sync was cancelled or its time is up."""
        if self.cancel.is_set():
            raise SyncStopped(OperationPhase.INTERRUPTED)
        timeout = self.settings.timeout
        if timeout is not None and self.clock.now() - self.started >= timeout:
            raise SyncStopped(OperationPhase.TIMED_OUT)

    def sleep(self, seconds: float) -> None:
        """Wait on the clock, never past the deadline, checking for a stop before and after."""
        self.checkpoint()
        timeout = self.settings.timeout
        if timeout is not None:
            seconds = min(seconds, max(0.0, self.started + timeout - self.clock.now()))
        if seconds > 0:
            self.clock.sleep(seconds)
        self.checkpoint()
