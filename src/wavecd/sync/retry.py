"""An app's `syncPolicy.retry`: how many more attempts after a failed sync, and the backoff between them.

One reading of the backoff, Argo CD's `RetryStrategy.NextRetryAt` (`pkg/apis/application/v1alpha1/types.go`):
`RetryPolicy.wait`. `wavecd sync` retries in process (`retry_policy`, which forgives a duration it cannot
read and takes the default); the controller records retries in the operation (`retry_wait`, which refuses
such a duration with Argo CD's message, failing the operation instead of retrying it).
"""

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

# Go's time.Duration holds at most this many seconds; a longer wait is as good as never.
_MAX_GO_DURATION = (2**63 - 1) / 1e9


@dataclass(frozen=True)
class RetryPolicy:
    limit: int  # retries after the first attempt; negative: unlimited
    duration: float = DEFAULT_DURATION
    factor: float = DEFAULT_FACTOR
    max_duration: float = DEFAULT_MAX  # 0 or less: no cap

    def allows(self, retries_done: int) -> bool:
        return self.limit < 0 or retries_done < self.limit

    def wait(self, retry_count: int) -> float:
        """Seconds from a failed attempt to the next, `retry_count` being the retries counted so far with
        this failure included: duration × factor^retry_count, capped at maxDuration when that is positive.
        Argo CD counts the failed attempt before it computes the wait, so with the defaults the first retry
        comes after 10 s, then 20 s, 40 s, … (`controller/appcontroller.go` `processRequestedAppOperation`)."""
        try:
            wait = self.duration * math.pow(self.factor, retry_count)
        except OverflowError:
            wait = math.copysign(math.inf, self.duration)
        if self.max_duration > 0:
            wait = min(self.max_duration, wait)
        return max(-_MAX_GO_DURATION, min(_MAX_GO_DURATION, wait))


NO_RETRY = RetryPolicy(limit=0)


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


def _policy(spec: dict[str, Any], *, strict: bool) -> RetryPolicy:
    """`spec` read as Argo CD reads it; an unreadable duration is a ValueError when `strict`, else the
    default."""
    found = spec.get("backoff")
    backoff = found if isinstance(found, dict) else {}

    def seconds(key: str, default: float) -> float:
        if backoff.get(key) in (None, ""):
            return default
        try:
            return _strict_seconds(backoff[key])
        except ValueError:
            if strict:
                raise
            return default

    factor = backoff.get("factor")
    limit = spec.get("limit", 0)
    return RetryPolicy(
        limit=int(limit) if isinstance(limit, int | float) and not isinstance(limit, bool) else 0,
        duration=seconds("duration", DEFAULT_DURATION),
        factor=float(factor) if isinstance(factor, int | float) and not isinstance(factor, bool) else DEFAULT_FACTOR,
        max_duration=seconds("maxDuration", DEFAULT_MAX),
    )


AUTOMATED_DEFAULT: dict[str, Any] = {"limit": 5}


def retry_policy(spec: dict[str, Any] | None, *, automated: bool = False) -> RetryPolicy | None:
    """The policy from `syncPolicy.retry`. Without one, an automated app retries 5 times, as Argo CD's
    auto-sync operations do; any other app's failed sync is final."""
    if not isinstance(spec, dict):
        spec = AUTOMATED_DEFAULT if automated else None
    if spec is None:
        return None
    return _policy(spec, strict=False)


def retry_wait(spec: dict[str, Any] | None, retry_count: int) -> float:
    """`RetryPolicy.wait` for an operation's `retry`, read strictly: an unreadable duration is a ValueError
    with Argo CD's text, which fails the operation instead of retrying it."""
    return _policy(spec or {}, strict=True).wait(retry_count)
