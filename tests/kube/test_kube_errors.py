"""The API's `Status` answers as the `KubeError` family: the class says what happened, `reason`/`code`/`message`
are the server's own (Status shapes as the apiserver's `errors.go` builds them)."""

from __future__ import annotations

import httpx
import pytest

from wavecd.core import WavecdError
from wavecd.kube import (
    AlreadyExistsError,
    ApplyConflictError,
    ConflictError,
    ExpiredError,
    ForbiddenError,
    InvalidError,
    KubeConnectionError,
    KubeError,
    NotFoundError,
)
from wavecd.kube.errors import from_response, from_status, from_transport


def status(code, reason, message, details=None):
    body = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "message": message}
    body.update(reason=reason, code=code)
    if details is not None:
        body["details"] = details
    return body


@pytest.mark.parametrize(
    ("code", "reason", "cls"),
    [
        (404, "NotFound", NotFoundError),
        (409, "AlreadyExists", AlreadyExistsError),
        (409, "Conflict", ConflictError),
        (422, "Invalid", InvalidError),
        (400, "BadRequest", InvalidError),
        (403, "Forbidden", ForbiddenError),
        (410, "Expired", ExpiredError),
        (410, "Gone", ExpiredError),
        (500, "InternalError", KubeError),
        (404, "", NotFoundError),
    ],
)
def test_status_reason_and_code_pick_the_class(code, reason, cls):
    error = from_status(status(code, reason, "the message"))
    assert type(error) is cls
    assert (error.code, error.reason, error.message) == (code, reason, "the message")
    assert isinstance(error, WavecdError)


def test_field_manager_conflicts_are_apply_conflicts_with_their_fields():
    causes = [
        {"reason": "FieldManagerConflict", "message": 'conflict with "kubectl-edit" using v1', "field": ".data.a"},
        {"reason": "FieldManagerConflict", "message": 'conflict with "helm" using v1', "field": ".data.b"},
    ]
    message = (
        'Apply failed with 2 conflicts: conflicts with "kubectl-edit" using v1:\n- .data.a\n'
        'conflicts with "helm" using v1:\n- .data.b'
    )
    error = from_status(status(409, "Conflict", message, {"name": "cfg", "kind": "configmaps", "causes": causes}))
    assert isinstance(error, ApplyConflictError)
    assert isinstance(error, ConflictError)
    assert error.conflicts == [
        (".data.a", 'conflict with "kubectl-edit" using v1'),
        (".data.b", 'conflict with "helm" using v1'),
    ]
    assert error.details["name"] == "cfg"
    assert error.render() == message


def test_a_response_with_a_status_body():
    request = httpx.Request("GET", "https://k8s.example:6443/api/v1/namespaces/x/configmaps/y")
    body = status(404, "NotFound", 'configmaps "y" not found', {"name": "y", "kind": "configmaps"})
    error = from_response(httpx.Response(404, json=body, request=request))
    assert isinstance(error, NotFoundError)
    assert error.message == 'configmaps "y" not found'


def test_a_response_without_a_status_body_still_says_what_failed():
    request = httpx.Request("GET", "https://k8s.example:6443/apis/metrics.k8s.io/v1beta1")
    error = from_response(httpx.Response(503, text="service unavailable", request=request))
    assert type(error) is KubeError
    assert error.code == 503
    assert error.message == "the server answered 503 Service Unavailable for GET /apis/metrics.k8s.io/v1beta1"


def test_transport_failures():
    refused = from_transport(httpx.ConnectError("[Errno 111] Connection refused"), "https://10.0.0.1:6443")
    assert isinstance(refused, KubeConnectionError)
    assert refused.message == (
        "The connection to the server 10.0.0.1:6443 was refused - did you specify the right host or port?"
    )
    assert refused.context == ["ConnectError: [Errno 111] Connection refused"]
    timed_out = from_transport(httpx.ReadTimeout("timed out"), "https://10.0.0.1:6443")
    assert timed_out.message == "cannot reach the Kubernetes API at https://10.0.0.1:6443"
