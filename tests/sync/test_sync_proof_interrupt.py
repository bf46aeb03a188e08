"""Proof: an interrupted sync loses nothing. `wavecd sync` is stopped during a wave (SIGINT, or SIGKILL of the sync
and of the `wavecd sim serve --state` server under it); the next sync ends Healthy, every object of the waves that
had finished keeps its resourceVersion, and nothing exists twice.

The interrupted sync is the real CLI over a kubeconfig. The second one runs the same engine in-process with a
clock as fast as the sim server's: the CLI's clock runs at real speed against a kubeconfig, which would make
each of these tests take minutes (see `sync_in_process` in support/sync_proofs.py). The checks are in
support/interrupt_proof.py, shared with the proof on a real apiserver.
"""

from __future__ import annotations

import signal

import pytest
from proof_fixtures import sim_server

from support.interrupt_proof import INTERRUPTED_WAVE, first_applied_in, resync_and_check
from support.paths import STAGING
from support.sync_proofs import CliSync, events_named
from wavecd.sync.settings import EXIT_INTERRUPTED

pytestmark = pytest.mark.slow


@pytest.fixture
def server(tmp_path):
    sim = sim_server(tmp_path).start()
    try:
        yield sim
    finally:
        sim.stop()


def test_sigint_during_a_wave_then_the_next_sync_ends_healthy(server):
    sync = CliSync(STAGING, server.kubeconfig)
    sync.read_until(first_applied_in(INTERRUPTED_WAVE))
    sync.process.send_signal(signal.SIGINT)
    assert sync.finish(timeout=60) == EXIT_INTERRUPTED, sync.stderr
    summary = sync.events[-1]
    assert summary["event"] == "summary"
    assert (summary["phase"], summary["exit_code"]) == ("Interrupted", EXIT_INTERRUPTED)
    assert summary["apps"].get("NotStarted", 0) > 0
    resync_and_check(server.kubeconfig, sync.events)


@pytest.mark.parametrize("kill_server", [False, True], ids=["sync", "sync-and-sim-server"])
def test_sigkill_during_a_wave_then_the_next_sync_ends_healthy(server, kill_server):
    """SIGKILL leaves no summary and no chance to clean up; with the server killed too, the next sync meets a
    restarted server (new port, new kubeconfig) holding what its --state file had."""
    sync = CliSync(STAGING, server.kubeconfig)
    sync.read_until(first_applied_in(INTERRUPTED_WAVE))
    sync.kill()
    if kill_server:
        server.kill()
        server.start()
    assert not events_named(sync.events, "summary")
    resync_and_check(server.kubeconfig, sync.events)
