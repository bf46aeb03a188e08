"""`SimCluster`: the simulated cluster as one object — store, API server thread, controllers — for tests,
demos and `wavecd sim serve`."""

from __future__ import annotations

import json
import threading
import time
from typing import TextIO

from wavecd.core.clock import Clock, ManualClock, RealClock
from wavecd.sim.api import Api
from wavecd.sim.bodies import REQUEST_READ_TIMEOUT
from wavecd.sim.controllers.engine import Engine
from wavecd.sim.controllers.wiring import bootstrap, install, restore_crds
from wavecd.sim.kubeconfig import write_kubeconfig
from wavecd.sim.registry import Registry
from wavecd.sim.server import LoggedRequest, SimHTTPServer
from wavecd.sim.store import Store
from wavecd.sim.timing import Rules

# Wall-clock epoch the sim's timestamps start from when the clock is manual (2026-01-01T00:00:00Z), so
# creationTimestamps are deterministic in tests.
MANUAL_EPOCH = 1767225600.0


class SimCluster:
    """A Kubernetes-compatible API server with simulated controllers, on 127.0.0.1.

    Use as a context manager. With a `ManualClock`, time moves only by `advance()`; `settle()` runs every
    controller step that is due. `state_path` keeps objects in SQLite across restarts. A client gets
    `request_timeout` seconds to send a whole request (and to start the next one on a kept-alive connection).
    """

    def __init__(
        self,
        clock: Clock | None = None,
        state_path: str | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        rules: Rules | None = None,
        nodes: int = 1,
        request_log_path: str | None = None,
        request_timeout: float = REQUEST_READ_TIMEOUT,
    ):
        self.clock = clock if clock is not None else RealClock()
        self.store = Store(state_path)
        self.registry = Registry()
        # Timestamps: deterministic on a manual clock; wall time otherwise (a clock running faster than real
        # time would put creationTimestamps in the future, which kubectl prints as `<invalid>` ages).
        if isinstance(self.clock, ManualClock):
            manual = self.clock
            self.api = Api(self.store, self.registry, lambda: MANUAL_EPOCH + manual.now())
        else:
            self.api = Api(self.store, self.registry, time.time)
        self.engine = Engine(self.api, self.clock, rules or Rules())
        install(self.engine)
        restore_crds(self.api)
        self._address = (host, port)
        self._nodes = nodes
        self._request_log_path = request_log_path
        self._request_timeout = request_timeout
        self._request_log_file: TextIO | None = None
        self._server: SimHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------------------------------------
    def start(self) -> SimCluster:
        bootstrap(self.api, self._nodes)
        self.engine.enqueue_all()
        self.engine.settle()
        self._server = SimHTTPServer(self._address, self.api, self._request_timeout)
        if self._request_log_path:
            self._request_log_file = open(self._request_log_path, "a", encoding="utf-8")  # noqa: SIM115
            self._server.on_request = self._append_request
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name="wavecd-sim-http", daemon=True
        )
        self._thread.start()
        self.engine.start()
        return self

    def stop(self) -> None:
        self.engine.stop()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        self.store.close()
        if self._request_log_file is not None:
            self._request_log_file.close()
            self._request_log_file = None

    def _append_request(self, entry: LoggedRequest) -> None:
        """One JSON line per request, flushed, so another process can read the log while the server runs."""
        line = json.dumps(
            {
                "method": entry.method,
                "path": entry.path,
                "status": entry.status,
                "userAgent": entry.user_agent,
                "contentType": entry.content_type,
            }
        )
        assert self._request_log_file is not None
        self._request_log_file.write(line + "\n")
        self._request_log_file.flush()

    def __enter__(self) -> SimCluster:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- access ---------------------------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        assert self._server is not None, "the cluster is not running"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def port(self) -> int:
        assert self._server is not None, "the cluster is not running"
        return self._server.server_address[1]

    @property
    def requests(self) -> list[LoggedRequest]:
        """Every request served so far (method, path, status, user agent, content type)."""
        return list(self._server.request_log) if self._server is not None else []

    def write_kubeconfig(self, path: str, context: str = "wavecd-sim") -> None:
        write_kubeconfig(path, self.url, context)

    # -- time -------------------------------------------------------------------------------------------------------
    def settle(self) -> int:
        """Run every controller step due now, until none is; returns the number of steps."""
        return self.engine.settle()

    def advance(self, seconds: float) -> None:
        """Move a manual clock forward, stopping at each controller deadline on the way and settling there."""
        if not isinstance(self.clock, ManualClock):
            raise TypeError("advance() needs a ManualClock")
        self.settle()
        target = self.clock.now() + seconds
        while (due := self.engine.next_due()) is not None and due <= target:
            if due > self.clock.now():
                self.clock.advance(due - self.clock.now())
            self.settle()
        if target > self.clock.now():
            self.clock.advance(target - self.clock.now())
        self.settle()
