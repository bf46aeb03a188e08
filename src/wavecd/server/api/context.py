"""What every route needs, kept on the Starlette app's state by `build_api`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from starlette.requests import Request

from wavecd.server.api.positions import TreePositions
from wavecd.server.tokens import TokenStore
from wavecd.server.view import ControllerView

__all__ = ["ApiContext", "WebhookHandler"]

# (method, headers, body, oversized) -> (HTTP status, text)
WebhookHandler = Callable[[str, Mapping[str, str], bytes, bool], tuple[int, str]]


@dataclass(frozen=True)
class ApiContext:
    view: ControllerView
    tokens: TokenStore
    on_webhook: WebhookHandler
    webhook_max_bytes: int
    refresh_timeout: float
    keepalive: float
    positions: TreePositions = field(default_factory=TreePositions)  # the streams' cache of places in the tree

    @staticmethod
    def of(request: Request) -> ApiContext:
        context = request.app.state.wavecd
        assert isinstance(context, ApiContext)
        return context
