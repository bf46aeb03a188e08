"""`wavecd serve` as one call: the controller, the webhook receiver and the HTTP API in one process.

uvicorn serves the API in the calling thread and turns SIGINT and SIGTERM into a graceful stop: requests
in flight (an API write) finish, then the controller stops — a running sync is told to stop, and the
operations it was running stay recorded on their Applications for the next controller to resume.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import uvicorn

from wavecd.apps.session import TreeRequest
from wavecd.core import Clock
from wavecd.kube import KubeClient
from wavecd.server.api import build_api
from wavecd.server.controller import Controller
from wavecd.server.leader import LeaderElector, lease_name
from wavecd.server.settings import ServeSettings
from wavecd.server.sharding import Sharding
from wavecd.server.tokens import TokenStore
from wavecd.server.webhook import PushEvent, WebhookReceiver, affected_apps, shown_apps, tracked_app
from wavecd.sources.config import WebhookSettings

__all__ = ["Listen", "serve"]

LEASE_REQUEST_TIMEOUT = 5.0  # seconds; under the elector's renew deadline (10 s)
GRACEFUL_SHUTDOWN_SECONDS = 5


@contextlib.contextmanager
def _stop_signals_end_cleanly() -> Iterator[None]:
    """uvicorn stops gracefully on SIGINT and SIGTERM, then raises the signal again under the handlers it
    found; these handlers take it, so a requested stop ends with status 0 (the issue's contract) instead of
    the process dying of the signal."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.signal(sig, lambda _signum, _frame: None) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


@dataclass(frozen=True)
class Listen:
    host: str = "127.0.0.1"
    port: int = 8080


def serve(
    request: TreeRequest,
    client: KubeClient,
    settings: ServeSettings,
    *,
    listen: Listen,
    tokens: TokenStore,
    webhook: WebhookSettings,
    clock: Clock,
    log: Callable[[str], None],
    leader_election: bool = False,
) -> None:
    """Run until SIGINT or SIGTERM. With `leader_election`, only the replica holding its shard's Lease
    writes; the others serve reads and stand by."""
    sharding = Sharding(settings.shards, settings.shard)
    elector: LeaderElector | None = None
    controller = Controller(
        request,
        client,
        settings,
        clock=clock,
        log=log,
        owns=sharding.owns,
        holds_lease=lambda: elector is None or elector.is_leader,
    )

    def on_push(event: PushEvent) -> None:
        apps = [tracked_app(node.app) for node in controller.state.applications() if node.app is not None]
        matched = affected_apps(event, apps)
        if matched:
            log(f"webhook: {event.provider} push to {event.revision} touches {shown_apps(matched)}")
            controller.on_push_matched(matched)

    receiver = WebhookReceiver(webhook, on_push)
    api = build_api(
        controller,
        tokens,
        on_webhook=lambda method, headers, body, oversized: receiver.receive(
            method, headers, body, oversized=oversized
        ),
        webhook_max_bytes=receiver.max_payload_bytes,
        refresh_timeout=settings.refresh_timeout,
    )
    server = uvicorn.Server(
        uvicorn.Config(
            api,
            host=listen.host,
            port=listen.port,
            log_level="warning",
            lifespan="off",
            # An open stream never ends by itself: a stop waits this long for requests in flight, no longer.
            timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
        )
    )
    # The elector's own client gives up on a hung request well within the renew deadline (client-go's rule),
    # so a leader cut off from the API knows it before a standby may take the Lease.
    lease_client = client.sibling(timeout=LEASE_REQUEST_TIMEOUT) if leader_election else None
    elector = (
        LeaderElector(
            lease_client,
            lease_name(settings.shard),
            settings.namespace,
            identity=settings.identity,
            lease_duration=settings.lease_duration,
            on_started_leading=controller.lead,
            on_stopped_leading=controller.follow,
            log=log,
        )
        if lease_client is not None
        else None
    )
    controller.start()
    if elector is None:
        controller.lead()
    else:
        elector.start()
    try:
        with _stop_signals_end_cleanly():
            server.run()
    finally:
        if elector is not None:
            elector.stop()
        controller.stop()
        if lease_client is not None:
            lease_client.close()
