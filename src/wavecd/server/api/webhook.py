"""`POST /api/webhook`: a Git host's push event, handed to the controller untouched and unauthenticated
(the controller checks each host's signature, as Argo CD does).

The body is read only up to `webhook_max_bytes` (Argo CD's `webhook.maxPayloadSizeMB`); past it reading
stops and the handler is told the payload was oversized, so a huge body never sits in memory.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from wavecd.server.api.bodies import read_capped
from wavecd.server.api.context import ApiContext

__all__ = ["webhook"]


async def webhook(request: Request) -> Response:
    context = ApiContext.of(request)
    body, oversized = await read_capped(request, context.webhook_max_bytes)
    status, text = await run_in_threadpool(context.on_webhook, request.method, request.headers, body, oversized)
    return PlainTextResponse(text, status_code=status)
