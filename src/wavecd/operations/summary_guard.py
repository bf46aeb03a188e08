"""The promise made to every reader of a sync's events: once an event is out, the last one is a `Summary`.

The engine ends its own events with one; what fails outside it (the plan, the cluster connection, a wavecd
bug, Ctrl-C before the engine runs) would otherwise leave a `-o json` reader, or the server's UI, with a
stream that just stops.
"""

from __future__ import annotations

import contextlib
import threading
from collections import Counter
from collections.abc import Iterator

from wavecd.common import NOT_STARTED, HealthStatus, OperationPhase
from wavecd.core import Clock, Emit, Event, WavecdError, internal_error
from wavecd.sync.events import AppFinished, AppStarted, Summary
from wavecd.sync.settings import EXIT_FAILED, EXIT_INTERRUPTED


class SummaryGuard:
    """An `Emit` that passes the events on and keeps what a summary needs, so that a sync that fails outside
    the engine still ends its events with one. The engine's own summary is never doubled."""

    def __init__(self, emit: Emit, clock: Clock, apps: list[str], *, dry_run: bool):
        self._emit = emit
        self._clock = clock
        self._since = clock.now()
        self._apps = apps
        self._dry_run = dry_run
        self._health: dict[str, str] = {}
        self._started: set[str] = set()
        self._lock = threading.Lock()
        self.summarised = False

    def __call__(self, event: Event) -> None:
        with self._lock:
            if isinstance(event, AppStarted):
                self._started.add(event.app)
            elif isinstance(event, AppFinished):
                self._health[event.app] = event.health
            elif isinstance(event, Summary):
                self.summarised = True
        self._emit(event)

    def summarise(self, phase: str, message: str, exit_code: int) -> None:
        """Report the end the engine could not. The tree's health is Unknown: the sync stopped before it could
        judge it. Apps count as the engine counts them (`NotStarted` when not reached)."""
        with self._lock:
            if self.summarised:
                return
            apps = Counter(
                self._health.get(name) or (HealthStatus.PROGRESSING.value if name in self._started else NOT_STARTED)
                for name in self._apps
            )
        self(
            Summary(
                health=HealthStatus.UNKNOWN.value,
                phase=phase,
                message=message,
                seconds=round(self._clock.now() - self._since, 3),
                apps=dict(apps),
                dry_run=self._dry_run,
                exit_code=exit_code,
            )
        )


@contextlib.contextmanager
def summary_on_failure(guard: SummaryGuard) -> Iterator[None]:
    """Whatever ends the sync early, the events end with a summary whose exit code is the process's; the
    exception goes on to the caller, who decides how to report it."""
    try:
        yield
    except WavecdError as err:
        guard.summarise(OperationPhase.FAILED, err.message, err.exit_code)
        raise
    except KeyboardInterrupt:
        guard.summarise(OperationPhase.INTERRUPTED, "interrupted", EXIT_INTERRUPTED)
        raise
    except Exception as err:
        guard.summarise(OperationPhase.FAILED, internal_error(err), EXIT_FAILED)
        raise
