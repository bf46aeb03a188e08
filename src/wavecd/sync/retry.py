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
        """The wait before retry number `retries_done + 1`: duration × factor^n, capped at maxDuration."""
        return min(self.duration * self.factor ** retries_done, self.max_duration)


def _seconds(value: Any, default: float) -> float:
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str) and value:
        try:
            return parse_go_duration(value)
        except ValueError:
            return default
    return default


def retry_policy(spec: dict[str, Any] | None) -> RetryPolicy | None:
    """The policy from `syncPolicy.retry`, or None when the app has none (a failed sync is final)."""
    if not isinstance(spec, dict):
        return None
    limit = spec.get("limit", 0)
    backoff = spec.get("backoff") if isinstance(spec.get("backoff"), dict) else {}
    factor = backoff.get("factor")
    return RetryPolicy(
        limit=int(limit) if isinstance(limit, int | float) else 0,
        duration=_seconds(backoff.get("duration"), DEFAULT_DURATION),
        factor=float(factor) if isinstance(factor, int | float) and factor > 0 else DEFAULT_FACTOR,
        max_duration=_seconds(backoff.get("maxDuration"), DEFAULT_MAX),
    )
