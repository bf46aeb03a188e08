"""Proof: the staging sync runs through a kubeconfig against a `wavecd sim serve --state FILE` subprocess, as it
would against a real cluster: `wavecd sync examples/staging --kubeconfig K -o json` exits 0, its summary says
Healthy, and real kubectl then finds every Deployment available.

Against a kubeconfig the CLI's clock runs at real speed; the sim server runs 50 times faster, and Argo CD's
`ARGOCD_SYNC_WAVE_DELAY=0` (which wavecd honours) drops the 2 s pauses between waves, so it takes ~10 s.
"""

from __future__ import annotations

import pytest
from proof_fixtures import sim_server

from support.paths import STAGING, needs_kubectl
from support.sync_proofs import CliSync, events_named, kubectl_items

pytestmark = [needs_kubectl, pytest.mark.slow]


def test_staging_syncs_healthy_over_a_kubeconfig(tmp_path):
    server = sim_server(tmp_path).start()
    try:
        sync = CliSync(STAGING, server.kubeconfig, wave_delay=0)
        assert sync.finish(timeout=600) == 0, sync.stderr
        deployments = kubectl_items(server.kubeconfig, "deployments", "-A")
    finally:
        server.stop()
    summary = sync.events[-1]
    assert summary["event"] == "summary"
    assert (summary["phase"], summary["health"], summary["exit_code"]) == ("Succeeded", "Healthy", 0)
    assert summary["apps"] == {"Healthy": 46}
    plan = events_named(sync.events, "plan")[0]
    assert plan["server"].startswith("http://127.0.0.1:")
    assert len(deployments) > 20
    for deploy in deployments:
        assert deploy["status"].get("availableReplicas") == deploy["spec"]["replicas"], deploy["metadata"]["name"]
