"""The sync issue's interruption proof (tests/sync/test_sync_proof_interrupt.py) on a real kube-apiserver driven
by the sim's controllers (fixture `driven`, an apiserver of this module's own): `wavecd sync` of the staging
example stopped by SIGINT during wave -8 reports itself Interrupted, and the next sync ends Healthy with the
finished waves' objects untouched and nothing twice (the checks of support/interrupt_proof.py)."""

from __future__ import annotations

import signal

import pytest

from support.driven_apiserver import needs_host_address
from support.interrupt_proof import INTERRUPTED_WAVE, first_applied_in, resync_and_check
from support.paths import STAGING
from support.sync_proofs import CliSync
from wavecd.sync.settings import EXIT_INTERRUPTED

pytestmark = [pytest.mark.real_apiserver, pytest.mark.slow, needs_host_address]


def test_sigint_during_a_wave_then_the_next_sync_ends_healthy(driven):
    server, _log = driven
    sync = CliSync(STAGING, server.kubeconfig)
    sync.read_until(first_applied_in(INTERRUPTED_WAVE))
    sync.process.send_signal(signal.SIGINT)
    assert sync.finish(timeout=60) == EXIT_INTERRUPTED, sync.stderr
    assert (sync.events[-1]["event"], sync.events[-1]["phase"]) == ("summary", "Interrupted")
    resync_and_check(server.kubeconfig, sync.events)
