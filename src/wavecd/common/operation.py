"""How a sync operation ended, or stands: Argo CD's `OperationPhase` and wavecd's additions.

The summary event's `phase`, the exit status derived from it and the `operationState.phase` wavecd writes
into Application objects must agree word for word with what Argo CD tools read.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["OperationPhase"]


class OperationPhase(StrEnum):
    """gitops-engine's `OperationPhase` (`pkg/sync/common/types.go`), then wavecd's extensions.

    wavecd's extensions: `TIMED_OUT` and `INTERRUPTED` end a tree sync that ran out of time or was stopped
    with Ctrl-C (the `summary` event's phase, exit statuses 3 and 130); `TERMINATED` is the operation phase
    recorded in the Application of an app caught mid-sync by such a stop.
    """

    RUNNING = "Running"
    TERMINATING = "Terminating"
    FAILED = "Failed"
    ERROR = "Error"
    SUCCEEDED = "Succeeded"
    TIMED_OUT = "TimedOut"
    INTERRUPTED = "Interrupted"
    TERMINATED = "Terminated"
