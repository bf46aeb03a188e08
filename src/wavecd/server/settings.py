"""How `wavecd serve` runs: the flags, with Argo CD's defaults where Argo CD has one."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass, field

from wavecd.common import ARGOCD_NAMESPACE
from wavecd.sync.retry import DEFAULT_MAX
from wavecd.sync.settings import SyncSettings

__all__ = ["DEFAULT_POLL_SECONDS", "GATE_FIRST_POLL", "OPERATION_PROCESSORS", "ServeSettings", "default_identity"]

# The default for `--poll`; Argo CD's `timeout.reconciliation` is 120 s plus up to 60 s of jitter,
# so its real period is 2–3 minutes.
DEFAULT_POLL_SECONDS = 180.0
# The health gate's first read after an apply, in seconds (doubled on each read up to the sync's poll
# interval): a push's rollout waits on the cluster, not on the controller's polling. The CLI keeps 0.25 s.
GATE_FIRST_POLL = 0.05
# Rollouts of operations run at once: Argo CD's `--operation-processors` default.
OPERATION_PROCESSORS = 10


def default_identity() -> str:
    """Who holds a Lease: the host name (the Pod's name in a StatefulSet) and the process."""
    return f"{socket.gethostname()}_{os.getpid()}"


@dataclass(frozen=True)
class ServeSettings:
    """`poll` 0 turns polling off (webhooks and the API still refresh). `poll_jitter` is the largest extra
    fraction of `poll` added at random to each wait, so replicas do not poll in step. `refresh_timeout` bounds
    how long `GET …?refresh=` waits for the reconcile it asked for."""

    poll: float = DEFAULT_POLL_SECONDS
    poll_jitter: float = 0.1
    namespace: str = ARGOCD_NAMESPACE
    shards: int = 1
    shard: int = 0
    identity: str = field(default_factory=default_identity)
    lease_duration: int = 15  # seconds, whole as a Lease's leaseDurationSeconds
    refresh_timeout: float = 60.0
    # Seconds before what failed because of the cluster (unreachable, a server error) is tried again the
    # first time: a reconcile or its status write, a pass of the operation loop. Otherwise the loops wait
    # for news.
    retry_delay: float = 5.0
    # Each further failure in a row doubles that wait, up to this many seconds (Argo CD's default cap on a
    # sync retry's backoff, `RetryPolicy`'s too).
    retry_max_delay: float = DEFAULT_MAX
    # Rollouts of operations run at once, each in its own thread, so that one app's health wait holds no
    # other app's operation (`--operation-processors`).
    operation_processors: int = OPERATION_PROCESSORS
    sync: SyncSettings = field(default_factory=SyncSettings)
