"""Whether an app matches its desired state: Argo CD's `SyncStatusCode`, plus the one word wavecd adds.

`AppFinished.sync`, `wavecd status` and the Application objects wavecd records all speak these words, so
they are compared and printed from one definition.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["SyncStatus"]


class SyncStatus(StrEnum):
    """Argo CD's `SyncStatusCode` (`pkg/apis/application/v1alpha1/types.go`).

    `FAILED` is wavecd's extension for an app whose sync ended in failure (the `app_finished` event says
    so); it is recorded in the Application object as Argo CD's `OutOfSync`.
    """

    SYNCED = "Synced"
    OUT_OF_SYNC = "OutOfSync"
    UNKNOWN = "Unknown"
    FAILED = "Failed"
