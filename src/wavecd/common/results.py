"""What happened to one object in a sync: the `result` of the `applied` and `pruned` events.

gitops-engine's `ResultCode` says only Synced, SyncFailed, Pruned or PruneSkipped; wavecd reports the
apply as kubectl does (created, configured, unchanged), which is what a person reading the stream wants.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["ResultCode"]


class ResultCode(StrEnum):
    """An object's result; the Argo CD `ResultCode` each one stands for is in the comment beside it."""

    CREATED = "created"  # Synced
    CONFIGURED = "configured"  # Synced
    UNCHANGED = "unchanged"  # Synced
    PRUNED = "pruned"  # Pruned
    SKIPPED = "skipped"  # PruneSkipped, or an apply left out (the event's message says why)
