"""API errors as Kubernetes `Status` objects, worded like the apiserver's `errors.go` (clients match on them)."""

from __future__ import annotations

from wavecd.core.errors import WavecdError
from wavecd.sim.registry import Kind

# The apiserver's message for a 422 that carries no reason of its own.
GENERIC_INVALID = "the server rejected our request due to an error in our request"


class ApiError(WavecdError):
    """An error the simulated API answers with; `status()` is the body it sends."""

    def __init__(self, code: int, reason: str, message: str, details: dict | None = None):
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.details = details

    def status(self) -> dict:
        body = {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
            "code": self.code,
        }
        if self.details is not None:
            body["details"] = self.details
        return body


def _details(kind: Kind, name: str) -> dict:
    details = {"name": name, "kind": kind.plural} if name else {"kind": kind.plural}
    if kind.group:
        details["group"] = kind.group
    return details


# Built-in kinds whose storage answers a delete with the deleted object (`ReturnDeletedObject`).
RETURNS_DELETED_OBJECT = frozenset({("", "Pod"), ("", "Service"), ("", "ServiceAccount")})


def deleted(kind: Kind, obj: dict) -> dict:
    """What a DELETE answers once the object is gone at once (no finalizer held it): the apiserver's `Success`
    Status naming it, or, for the kinds that return it and for custom resources, the object itself."""
    meta = obj.get("metadata") or {}
    if meta.get("deletionTimestamp") or kind.schema is not None or (kind.group, kind.kind) in RETURNS_DELETED_OBJECT:
        return obj
    details = {**_details(kind, meta.get("name", "")), "uid": meta.get("uid")}
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "details": details}


def not_found(kind: Kind, name: str) -> ApiError:
    return ApiError(404, "NotFound", f'{kind.group_resource} "{name}" not found', _details(kind, name))


def namespace_not_found(name: str) -> ApiError:
    return ApiError(404, "NotFound", f'namespaces "{name}" not found', {"name": name, "kind": "namespaces"})


def no_route() -> ApiError:
    return ApiError(404, "NotFound", "the server could not find the requested resource", {})


def no_kind(kind: str, api_version: str) -> ApiError:
    """A write of a kind nothing serves (yet): what kubectl says for it, answered by the server."""
    return ApiError(404, "NotFound", f'no matches for kind "{kind}" in version "{api_version}"', {"kind": kind})


def already_exists(kind: Kind, name: str) -> ApiError:
    return ApiError(409, "AlreadyExists", f'{kind.group_resource} "{name}" already exists', _details(kind, name))


def stale(kind: Kind, name: str) -> ApiError:
    return ApiError(
        409,
        "Conflict",
        f'Operation cannot be fulfilled on {kind.group_resource} "{name}": the object has been modified; '
        "please apply your changes to the latest version and try again",
        _details(kind, name),
    )


def version_required(kind: Kind, name: str) -> ApiError:
    """An update without a resourceVersion where the kind's strategy refuses unconditional updates (the generic
    registry's `Update`; it names the resource, not the kind, and prints Go's uint64 zero as `%#v` does)."""
    cause = "Invalid value: 0x0: must be specified for an update"
    details = _details(kind, name)
    details["causes"] = [{"reason": "FieldValueInvalid", "message": cause, "field": "metadata.resourceVersion"}]
    return ApiError(
        422, "Invalid", f'{kind.group_resource} "{name}" is invalid: metadata.resourceVersion: {cause}', details
    )


def invalid(kind: Kind, name: str, causes: list[tuple[str, str, str]]) -> ApiError:
    """422 Invalid; causes are (reason, field, message)."""
    text = "; ".join(f"{field}: {message}" for _, field, message in causes)
    details = _details(kind, name)
    details["kind"] = kind.kind
    details["causes"] = [{"reason": r, "message": m, "field": f} for r, f, m in causes]
    if len(causes) > 1:
        text = "[" + ", ".join(f"{field}: {message}" for _, field, message in causes) + "]"
    qualified = f"{kind.kind}.{kind.group}" if kind.group else kind.kind
    return ApiError(422, "Invalid", f'{qualified} "{name}" is invalid: {text}', details)


def request_entity_too_large(limit: int) -> ApiError:
    """`limitedReadBody`'s answer (apiserver `pkg/endpoints/handlers/rest.go`, `NewRequestEntityTooLargeError`)."""
    return ApiError(413, "RequestEntityTooLarge", f"Request entity too large: limit is {limit}")


def bad_request(message: str) -> ApiError:
    return ApiError(400, "BadRequest", message)


def terminating(kind: Kind, name: str, namespace: str) -> ApiError:
    details = _details(kind, name)
    details["causes"] = [
        {
            "reason": "NamespaceTerminating",
            "message": f"namespace {namespace} is being terminated",
            "field": "metadata.namespace",
        }
    ]
    return ApiError(
        403,
        "Forbidden",
        f'{kind.group_resource} "{name}" is forbidden: unable to create new content in namespace {namespace} '
        "because it is being terminated",
        details,
    )


ACCEPTED = {"application/vnd.kubernetes.protobuf": "application/json, application/yaml"}


def unsupported_media(content_type: str) -> ApiError:
    return ApiError(
        415,
        "UnsupportedMediaType",
        "the body of the request was in an unknown format - accepted media types include: "
        + ACCEPTED.get(content_type.split(";")[0].strip(), "application/json, application/yaml"),
    )


def method_not_allowed(
    message: str = "the server does not allow this method on the requested resource",
) -> ApiError:
    return ApiError(405, "MethodNotAllowed", message, {})
