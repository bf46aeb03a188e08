"""How long the controller waits before it tries again what the cluster failed (unreachable, a server error).

A reconcile, a status write or a pass of the operation loop that the cluster failed is tried again after
`retry_delay`, then twice as long after each further failure in a row, up to a cap, and from `retry_delay`
again once it succeeds: a controller facing an outage of an hour then asks the API server a few dozen
times, not once every few seconds per app, and is back within the cap of the cluster's return. The waits
are `RetryPolicy.wait`'s (the one reading of Argo CD's exponential backoff), never a second formula.
"""

from __future__ import annotations

import threading

from wavecd.sync.retry import DEFAULT_FACTOR, RetryPolicy

__all__ = ["FailureBackoff"]


class FailureBackoff:
    """Failures in a row per key (an app's name, or the operation loop's); safe to share between threads."""

    def __init__(self, first: float, cap: float):
        self._policy = RetryPolicy(limit=-1, duration=first, factor=DEFAULT_FACTOR, max_duration=max(first, cap))
        self._failures: dict[str, int] = {}
        self._lock = threading.Lock()

    def failed(self, key: str) -> float:
        """One more failure of `key` in a row: the seconds to wait before trying it again."""
        with self._lock:
            count = self._failures.get(key, 0)
            self._failures[key] = count + 1
        return self._policy.wait(count)

    def succeeded(self, key: str) -> None:
        """`key` worked: its next failure waits the first delay again."""
        with self._lock:
            self._failures.pop(key, None)

    def forget(self, keep: set[str]) -> None:
        """Drop the counts of keys no longer in `keep` (apps gone from the tree)."""
        with self._lock:
            for key in set(self._failures) - keep:
                del self._failures[key]
