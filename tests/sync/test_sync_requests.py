"""What a sync asks the API server, as the server's request log shows it: the pre-flight dry run and the
apply of each object, and no read of it before its apply (docs/sync.md, "Requests per object")."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from support.paths import STAGING
from support.sim import SimTime
from wavecd.apps.session import TreeRequest, open_session
from wavecd.core import ManualClock
from wavecd.kube import KubeClient
from wavecd.plan import plan_tree
from wavecd.sim.cluster import SimCluster
from wavecd.sync.settings import ClusterFacts, SyncSettings
from wavecd.sync.tree_sync import sync_tree


def _object_of(path: str) -> tuple[str, str, str] | None:
    """(namespace, plural, name) of a request addressed to one object (its status too); None for a
    collection (a list, a watch, a create) or discovery."""
    parts = path.split("?")[0].strip("/").split("/")
    parts = parts[2:] if parts[0] == "api" else parts[3:] if parts[0] == "apis" else []
    if parts and parts[-1] == "status":
        parts = parts[:-1]
    if len(parts) == 4 and parts[0] == "namespaces":
        return parts[1], parts[2], parts[3]
    if len(parts) == 2:
        return "", parts[0], parts[1]
    return None


def _sync_staging() -> tuple[list[Any], int]:
    """The staging example synced into a fresh sim; (its request log, the objects applied)."""
    session = open_session(TreeRequest(root=STAGING))
    plan = plan_tree(session.tree)
    applied = 0

    def emit(event: Any) -> None:
        nonlocal applied
        applied += event.to_json()["event"] == "applied"

    def render(name: str, facts: ClusterFacts) -> list[dict[str, Any]]:
        return session.render_at(name, facts.kube_version, facts.api_versions)

    with SimCluster(clock=ManualClock()) as sim, KubeClient.for_server(sim.url) as client:
        result = sync_tree(plan, client, render, settings=SyncSettings(), clock=SimTime(sim), emit=emit)
        assert result.exit_code == 0, result.message
        return list(sim.requests), applied


@pytest.mark.slow
def test_a_sync_of_staging_sends_about_two_requests_per_object_and_reads_none_before_its_apply():
    requests, applied = _sync_staging()

    per_object: Counter[tuple[str, str, str]] = Counter()
    read_before_write = []
    written: set[tuple[str, str, str]] = set()
    for request in requests:
        target = _object_of(request.path)
        if target is None:
            continue
        per_object[target] += 1
        if request.method == "GET" and target not in written:
            read_before_write.append(request.path)
        if request.method in ("PATCH", "PUT", "POST", "DELETE"):
            written.add(target)
    # Nothing is read to tell created from configured: each object's first request is its dry run.
    assert read_before_write == []
    # Its dry run and its apply: most objects get exactly these two. More go to the CRDs (read until
    # Established), to the apps synced again once later waves served their kinds (a `resync`), and to an
    # object a gate waited on while its watch lagged.
    counts = sorted(per_object.values())
    assert counts[len(counts) // 2] == 2, per_object.most_common(10)
    assert sum(counts) <= 3 * applied, (sum(counts), applied)  # before this change: over 4
