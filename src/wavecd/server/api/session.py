"""`GET /api/v1/session/userinfo`: who the token is and what it may do, so a client (the web UI) shows only
the actions the server would allow.

The shape is Argo CD's `GetUserInfoResponse` (`loggedIn`, `username`, `iss`, `groups`), plus a top-level
`wavecd` key with the token's `role`; an unknown or missing token is refused (401) like any other route,
which is how the UI's sign-in page checks a pasted token.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from wavecd.server.api.auth import authenticate
from wavecd.server.api.context import ApiContext

__all__ = ["user_info"]


async def user_info(request: Request) -> Response:
    caller = authenticate(request, ApiContext.of(request).tokens)
    return JSONResponse(
        {
            "loggedIn": True,
            "username": caller.username,
            "iss": "wavecd",
            "groups": [],
            "wavecd": {"role": str(caller.role)},
        }
    )
