"""A harness that syncs the tiny repositories of tests/support/gitops.py into an in-process simulated cluster,
as `wavecd sync ROOT` would, on a manual clock that the sync's own sleeps move (`SimTime`, tests/support/sim.py):
a rollout that waits 30 s of cluster time finishes in milliseconds, and the same way on every run.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from support.sim import SimTime
from wavecd.apps.session import TreeRequest, open_tree
from wavecd.core import Event, ManualClock
from wavecd.kube import KubeClient
from wavecd.plan import ResourceSelector, plan_tree
from wavecd.sim.cluster import SimCluster
from wavecd.sync import SyncResult, SyncSettings, sync_tree

# One second between polls and between waves (Argo CD waits 2 s between waves): the clock is simulated, so
# only the number of requests, not the seconds, costs test time.
FAST = SyncSettings(wave_delay=1.0, poll_interval=1.0)


def settings(**changes: Any) -> SyncSettings:
    """FAST with `changes` (prune, dry_run, timeout, ...)."""
    return dataclasses.replace(FAST, **changes)


# -- running a sync ---------------------------------------------------------------------------------------------
@dataclass
class Run:
    """What a user sees of one sync: every event (as its JSON), and the result."""

    result: SyncResult
    events: list[dict[str, Any]] = field(default_factory=list)

    def of(self, name: str, **match: Any) -> list[dict[str, Any]]:
        """The events called `name` whose fields equal `match`."""
        return [e for e in self.events if e["event"] == name and all(e.get(k) == v for k, v in match.items())]

    def applied(self, app: str | None = None) -> list[tuple[str, str]]:
        """(kind, name) of each `applied` event, in order."""
        return [(e["kind"], e["resource"]) for e in self.of("applied") if app is None or e["app"] == app]


SNAPSHOT_KINDS = (
    ("v1", "Namespace"),
    ("v1", "ConfigMap"),
    ("apps/v1", "Deployment"),
    ("batch/v1", "Job"),
    ("apiextensions.k8s.io/v1", "CustomResourceDefinition"),
    ("argoproj.io/v1alpha1", "Application"),
)


class Cluster:
    """A running sim on a manual clock, a client for the test's own reads, and `sync(repo)`."""

    def __init__(self, sim: SimCluster):
        self.sim = sim
        self.time = SimTime(sim)
        self.kube = KubeClient.for_server(sim.url)

    def clock_now(self) -> float:
        return self.time.now()

    def get(self, api_version: str, kind: str, name: str, namespace: str | None = None) -> dict[str, Any] | None:
        return self.kube.get(api_version, kind, name, namespace)

    def exists(self, api_version: str, kind: str, name: str, namespace: str | None = None) -> bool:
        return self.get(api_version, kind, name, namespace) is not None

    def versions(self) -> dict[str, str]:
        """`kind namespace/name` → resourceVersion of every object of the kinds these tests deploy."""
        out = {}
        for api_version, kind in SNAPSHOT_KINDS:
            for obj in self.kube.list(api_version, kind):
                meta = obj["metadata"]
                out[f"{kind} {meta.get('namespace', '')}/{meta['name']}"] = meta["resourceVersion"]
        return out

    def sync(
        self,
        repo: Path,
        settings: SyncSettings = FAST,
        on_event: Callable[[dict[str, Any]], None] | None = None,
        cancel: threading.Event | None = None,
        only: set[str] | None = None,
        resources: dict[str, list[ResourceSelector]] | None = None,
    ) -> Run:
        """Open the tree as `wavecd sync` would, plan it and sync it; `on_event` sees each event as it happens."""
        _, tree = open_tree(TreeRequest(root=repo, use_cache=False))
        plan = plan_tree(tree)
        events: list[dict[str, Any]] = []

        def emit(event: Event) -> None:
            data = event.to_json()
            events.append(data)
            if on_event is not None:
                on_event(data)

        with KubeClient.for_server(self.sim.url) as client:
            result = sync_tree(
                plan,
                client,
                lambda name, _facts: tree.node(name).manifests,
                settings=settings,
                clock=self.time,
                emit=emit,
                cancel=cancel,
                only=only,
                resources=resources,
            )
        return Run(result, events)

    def close(self) -> None:
        self.kube.close()


def start_cluster() -> tuple[SimCluster, Cluster]:
    sim = SimCluster(clock=ManualClock()).start()
    return sim, Cluster(sim)
