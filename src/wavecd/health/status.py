"""Health codes and their ranking, as gitops-engine's `health.go` defines them.

The ranking matters more than the names: app health is the worst of its children, and the sync engine's
wave gate asks only "is this worse than before?".
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class HealthStatus(StrEnum):
    HEALTHY = "Healthy"
    SUSPENDED = "Suspended"
    PROGRESSING = "Progressing"
    MISSING = "Missing"
    DEGRADED = "Degraded"
    UNKNOWN = "Unknown"


# Most healthy first. A code not in this table ranks like Healthy (Go's IsWorse defaults the index to 0).
_RANK: dict[str, int] = {code.value: i for i, code in enumerate(HealthStatus)}


def is_worse(current: str, new: str) -> bool:
    """True when `new` ranks below `current` (Argo's `IsWorse`)."""
    return _RANK.get(new, 0) > _RANK.get(current, 0)


@dataclass(frozen=True)
class Health:
    """The assessed health of one object: a code and Argo's message for it (often empty)."""

    status: HealthStatus
    message: str = ""


HEALTHY = Health(HealthStatus.HEALTHY)
