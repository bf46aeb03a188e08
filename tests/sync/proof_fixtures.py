"""What the sync proofs on the sim share: a `wavecd sim serve` subprocess (tests/support/sim_server.py), an
in-process sync over a kubeconfig; the `wavecd sync` CLI as a subprocess and the kubectl looks are in
tests/support/sync_proofs.py, shared with the proofs on a real apiserver.

The proofs look at the cluster the way a user would (kubectl, the JSON event stream, exit statuses), so these
helpers go through the same doors: files on disk, subprocesses, HTTP.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from support.sim_server import SimServer
from wavecd.apps.session import TreeRequest, open_session
from wavecd.core import RealClock
from wavecd.kube import KubeClient
from wavecd.plan import plan_tree
from wavecd.sync.settings import ClusterFacts, SyncResult, SyncSettings
from wavecd.sync.tree_sync import sync_tree

# Simulated seconds per real second for the sim server and the in-process syncs that talk to it.
SPEED = 50.0


def sim_server(folder: Path) -> SimServer:
    """`wavecd sim serve --state FILE` at SPEED, a cluster a test may kill and start again from the same file."""
    return SimServer(folder, speed=SPEED, state=folder / "sim.db")


def sync_in_process(root: Path, kubeconfig: Path, *, speed: float = SPEED) -> tuple[SyncResult, list[dict[str, Any]]]:
    """What `wavecd sync ROOT --kubeconfig K` does, with the sync's clock as fast as the sim server's.

    The CLI's clock runs at real speed against a kubeconfig, so its 2 s between waves and 1 s polls would cost
    a test minutes; the engine, the renders and the HTTP requests are the same."""
    session = open_session(TreeRequest(root=root))
    plan = plan_tree(session.tree)

    def render(name: str, facts: ClusterFacts) -> list[dict[str, Any]]:
        return session.render_at(name, facts.kube_version, facts.api_versions)

    events: list[dict[str, Any]] = []
    with KubeClient.from_kubeconfig(str(kubeconfig)) as client:
        result = sync_tree(
            plan,
            client,
            render,
            settings=SyncSettings(),
            clock=RealClock(speed),
            emit=lambda event: events.append(event.to_json()),
        )
    return result, events


def events_named(events: list[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    return [e for e in events if e["event"] == name]
