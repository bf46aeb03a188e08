"""The `KubeError` family: what a Kubernetes API said, as wavecd errors.

Callers decide by class (`NotFoundError`, `ApplyConflictError`, `NoKindMatchError`, ...) or by the `reason` and
`code` of the API's `Status`, never by parsing messages. The message is the API's own text, so what a user reads
is what kubectl would have shown.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from wavecd.core.errors import UserInputError, WavecdError
from wavecd.core.goquote import quote


class KubeError(WavecdError):
    """An error answered by (or on the way to) a Kubernetes API; `reason`/`code` come from its `Status`."""

    def __init__(
        self,
        message: str,
        *,
        reason: str = "",
        code: int = 0,
        details: dict[str, Any] | None = None,
        context: list[str] | None = None,
    ):
        super().__init__(message, context=context)
        self.reason = reason
        self.code = code
        self.details = dict(details or {})

    @property
    def causes(self) -> list[dict[str, Any]]:
        """The `details.causes` of the Status (field-level reasons, such as each SSA conflict)."""
        return list(self.details.get("causes") or [])


class NotFoundError(KubeError):
    """404 NotFound: the object (or its namespace) does not exist."""


class AlreadyExistsError(KubeError):
    """409 AlreadyExists: a create found an object with that name."""


class ConflictError(KubeError):
    """409 Conflict: a stale resourceVersion, or (as `ApplyConflictError`) fields owned by another manager."""


class ApplyConflictError(ConflictError):
    """409 Conflict from server-side apply: another field manager owns fields this apply sets differently."""

    @property
    def conflicts(self) -> list[tuple[str, str]]:
        """(field, message) for each `FieldManagerConflict` cause, in the server's order."""
        return [
            (c.get("field", ""), c.get("message", "")) for c in self.causes if c.get("reason") == "FieldManagerConflict"
        ]


class InvalidError(KubeError):
    """422 Invalid (or 400 BadRequest): the server rejected the object's content."""


class ForbiddenError(KubeError):
    """403 Forbidden: not allowed, e.g. new content in a terminating namespace."""


class ExpiredError(KubeError):
    """410 Expired/Gone: a watch asked for a resourceVersion the server no longer has; list again."""


class NoKindMatchError(KubeError):
    """The API serves no such kind at that version (yet): a custom resource before its CRD is established."""

    def __init__(self, api_version: str, kind: str):
        super().__init__(
            f"no matches for kind {quote(kind)} in version {quote(api_version)}",
            reason="NoKindMatch",
            code=404,
            details={"kind": kind, "apiVersion": api_version},
            context=["ensure CRDs are installed first"],
        )
        self.api_version = api_version
        self.kind = kind


class KubeConnectionError(KubeError):
    """The API could not be reached, or broke off, or answered something that is not the Kubernetes API."""


class KubeConfigError(UserInputError):
    """A kubeconfig that is missing, unreadable or lacks the requested context."""


_BY_REASON: dict[str, type[KubeError]] = {
    "NotFound": NotFoundError,
    "AlreadyExists": AlreadyExistsError,
    "Conflict": ConflictError,
    "Invalid": InvalidError,
    "BadRequest": InvalidError,
    "Forbidden": ForbiddenError,
    "Expired": ExpiredError,
    "Gone": ExpiredError,
}

_BY_CODE: dict[int, type[KubeError]] = {
    404: NotFoundError,
    409: ConflictError,
    422: InvalidError,
    400: InvalidError,
    403: ForbiddenError,
    410: ExpiredError,
}


def from_status(status: dict[str, Any], *, fallback_code: int = 0) -> KubeError:
    """The error a `Status` object (an error response body, or a watch `ERROR` event) stands for."""
    code = status.get("code") or fallback_code
    reason = status.get("reason") or ""
    message = status.get("message") or f"the server answered {code} {reason}".rstrip()
    details = status.get("details") or {}
    causes = details.get("causes") or []
    if code == 409 and any(c.get("reason") == "FieldManagerConflict" for c in causes):
        cls: type[KubeError] = ApplyConflictError
    else:
        cls = _BY_REASON.get(reason) or _BY_CODE.get(code, KubeError)
    return cls(message, reason=reason, code=code, details=details)


def from_response(response: httpx.Response) -> KubeError:
    """The error an unsuccessful HTTP response stands for: its Status body when it has one."""
    try:
        body = json.loads(response.read())
    except (ValueError, httpx.HTTPError):
        body = None
    if isinstance(body, dict) and body.get("kind") == "Status":
        return from_status(body, fallback_code=response.status_code)
    text = response.reason_phrase or "error"
    cls = _BY_CODE.get(response.status_code, KubeError)
    return cls(
        f"the server answered {response.status_code} {text} for {response.request.method} {response.request.url.path}",
        code=response.status_code,
    )


def from_transport(error: httpx.HTTPError, server: str) -> KubeConnectionError:
    """A failure below HTTP (refused, reset, timed out); a refused connection is worded as kubectl words it."""
    cause = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    if isinstance(error, httpx.ConnectError):
        host = httpx.URL(server).netloc.decode() or server
        message = f"The connection to the server {host} was refused - did you specify the right host or port?"
    else:
        message = f"cannot reach the Kubernetes API at {server}"
    return KubeConnectionError(message, context=[cause])
