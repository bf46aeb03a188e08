"""`wavecd sim controllers` writes fake nodes and statuses: it never drives a server nobody named."""

from __future__ import annotations

import subprocess

from support.paths import wavecd_command


def test_without_kubeconfig_or_context_it_refuses_and_touches_nothing(sim, kubeconfig, tmp_path):
    """KUBECONFIG points at a live server (the sim); with no flag, nothing may be written there."""
    nodes_before = sorted(
        n["metadata"]["name"] for n in sim.api.list(sim.registry.by_plural("", "v1", "nodes"), None)[0]
    )
    done = subprocess.run(
        wavecd_command("sim", "controllers"),
        capture_output=True,
        text=True,
        timeout=60,
        env={"KUBECONFIG": str(kubeconfig), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    assert done.returncode == 2, done.stderr
    assert "name it with --kubeconfig (and --context)" in done.stderr
    nodes = sorted(n["metadata"]["name"] for n in sim.api.list(sim.registry.by_plural("", "v1", "nodes"), None)[0])
    assert nodes == nodes_before
