"""`GET /api/v1/stream/applications`: every app as ADDED, then each change, for as long as the client
listens, framed as Argo CD's gateway frames its watch.

With `Accept: text/event-stream` each event is a server-sent event, `data: {"result":{"type":…,
"application":{…}}}` and a blank line, with a `:` comment every 15 s so proxies and browsers keep an idle
stream open; otherwise one JSON object per line. An event identical to the last one sent for the same app is
not sent again, as Argo CD suppresses it. `?name=` follows one app. Each Application carries the `wavecd` key
(its place in the tree) as `GET /api/v1/applications` gives it, so a client never has to ask again.

`?fields=` cuts each frame as the list's items are cut (paths from `result`), and an event whose cut frame is
the same as the last one sent for its app is not sent: a page that shows health and sync status is not told
of a resource's every change. `?resourceVersion=` (any value; Argo CD's UI passes the list's) skips the
replay of every app, as Argo CD's watch does without `name`: the client has just listed them.

The controller's `watch` is a blocking iterator: it runs in a thread of its own (not the request pool, so
open streams never starve the other routes) and hands events over through a small bounded queue, so a slow
client holds back its own watch rather than filling memory. When the client goes, the watch is told to stop.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import threading
from typing import Any

import anyio
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from wavecd.goyaml.gojson import marshal
from wavecd.server.api.auth import Action, authorize
from wavecd.server.api.context import ApiContext
from wavecd.server.api.fields import FieldSelector
from wavecd.server.api.positions import TreePositions
from wavecd.server.api.progress import wavecd_key
from wavecd.server.view import ApplicationEvent, ControllerView

__all__ = ["watch_applications"]

_log = logging.getLogger("wavecd.server.api")
_QUEUE_SIZE = 64
_HANDOVER_POLL = 0.5  # how often a watch thread blocked on a full queue checks whether to stop


async def watch_applications(request: Request) -> Response:
    context = ApiContext.of(request)
    await authorize(request, context.tokens, context.view, Action.GET, "*")
    sse = "text/event-stream" in request.headers.get("accept", "")
    name = request.query_params.get("name")
    return _WatchResponse(
        context.view,
        context.positions,
        name,
        sse=sse,
        keepalive=context.keepalive,
        fields=FieldSelector.parse(request.query_params.get("fields")),
        replay=bool(name) or not request.query_params.get("resourceVersion"),
    )


class _WatchResponse(Response):
    def __init__(
        self,
        view: ControllerView,
        positions: TreePositions,
        name: str | None,
        *,
        sse: bool,
        keepalive: float,
        fields: FieldSelector | None,
        replay: bool,
    ):
        self.status_code = 200
        self.media_type = "text/event-stream" if sse else "application/json"
        self.raw_headers = [
            (b"content-type", f"{self.media_type}; charset=utf-8".encode()),
            (b"cache-control", b"no-cache"),
            (b"x-accel-buffering", b"no"),  # nginx: pass each frame on at once
        ]
        self._view = view
        self._positions = positions
        self._name = name
        self._sse = sse
        self._keepalive = keepalive
        self._fields = fields
        self._replay = replay

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        stop = threading.Event()
        queue: asyncio.Queue[ApplicationEvent | None] = asyncio.Queue(_QUEUE_SIZE)
        loop = asyncio.get_running_loop()
        threading.Thread(target=self._pump, args=(loop, queue, stop), name="wavecd-api-watch", daemon=True).start()
        try:
            await send({"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers})
            async with anyio.create_task_group() as tasks:

                async def until_disconnect() -> None:
                    while (await receive())["type"] != "http.disconnect":
                        pass
                    tasks.cancel_scope.cancel()

                tasks.start_soon(until_disconnect)
                await self._frames(queue, send)
                await send({"type": "http.response.body", "body": b"", "more_body": False})
                tasks.cancel_scope.cancel()
        finally:
            stop.set()

    async def _frames(self, queue: asyncio.Queue[ApplicationEvent | None], send: Send) -> None:
        sent: dict[str, bytes] = {}  # app → digest of its last frame: 1,000 apps cost kilobytes, not megabytes
        while True:
            try:
                event = await asyncio.wait_for(queue.get(), self._keepalive)
            except TimeoutError:
                if self._sse:
                    await send({"type": "http.response.body", "body": b":\n\n", "more_body": True})
                continue
            if event is None:
                return
            app = _app_name(event.application)
            if self._name is not None and app != self._name:
                continue
            result: dict[str, Any] = {"type": event.type, "application": event.application}
            if self._fields is not None:
                result = self._fields.apply({"result": result}).get("result", {})
            # Field order as the proto declares them (a Go map would sort them): type, then application.
            frame = '{"result":{' + ",".join(f"{marshal(k)}:{marshal(v)}" for k, v in result.items()) + "}}"
            digest = hashlib.blake2b(frame.encode(), digest_size=16).digest()
            if sent.get(app) == digest:
                continue
            if event.type == "DELETED":
                sent.pop(app, None)
            else:
                sent[app] = digest
            body = f"data: {frame}\n\n" if self._sse else f"{frame}\n"
            await send({"type": "http.response.body", "body": body.encode(), "more_body": True})

    def _pump(
        self, loop: asyncio.AbstractEventLoop, queue: asyncio.Queue[ApplicationEvent | None], stop: threading.Event
    ) -> None:
        """The watch thread: events into the queue until the watch ends or the stream is stopped; None last."""
        positions = self._positions
        try:
            for event in self._view.watch(stop, replay=self._replay):
                position = positions.of(self._view, event)
                placed = ApplicationEvent(
                    event.type, {**event.application, "wavecd": wavecd_key(position, event.application)}
                )
                if not _hand_over(loop, queue, placed, stop):
                    return
        except Exception:
            _log.exception("the application watch failed")
        _hand_over(loop, queue, None, stop)


def _hand_over(
    loop: asyncio.AbstractEventLoop,
    queue: asyncio.Queue[ApplicationEvent | None],
    item: ApplicationEvent | None,
    stop: threading.Event,
) -> bool:
    """Put `item` on the event loop's queue, waiting while it is full; False once the stream has stopped."""
    try:
        future = asyncio.run_coroutine_threadsafe(queue.put(item), loop)
    except RuntimeError:  # the event loop is gone
        return False
    while not stop.is_set():
        try:
            future.result(_HANDOVER_POLL)
            return True
        except TimeoutError:
            continue
    future.cancel()
    return False


def _app_name(application: dict[str, Any]) -> str:
    metadata = application.get("metadata")
    name = metadata.get("name") if isinstance(metadata, dict) else None
    return name if isinstance(name, str) else ""
