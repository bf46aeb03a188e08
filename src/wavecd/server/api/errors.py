"""Every refusal as Argo CD's gateway words it: JSON `{"error", "code", "message"}` with the gRPC code's
number, under the HTTP status the gateway gives that code.

An error nobody expected becomes a 500 with a fixed text: its details go to the log, never to the client,
since a traceback can hold paths, manifests or worse.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from wavecd.server.errors import ApiError

__all__ = ["BodyTooLarge", "api_error", "http_error", "unexpected_error"]

_log = logging.getLogger("wavecd.server.api")

# google.golang.org/grpc/codes, by the names `ApiError.code` uses.
_GRPC_CODES = {
    "Unknown": 2,
    "InvalidArgument": 3,
    "NotFound": 5,
    "PermissionDenied": 7,
    "ResourceExhausted": 8,
    "FailedPrecondition": 9,
    "Unimplemented": 12,
    "Internal": 13,
    "Unauthenticated": 16,
}
# What the gateway would have answered for the statuses starlette's router raises itself.
_CODE_OF_STATUS = {404: "NotFound", 405: "Unimplemented", 413: "ResourceExhausted"}


class BodyTooLarge(ApiError):
    """A request body over the API's cap; refused before more of it is read."""

    status = 413
    code = "ResourceExhausted"


def _response(status: int, code: str, text: str, headers: Mapping[str, str] | None = None) -> JSONResponse:
    body = {"error": text, "code": _GRPC_CODES.get(code, _GRPC_CODES["Unknown"]), "message": text}
    return JSONResponse(body, status_code=status, headers=headers)


async def api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
    return _response(exc.status, exc.code, exc.message, headers)


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return _response(exc.status_code, _CODE_OF_STATUS.get(exc.status_code, "Unknown"), exc.detail, exc.headers)


async def unexpected_error(request: Request, exc: Exception) -> Response:
    _log.error("%s %s failed", request.method, request.url.path, exc_info=exc)
    return _response(500, "Internal", "internal error: the request failed; the server log says why")
