"""What a request to the controller can be refused with, in gRPC's terms as Argo CD's API speaks them.

The controller raises these; the HTTP layer turns each into its status code (Argo CD's gateway mapping:
InvalidArgument and FailedPrecondition 400, Unauthenticated 401, PermissionDenied 403, NotFound 404), so
the controller never thinks in HTTP and the API never guesses what an error meant.
"""

from __future__ import annotations

from wavecd.core import WavecdError

__all__ = ["ApiError", "FailedPrecondition", "InvalidArgument", "NotFound", "PermissionDenied", "Unauthenticated"]


class ApiError(WavecdError):
    """A refused request; `status` is the HTTP status Argo CD's gateway gives its gRPC code."""

    status = 500
    code = "Unknown"


class InvalidArgument(ApiError):
    status = 400
    code = "InvalidArgument"


class FailedPrecondition(ApiError):
    status = 400
    code = "FailedPrecondition"


class Unauthenticated(ApiError):
    status = 401
    code = "Unauthenticated"


class PermissionDenied(ApiError):
    status = 403
    code = "PermissionDenied"


class NotFound(ApiError):
    status = 404
    code = "NotFound"
