"""The controller's work list: which apps to reconcile, and whether the tree must be walked first.

Requests coalesce: a burst of webhooks, watch events or API refreshes for the same app while the worker is
busy becomes one reconcile of that app, and any number of "walk again" requests become one walk (Argo CD's
work queue deduplicates keys the same way). Hard wins over normal.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

__all__ = ["Batch", "RefreshQueue"]


@dataclass
class Batch:
    """One round of work: walk the tree first (`walk`; `hard` bypasses the render cache), then reconcile
    `apps`; `everything` reconciles every app of the tree (the first round, and after a hard refresh)."""

    apps: set[str] = field(default_factory=set)
    walk: bool = False
    hard: bool = False
    everything: bool = False
    # Walk only if a tracked revision moved since the last walk (a webhook: a burst of them costs one walk);
    # False as soon as any request wants the walk regardless.
    if_moved: bool = True

    def __bool__(self) -> bool:
        return bool(self.apps or self.walk or self.everything)


class RefreshQueue:
    def __init__(self) -> None:
        self._pending = Batch()
        self._ready = threading.Condition()
        self._closed = False

    def refresh(self, *apps: str) -> None:
        with self._ready:
            self._pending.apps.update(apps)
            self._ready.notify_all()

    def walk(self, *, hard: bool = False, everything: bool = False, if_moved: bool = False) -> None:
        with self._ready:
            self._pending.walk = True
            self._pending.hard |= hard
            self._pending.everything |= everything
            self._pending.if_moved &= if_moved
            self._ready.notify_all()

    def close(self) -> None:
        with self._ready:
            self._closed = True
            self._ready.notify_all()

    def take(self, timeout: float | None) -> Batch | None:
        """The pending work (and an empty list after it), waiting up to `timeout` seconds for some (None: until
        there is some); None when the queue is closed."""
        with self._ready:
            self._ready.wait_for(lambda: self._closed or bool(self._pending), timeout=timeout)
            if self._closed:
                return None
            batch, self._pending = self._pending, Batch()
            return batch
