"""Who is asking, and whether they may: a bearer token per request, and Argo CD's texts when not.

Writes are refused to `readonly` before the request body is read or the controller is asked anything but
the app's project (which the refusal names, as Argo CD's `permission denied: applications, sync,
<project>/<app>, sub: …` does). Refreshing is a write here, though Argo CD lets `get` refresh: it makes the
controller render and compare at once, which a reader should not be able to force.
"""

from __future__ import annotations

import enum

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from wavecd.server.errors import NotFound, PermissionDenied, Unauthenticated
from wavecd.server.tokens import Caller, Role, TokenStore
from wavecd.server.view import ControllerView

__all__ = ["Action", "authenticate", "authorize"]

_BEARER = "bearer "


class Action(enum.StrEnum):
    """Argo CD's RBAC actions on `applications`; `get` is every role's, the rest `admin`'s."""

    GET = "get"
    SYNC = "sync"  # Argo CD checks `sync` for sync, rollback and terminate alike
    REFRESH = "refresh"


def authenticate(request: Request, tokens: TokenStore) -> Caller:
    """The caller behind `Authorization: Bearer <token>`; raises Unauthenticated as Argo CD words it."""
    header = request.headers.get("authorization", "")
    if header[: len(_BEARER)].lower() != _BEARER or not header[len(_BEARER) :].strip():
        raise Unauthenticated("no session information")
    caller = tokens.authenticate(header[len(_BEARER) :].strip())
    if caller is None:
        raise Unauthenticated("invalid session: the token is not one this server issued")
    return caller


async def authorize(request: Request, tokens: TokenStore, view: ControllerView, action: Action, app: str) -> Caller:
    """`authenticate`, then refuse a write to a `readonly` caller."""
    caller = authenticate(request, tokens)
    if action is Action.GET or caller.role is Role.ADMIN:
        return caller
    project = "default"
    try:
        spec = (await run_in_threadpool(view.application, app)).application.get("spec")
        if isinstance(spec, dict) and isinstance(spec.get("project"), str) and spec["project"]:
            project = spec["project"]
    except NotFound:
        pass  # refused all the same, and in the same words: a denial never says whether the app exists
    raise PermissionDenied(f"permission denied: applications, {action}, {project}/{app}, sub: {caller.username}")
