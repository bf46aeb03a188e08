"""An app's `syncPolicy.retry`: how many more attempts after a failed sync, and the backoff between them."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from wavecd.core.durations import parse_go_duration
from wavecd.core.goatoi import go_atoi

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


NO_RETRY = RetryPolicy(limit=0)


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


# Go's time.Duration holds at most this many seconds; a longer wait is as good as never.
_MAX_GO_DURATION = (2**63 - 1) / 1e9


def _strict_seconds(value: Any) -> float:
    """A backoff duration as Argo CD's `parseStringToDuration` reads it: an integer is seconds, otherwise a
    Go duration; anything else is refused with Argo CD's message."""
    text = value if isinstance(value, str) else str(value)
    whole = go_atoi(text)
    if whole is not None:
        return float(whole)
    try:
        return parse_go_duration(text)
    except ValueError:
        raise ValueError(f"unable to parse {text} as a duration") from None


def retry_wait(spec: dict[str, Any] | None, retry_count: int) -> float:
    """Seconds from a failed attempt to the next one, as Argo CD's `RetryStrategy.NextRetryAt` computes them
    for an operation's `retry` (the strict reading the controller's bookkeeping needs, where `retry_policy`
    forgives): duration × factor^retry_count, capped at maxDuration when that is positive. An unreadable
    duration is a ValueError with Argo CD's text, which fails the operation instead of retrying it."""
    found = (spec or {}).get("backoff")
    backoff = found if isinstance(found, dict) else {}
    duration, cap, factor = DEFAULT_DURATION, DEFAULT_MAX, DEFAULT_FACTOR
    if backoff.get("duration") not in (None, ""):
        duration = _strict_seconds(backoff["duration"])
    if backoff.get("maxDuration") not in (None, ""):
        cap = _strict_seconds(backoff["maxDuration"])
    if isinstance(backoff.get("factor"), int | float) and not isinstance(backoff.get("factor"), bool):
        factor = float(backoff["factor"])
    try:
        wait = duration * math.pow(factor, retry_count)
    except OverflowError:
        wait = math.copysign(math.inf, duration)
    if cap > 0:
        wait = min(cap, wait)
    return max(-_MAX_GO_DURATION, min(_MAX_GO_DURATION, wait))
