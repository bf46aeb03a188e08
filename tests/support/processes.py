"""Long-running helpers the tests start (`wavecd serve`, the sim, a registry, a kube-apiserver) end with the test
process, even when it is killed: an interrupted run must not leave a controller spinning at full CPU."""

from __future__ import annotations

import ctypes
import signal

__all__ = ["die_with_parent"]

_PR_SET_PDEATHSIG = 1  # linux/prctl.h


def die_with_parent() -> None:
    """`preexec_fn` for subprocess.Popen: the kernel sends the child SIGTERM when the thread that started it
    dies (Linux prctl PR_SET_PDEATHSIG), which SIGKILL of the test process cannot skip the way it skips
    fixture teardown."""
    ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
