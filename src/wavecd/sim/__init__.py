"""A local Kubernetes-compatible API server with simulated controllers (see docs/sim.md).

Other wavecd packages reach it only over HTTP; this package's Python API is for tests, demos and the CLI.
"""

from wavecd.sim.cluster import SimCluster
from wavecd.sim.timing import FAIL_AFTER, OUTCOME, READY_AFTER, Rules, Timing

__all__ = ["FAIL_AFTER", "OUTCOME", "READY_AFTER", "Rules", "SimCluster", "Timing"]
