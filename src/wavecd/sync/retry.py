"""An app's `syncPolicy.retry`: how many more attempts after a failed sync, and the backoff between them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from wavecd.core.durations import parse_go_duration

# Argo CD's defaults (pkg/apis/application/v1alpha1: DefaultSyncRetryDuration/Factor/MaxDuration).
DEFAULT_DURATION = 5.0
DEFAULT_FACTOR = 2.0
DEFAULT_MAX = 180.0


@dataclass(frozen=True)
class RetryPolicy:
    limit: int  # retries after the first attempt; negative: unlimited
    duration: float = DEFAULT_DURATION
    factor: float = DEFAULT_FACTOR
    max_duration: float = DEFAULT_MAX

    def allows(self, retries_done: int) -> bool:
        return self.limit < 0 or retries_done < self.limit

    def delay(self, retries_done: int) -> float:
        """The wait before retry number `retries_done + 1`: duration × factor^(n+1), capped at maxDuration.

        Argo CD counts the failed attempt before it computes the wait, so with the defaults the first retry
        comes after 10 s, then 20 s, 40 s, … (Argo CD `controller/appcontroller.go`
        `processRequestedAppOperation`, `RetryStrategy.NextRetryAt` in `pkg/apis/application/v1alpha1/types.go`).
        """
        return min(self.duration * self.factor ** (retries_done + 1), self.max_duration)


def _seconds(value: Any, default: float) -> float:
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str) and value:
        if value.strip().isdigit():  # a plain integer is seconds
            return float(value.strip())
        try:
            return parse_go_duration(value)
        except ValueError:
            return default
    return default


AUTOMATED_DEFAULT: dict[str, Any] = {"limit": 5}


def retry_policy(spec: dict[str, Any] | None, *, automated: bool = False) -> RetryPolicy | None:
    """The policy from `syncPolicy.retry`. Without one, an automated app retries 5 times, as Argo CD's
    auto-sync operations do; any other app's failed sync is final."""
    if not isinstance(spec, dict):
        spec = AUTOMATED_DEFAULT if automated else None
    if spec is None:
        return None
    limit = spec.get("limit", 0)
    found = spec.get("backoff")
    backoff = found if isinstance(found, dict) else {}
    factor = backoff.get("factor")
    return RetryPolicy(
        limit=int(limit) if isinstance(limit, int | float) else 0,
        duration=_seconds(backoff.get("duration"), DEFAULT_DURATION),
        factor=float(factor) if isinstance(factor, int | float) and factor > 0 else DEFAULT_FACTOR,
        max_duration=_seconds(backoff.get("maxDuration"), DEFAULT_MAX),
    )
