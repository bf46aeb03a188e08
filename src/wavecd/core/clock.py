"""Time as an object passed in, so waits, retries and simulated controllers are testable without sleeping."""

from __future__ import annotations

import threading
import time
from typing import Protocol


class Clock(Protocol):
    def now(self) -> float:
        """Seconds since an arbitrary epoch."""

    def sleep(self, seconds: float) -> None:
        """Wait until `seconds` of this clock's time have passed."""


class RealClock:
    """Wall-clock time, optionally running `speed` times faster than real time."""

    def __init__(self, speed: float = 1.0):
        if speed <= 0:
            raise ValueError("clock speed must be positive")
        self.speed = speed
        self._origin_real = time.monotonic()

    def now(self) -> float:
        return (time.monotonic() - self._origin_real) * self.speed

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds / self.speed)


class ManualClock:
    """A clock that moves only when a test calls `advance`; `sleep` blocks until time has advanced enough."""

    def __init__(self, start: float = 0.0):
        self._now = start
        self._changed = threading.Condition()

    def now(self) -> float:
        with self._changed:
            return self._now

    def advance(self, seconds: float) -> None:
        with self._changed:
            self._now += seconds
            self._changed.notify_all()

    def sleep(self, seconds: float) -> None:
        with self._changed:
            deadline = self._now + seconds
            while self._now < deadline:
                self._changed.wait()
