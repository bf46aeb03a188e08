"""The assessed health of one object: a code from `wavecd.common` and Argo CD's message for it.

The codes and their ranking live in `wavecd.common.health`, shared with the sync engine and every view.
"""

from __future__ import annotations

from dataclasses import dataclass

from wavecd.common import HealthStatus


@dataclass(frozen=True)
class Health:
    """The assessed health of one object: a code and Argo's message for it (often empty)."""

    status: HealthStatus
    message: str = ""


HEALTHY = Health(HealthStatus.HEALTHY)
