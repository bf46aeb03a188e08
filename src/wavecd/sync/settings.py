"""What a sync is told (settings, the cluster facts a render needs, how to render) and what it returns."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# Argo CD's `delayBetweenSyncWaves` default (controller/sync.go): controllers get time to write `status`.
WAVE_DELAY_SECONDS = 2.0
POLL_SECONDS = 1.0

EXIT_HEALTHY = 0
EXIT_FAILED = 1
EXIT_TIMED_OUT = 3
EXIT_INTERRUPTED = 130


@dataclass(frozen=True)
class SyncSettings:
    """`prune` is `--prune`; an app whose `automated.prune` is true is pruned without it. `timeout` is in
    seconds of the sync's clock (None: no limit)."""

    dry_run: bool = False
    prune: bool = False
    timeout: float | None = None
    wave_delay: float = WAVE_DELAY_SECONDS
    poll_interval: float = POLL_SECONDS
    # The health gate's first wait after an apply, doubled on each read up to `poll_interval`. The
    # controller reads sooner: a rollout the cluster finishes at once then passes in tens of milliseconds.
    first_poll: float = POLL_SECONDS / 4
    parallel_apps: int = 8
    record_applications: bool = True  # write Application/ApplicationSet objects and their status
    # Retry a failed app within the run, as `syncPolicy.retry` says (the CLI). The controller retries whole
    # operations instead, recorded on the Application so that a restart keeps the count.
    retry_apps: bool = True
    # Write each app's `operationState`, sync status, revision and health when its sync ends (the CLI).
    # Under the controller the engine writes none of them: operations are the controller's own records, and
    # `status.sync` and `status.health` are its reconcile's alone (one writer, as in Argo CD).
    record_operations: bool = True
    # An app whose `automated.prune` is true is pruned without `prune` (the CLI's rollout). The controller
    # prunes exactly as each operation says: auto-sync's operations carry `automated.prune` themselves.
    prune_from_policy: bool = True
    # Health gates read their objects from one watch per kind (`sync/watches.py`) rather than a GET per
    # object and poll. The controller turns it off: a watch of a whole kind for one app's operation would
    # cost more than the reads it saves.
    watch_health: bool = True


@dataclass(frozen=True)
class ClusterFacts:
    """What a chart may ask the cluster at render time: `.Capabilities.KubeVersion` and `.APIVersions`."""

    kube_version: str
    api_versions: tuple[str, ...]


# Render one app (by name) as Argo CD would at the moment its wave starts: with the cluster's version and
# discovery. Returns the app's normalised manifests; raises a WavecdError saying where rendering failed.
Renderer = Callable[[str, ClusterFacts], list[dict[str, Any]]]


@dataclass(frozen=True)
class AppResult:
    """How one app's sync ended: `sync` is Synced, OutOfSync or Failed; `blocking` names what held it."""

    app: str
    wave: int | None
    health: str
    sync: str
    message: str = ""
    blocking: dict[str, str] | None = None


@dataclass(frozen=True)
class SyncResult:
    health: str
    phase: str  # Succeeded, Failed, TimedOut, Interrupted
    exit_code: int
    message: str = ""
    apps: dict[str, AppResult] = field(default_factory=dict)
    stopped_at: int | None = None
    blocking: dict[str, str] | None = None
