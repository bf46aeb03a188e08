"""One colour for each status word, for every view that colours them (the live sync view, the final
report, `wavecd status`, and later the web UI).

The colours follow Argo CD's UI (`ui/src/app/shared/components/colors.ts`, `COLORS.health` and
`COLORS.sync`): Healthy and Synced green, Progressing the running blue (cyan on a terminal), Degraded red,
Missing and OutOfSync the warning yellow, Suspended purple (magenta), Unknown grey (one key: health and sync
spell it alike). wavecd's own words: NotStarted dim, a Failed sync red. Names are rich's colours.
"""

from __future__ import annotations

from wavecd.common.health import NOT_STARTED, HealthStatus
from wavecd.common.sync_status import SyncStatus

__all__ = ["STATUS_COLOURS"]

STATUS_COLOURS: dict[str, str] = {
    HealthStatus.HEALTHY: "green",
    HealthStatus.SUSPENDED: "magenta",
    HealthStatus.PROGRESSING: "cyan",
    HealthStatus.MISSING: "yellow",
    HealthStatus.DEGRADED: "red",
    HealthStatus.UNKNOWN: "bright_black",
    NOT_STARTED: "dim",
    SyncStatus.SYNCED: "green",
    SyncStatus.OUT_OF_SYNC: "yellow",
    SyncStatus.FAILED: "red",
}
