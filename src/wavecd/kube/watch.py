"""A watch stream that can be stopped and bounded in time.

lightkube's own `watch` reconnects forever and offers no way to end it from outside, which a sync waiting on a
wave with a deadline needs. So the stream is read here, through lightkube's authenticated session: events are
yielded as `(type, object)`, bookmarks only move the resourceVersion, a clean end of the server's stream
resumes from the last version seen, and a version the server no longer has raises `ExpiredError` (list again).
"""

from __future__ import annotations

import contextlib
import json
import math
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx

from wavecd.kube.errors import KubeConnectionError, KubeError, from_response, from_status, from_transport

# The longest single request when the caller set no deadline; the stream then resumes transparently.
DEFAULT_SERVER_TIMEOUT = 300
Event = tuple[str, dict[str, Any]]


class Watch:
    """Events of one kind, as `(type, object)` with type `ADDED`, `MODIFIED` or `DELETED`.

    Iterate it (once). It ends when `timeout` seconds (wall time, as the server counts them) have passed, when
    `stop()` is called (from any thread, or from the loop body), or when the caller breaks out of the loop.
    Without a `resource_version`, every existing object is first reported as `ADDED`.
    """

    def __init__(
        self,
        session: httpx.Client,
        path: str,
        params: dict[str, str],
        *,
        api_version: str,
        kind: str,
        resource_version: str | None,
        timeout: float | None,
        server: str,
    ):
        self._api_version = api_version
        self._kind = kind
        self._session = session
        self._path = path
        self._params = params
        self._timeout = timeout
        self._server = server
        self._stopped = threading.Event()
        self._lock = threading.Lock()
        self._response: httpx.Response | None = None
        self._iterating = False
        self.resource_version = resource_version

    def stop(self) -> None:
        """End the watch: the iteration finishes without error, even if it is blocked waiting for an event."""
        self._stopped.set()
        with self._lock:
            response = self._response
        if response is not None:
            _interrupt(response)

    @property
    def stopped(self) -> bool:
        return self._stopped.is_set()

    def __enter__(self) -> Watch:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __iter__(self) -> Iterator[Event]:
        if self._iterating:
            raise RuntimeError("a Watch can be iterated only once")
        self._iterating = True
        deadline = None if self._timeout is None else time.monotonic() + self._timeout
        if not self.resource_version:
            yield from self._initial_list(deadline)
        while not self._stopped.is_set():
            if deadline is not None and deadline <= time.monotonic():
                return
            yield from self._one_request(deadline)

    def _initial_list(self, deadline: float | None) -> Iterator[Event]:
        """What exists now, as ADDED, then the watch goes on from the list's resourceVersion — as client-go's
        reflector does, so a resumed stream neither repeats nor misses anything."""
        try:
            response = self._session.get(self._path, params=self._params)
        except httpx.HTTPError as err:
            raise from_transport(err, self._server) from err
        if response.status_code >= 400:
            raise from_response(response)
        try:
            body = response.json()
            items = body.get("items") or []
            rv = (body.get("metadata") or {}).get("resourceVersion") or ""
        except (ValueError, AttributeError) as err:
            raise KubeConnectionError(f"the server at {self._server} answered a list with unexpected content") from err
        for item in items:
            if self._ended(deadline):
                return
            # List items carry no apiVersion/kind on a real apiserver; watch events do.
            item.setdefault("apiVersion", self._api_version)
            item.setdefault("kind", self._kind)
            yield "ADDED", item
        self.resource_version = rv or None

    def _one_request(self, deadline: float | None) -> Iterator[Event]:
        """One HTTP watch request. The server ends it at `timeoutSeconds` (whole seconds); a finer deadline is
        kept on this side by the read timeout and a check after each event."""
        if deadline is None:
            server_timeout, read_timeout = DEFAULT_SERVER_TIMEOUT, DEFAULT_SERVER_TIMEOUT + 30.0
        else:
            remaining = max(deadline - time.monotonic(), 0.001)
            server_timeout, read_timeout = max(1, math.ceil(remaining)), remaining
        params = dict(self._params, watch="true", allowWatchBookmarks="true", timeoutSeconds=str(server_timeout))
        if self.resource_version:
            params["resourceVersion"] = self.resource_version
        timeout = httpx.Timeout(30.0, read=read_timeout)
        try:
            request = self._session.build_request("GET", self._path, params=params, timeout=timeout)
            response = self._session.send(request, stream=True)
        except httpx.HTTPError as err:
            if self._ended(deadline):
                return
            raise from_transport(err, self._server) from err
        with self._lock:
            self._response = response
        try:
            if self._stopped.is_set():  # stop() came while the request was on its way: nothing to interrupt then
                return
            if response.status_code >= 400:
                raise from_response(response)
            for line in response.iter_lines():
                if self._stopped.is_set():
                    return
                event = self._event(line)
                if event is not None:
                    yield event
                if self._ended(deadline):
                    return
        except httpx.HTTPError as err:
            if self._ended(deadline):
                return
            raise from_transport(err, self._server) from err
        finally:
            with self._lock:
                self._response = None
            response.close()

    def _ended(self, deadline: float | None) -> bool:
        return self._stopped.is_set() or (deadline is not None and time.monotonic() >= deadline)

    def _event(self, line: str) -> Event | None:
        """Decode one line; None for blank lines and bookmarks (which only move the resourceVersion)."""
        if not line.strip():
            return None
        try:
            decoded = json.loads(line)
            kind, obj = decoded["type"], decoded["object"]
        except (ValueError, KeyError, TypeError) as err:
            raise KubeConnectionError(
                f"the server at {self._server} sent a watch event that is not JSON", context=[line[:200]]
            ) from err
        if kind == "ERROR":
            raise from_status(obj if isinstance(obj, dict) else {})
        rv = ((obj.get("metadata") or {}) if isinstance(obj, dict) else {}).get("resourceVersion")
        if rv:
            self.resource_version = rv
        if kind == "BOOKMARK":
            return None
        if kind not in ("ADDED", "MODIFIED", "DELETED"):
            raise KubeError(f"unexpected watch event type {kind!r} from {self._server}")
        return kind, obj


def _interrupt(response: httpx.Response) -> None:
    """Wake a thread blocked reading `response`: closing a socket does not interrupt a pending read on Linux,
    shutting it down does. httpx exposes the socket through its `network_stream` extension."""
    stream = response.extensions.get("network_stream")
    sock = stream.get_extra_info("socket") if stream is not None else None
    if isinstance(sock, socket.socket):
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
