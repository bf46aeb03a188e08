"""Argo CD's six health codes and their one ranking, as gitops-engine's `pkg/health/health.go` defines them.

The ranking matters more than the names: an app is as healthy as its worst child, a tree as its worst app,
and the sync engine's wave gate asks only "is this worse than before?". Every one of those questions is
answered here, so the CLI, the engine and the coming server cannot rank two codes differently.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

__all__ = ["NOT_STARTED", "HealthStatus", "health_rank", "is_worse", "worst_of"]


class HealthStatus(StrEnum):
    """gitops-engine's `HealthStatusCode`, declared most healthy first: the order is the ranking."""

    HEALTHY = "Healthy"
    SUSPENDED = "Suspended"
    PROGRESSING = "Progressing"
    MISSING = "Missing"
    DEGRADED = "Degraded"
    UNKNOWN = "Unknown"


# wavecd's extension: the health column of an app the rollout never reached. Not an Argo CD code, so it has
# no rank (like any other string, it ranks as Healthy) and never makes a tree worse.
NOT_STARTED = "NotStarted"

_RANK: dict[str, int] = {code.value: i for i, code in enumerate(HealthStatus)}


def health_rank(code: str) -> int:
    """The code's place in `healthOrder`, 0 for Healthy; a string Argo does not know ranks 0 too (Go's
    `IsWorse` leaves the index at 0 when the search fails)."""
    return _RANK.get(code, 0)


def is_worse(current: str, new: str) -> bool:
    """True when `new` ranks below `current` (gitops-engine's `health.IsWorse`)."""
    return health_rank(new) > health_rank(current)


def worst_of(codes: Iterable[str]) -> str:
    """The least healthy of `codes`, Healthy when there are none; among equals the first one seen is kept,
    as Argo CD's aggregation keeps it."""
    worst: str = HealthStatus.HEALTHY
    for code in codes:
        if is_worse(worst, code):
            worst = code
    return worst
