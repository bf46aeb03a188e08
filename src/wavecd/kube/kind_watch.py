"""One kind kept current in a local copy (the controller's cluster cache, the sim controllers' mirror of another
API server): list, then watch from the list's resourceVersion, in a thread.

This is gitops-engine's `watchEvents` (`pkg/cache/cluster.go`): a watch that ends because the server no
longer has its resourceVersion (410 Gone) is followed, one second later, by a fresh list that replaces the
kind's objects; any other failure is retried after a delay, resuming from the last resourceVersion seen;
and every `resync` seconds the kind is listed again anyway, so a missed event cannot linger.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Any, Protocol

from wavecd.core import internal_error
from wavecd.kube.client import KubeClient
from wavecd.kube.discovery import ApiResource
from wavecd.kube.errors import ExpiredError, KubeError, NoKindMatchError, NotFoundError
from wavecd.kube.watch import Watch

__all__ = ["CacheTiming", "GroupKind", "KindSink", "KindWatch", "stop_watches"]

GroupKind = tuple[str, str]

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CacheTiming:
    """Argo CD's defaults: each watch relisted every 10 min (`watchResyncTimeout`), a relist 1 s after a watch
    expired (`watchResourcesRetryTimeout`), a failed request retried after 10 s (`ClusterRetryTimeout`)."""

    resync: float = 600.0
    relist_delay: float = 1.0
    retry_delay: float = 10.0


class KindSink(Protocol):
    """Where a kind's watch delivers what it reads (a cache, which holds the lock)."""

    def listed(self, group_kind: GroupKind, items: list[dict[str, Any]], resource_version: str) -> None:
        """A full list of the kind, read at `resource_version`: it replaces what the cache held of it."""

    def changed(self, group_kind: GroupKind, event_type: str, obj: dict[str, Any]) -> None:
        """One watch event."""

    def gone(self, group_kind: GroupKind) -> None:
        """The server stopped serving the kind (its CRD was deleted): the watch has ended."""


class KindWatch:
    """The thread that keeps one kind current; it runs until `stopping` is set (then call `interrupt`)."""

    def __init__(
        self,
        client: KubeClient,
        resource: ApiResource,
        sink: KindSink,
        stopping: threading.Event,
        timing: CacheTiming,
    ):
        self._client = client
        self._resource = resource
        self._group_kind = (resource.group, resource.kind)
        self._sink = sink
        self._stopping = stopping
        self._timing = timing
        self._resource_version = ""
        self._resync_at = 0.0
        self._current: Watch | None = None
        self.thread = threading.Thread(
            target=self._run, name=f"wavecd-cache-{resource.kind}.{resource.group or 'core'}", daemon=True
        )

    def interrupt(self) -> None:
        """Wake the thread if it is blocked in a watch (after `stopping` was set, it then ends)."""
        watch = self._current
        if watch is not None:
            watch.stop()

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                if not self._resource_version:
                    self._list()
                self._watch()
            except ExpiredError:
                self._resource_version = ""
                self._stopping.wait(self._timing.relist_delay)
            except (NoKindMatchError, NotFoundError):
                self._sink.gone(self._group_kind)
                return
            except KubeError as err:
                _log.warning("watch of %s failed, retrying in %ss: %s", self._describe(), self._timing.retry_delay, err)
                self._stopping.wait(self._timing.retry_delay)
            except Exception as err:  # a bug must not freeze this kind's cache for good: list it again
                _log.warning(
                    "watch of %s stopped (%s), listing again in %ss",
                    self._describe(),
                    internal_error(err),
                    self._timing.retry_delay,
                )
                self._resource_version = ""
                self._stopping.wait(self._timing.retry_delay)

    def _list(self) -> None:
        items, resource_version = self._client.list_for_watch(self._resource.api_version, self._resource.kind)
        self._resync_at = time.monotonic() + self._timing.resync
        self._sink.listed(self._group_kind, items, resource_version)
        self._resource_version = resource_version

    def _watch(self) -> None:
        """Watch until the resync is due (then the next turn lists again), `stopping`, or an error; the
        resourceVersion reached is kept either way, so a retry resumes where this one stopped."""
        remaining = max(self._resync_at - time.monotonic(), 0.001)
        watch = self._client.watch(
            self._resource.api_version, self._resource.kind, resource_version=self._resource_version, timeout=remaining
        )
        self._current = watch
        if self._stopping.is_set():  # stop() may have looked for a watch before this one was set
            watch.stop()
        try:
            for event_type, obj in watch:
                self._sink.changed(self._group_kind, event_type, obj)
        finally:
            self._current = None
            self._resource_version = watch.resource_version or self._resource_version
        self._resource_version = ""

    def _describe(self) -> str:
        return f"{self._resource.kind} ({self._resource.api_version})"


def stop_watches(watches: list[KindWatch], timeout: float) -> None:
    """End watch threads whose `stopping` is set: wake each, then wait for all within `timeout` seconds."""
    for watch in watches:
        watch.interrupt()
    deadline = time.monotonic() + timeout
    for watch in watches:
        watch.thread.join(max(deadline - time.monotonic(), 0.0))
