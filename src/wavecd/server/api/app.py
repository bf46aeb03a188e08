"""The API's Starlette application: its routes, and how each kind of error becomes a response."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from wavecd.server.api import applications, errors, resources, session, stream
from wavecd.server.api.compression import CompressExceptStreams
from wavecd.server.api.context import ApiContext, WebhookHandler
from wavecd.server.api.webhook import webhook
from wavecd.server.errors import ApiError
from wavecd.server.tokens import TokenStore
from wavecd.server.ui import ui_routes
from wavecd.server.view import ControllerView

__all__ = ["build_api"]

_APP = "/api/v1/applications/{name}"
# How long `?refresh=` waits for the reconcile before answering with the app as it is.
_REFRESH_TIMEOUT = 60.0
_SSE_KEEPALIVE = 15.0  # argoproj/pkg's forwarders.go


async def healthz(request: Request) -> PlainTextResponse:
    """The liveness and readiness probe, unauthenticated, as Argo CD's `/healthz` answers `ok`."""
    return PlainTextResponse("ok")


def build_api(
    view: ControllerView,
    tokens: TokenStore,
    *,
    on_webhook: WebhookHandler,
    webhook_max_bytes: int,
    refresh_timeout: float = _REFRESH_TIMEOUT,
    keepalive: float = _SSE_KEEPALIVE,
) -> Starlette:
    """The HTTP API over `view`: Argo CD's application routes (bearer tokens from `tokens`), the
    unauthenticated webhook, whose requests go to `on_webhook(method, headers, body, oversized)`, and the
    web UI's static shell (`wavecd.server.ui`)."""
    routes = [
        Route("/api/v1/applications", applications.list_applications, methods=["GET"]),
        Route(_APP, applications.get_application, methods=["GET"]),
        Route(f"{_APP}/resource-tree", resources.resource_tree, methods=["GET"]),
        Route(f"{_APP}/managed-resources", resources.managed_resources, methods=["GET"]),
        Route(f"{_APP}/events", resources.resource_events, methods=["GET"]),
        Route(f"{_APP}/sync", applications.sync, methods=["POST"]),
        Route(f"{_APP}/rollback", applications.rollback, methods=["PUT", "POST"]),
        Route(f"{_APP}/operation", applications.terminate, methods=["DELETE"]),
        Route("/api/v1/stream/applications", stream.watch_applications, methods=["GET"]),
        Route("/api/webhook", webhook, methods=["GET", "POST", "PUT", "PATCH", "DELETE"]),
        Route("/api/v1/session/userinfo", session.user_info, methods=["GET"]),
        Route("/healthz", healthz, methods=["GET"]),
        *ui_routes(),
    ]
    api = Starlette(
        routes=routes,
        middleware=[Middleware(CompressExceptStreams)],
        exception_handlers={
            ApiError: errors.api_error,
            HTTPException: errors.http_error,
            Exception: errors.unexpected_error,
        },
    )
    api.state.wavecd = ApiContext(view, tokens, on_webhook, webhook_max_bytes, refresh_timeout, keepalive)
    return api
