"""gzip for every response but the stream's, because a 1,000-app list is megabytes of very repetitive JSON.

Starlette's `GZipMiddleware` compresses a streamed body chunk by chunk without flushing, so a stream's frames
would wait in the compressor until kilobytes piled up; it already leaves `text/event-stream` alone, but the
newline-delimited form is `application/json`. The stream's path is therefore passed by untouched. The API
reads its token from a header, never a cookie, so another site cannot make a browser send an authenticated
request whose compressed size it could measure (BREACH needs that).
"""

from __future__ import annotations

from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

__all__ = ["CompressExceptStreams"]

_STREAMS = "/api/v1/stream/"
_MINIMUM_SIZE = 1024  # below this the gzip header and the CPU cost more than they save
_LEVEL = 6  # zlib's default: nearly level 9's size on JSON for a fraction of its time


class CompressExceptStreams:
    def __init__(self, app: ASGIApp) -> None:
        self._app = app
        self._gzip = GZipMiddleware(app, minimum_size=_MINIMUM_SIZE, compresslevel=_LEVEL)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and str(scope.get("path", "")).startswith(_STREAMS):
            await self._app(scope, receive, send)
        else:
            await self._gzip(scope, receive, send)
