"""Refusals are JSON `{"error", "code", "message"}` like Argo CD's gateway: malformed bodies are 400s naming
the field, the controller's refusals keep their status and text, and nothing unexpected leaks."""

from __future__ import annotations

import pytest
from api_fake import bearer

SYNC = "/api/v1/applications/web/sync"


@pytest.mark.parametrize(
    ("body", "text"),
    [
        ({"prune": "yes"}, '"prune" must be a boolean, not a string'),
        ({"dryRun": 1}, '"dryRun" must be a boolean, not a number'),
        ({"revision": 3}, '"revision" must be a string, not a number'),
        ({"resources": {}}, '"resources" must be a list, not an object'),
        ({"resources": ["x"]}, '"resources[0]" must be an object, not a string'),
        ({"resources": [{"kind": "Deployment"}]}, '"resources[0].name" is required'),
        ({"resources": [{"kind": "Pod", "name": "p", "namespace": 7}]}, '"resources[0].namespace" must be a string'),
        ({"resources": [{"kind": "Pod", "name": "p", "uid": "u"}]}, 'unknown field "resources[0].uid"'),
        ({"syncOptions": ["Prune=false"]}, '"syncOptions" must be an object, not a list'),
        ({"syncOptions": {"items": [True]}}, '"syncOptions.items[0]" must be a string, not a boolean'),
        ({"retry": {"limit": 1}}, 'unknown field "retry"'),
        ({"retryStrategy": {"limit": "many"}}, '"retryStrategy.limit" must be an integer'),
        ({"retryStrategy": {"limit": True}}, '"retryStrategy.limit" must be an integer, not a boolean'),
        ({"retryStrategy": {"limit": 2**63}}, '"retryStrategy.limit" is out of the int64 range'),
        ({"retryStrategy": {"backoff": {"duration": "5 parsecs"}}}, '"retryStrategy.backoff.duration": time: invalid'),
        ({"retryStrategy": {"backoff": {"factor": 1.5}}}, '"retryStrategy.backoff.factor" must be an integer'),
        ({"strategy": {"apply": {}}}, 'unknown field "strategy.apply"'),
        ({"strategy": {"hook": {"force": True}}}, '"strategy.hook.force" is not supported by wavecd'),
        ({"manifests": ["kind: Pod"]}, '"manifests" is not supported by wavecd'),
    ],
)
def test_malformed_sync_body_is_400_naming_the_field(client, view, tokens, body, text):
    response = client.post(SYNC, json=body, headers=bearer(tokens.admin))
    assert response.status_code == 400
    error = response.json()
    assert error["code"] == 3 and error["error"] == error["message"]
    assert error["error"].startswith("invalid request body: ") and text in error["error"]
    assert view.calls == []


@pytest.mark.parametrize(
    ("body", "text"),
    [
        (b"{", "invalid request body: not JSON"),
        (b"[1]", "invalid request body: expected a JSON object, not a list"),
        (b'{"prune": NaN}', "invalid request body: not JSON: NaN is not JSON"),
    ],
)
def test_a_body_that_is_not_a_json_object_is_400(client, tokens, body, text):
    response = client.post(SYNC, content=body, headers=bearer(tokens.admin))
    assert response.status_code == 400 and response.json()["error"].startswith(text)


@pytest.mark.parametrize(
    ("body", "text"),
    [
        ({}, '"id" is required'),
        ({"id": "three"}, '"id" must be an integer'),
        ({"id": 1, "dryRun": "no"}, '"dryRun" must be a boolean'),
        ({"id": 1, "revision": "x"}, 'unknown field "revision"'),
    ],
)
def test_malformed_rollback_body_is_400_naming_the_field(client, view, tokens, body, text):
    response = client.put("/api/v1/applications/web/rollback", json=body, headers=bearer(tokens.admin))
    assert response.status_code == 400 and text in response.json()["error"]
    assert view.calls == []


def test_a_body_over_the_cap_is_413_unread(client, view, tokens):
    response = client.post(SYNC, content=b" " * (1024 * 1024 + 1), headers=bearer(tokens.admin))
    assert response.status_code == 413
    assert response.json()["code"] == 8
    assert view.calls == []


def test_unknown_app_is_404_with_the_controllers_text(client, tokens):
    response = client.get("/api/v1/applications/nope/resource-tree", headers=bearer(tokens.readonly))
    assert response.status_code == 404
    assert response.json() == {
        "error": 'applications.argoproj.io "nope" not found',
        "code": 5,
        "message": 'applications.argoproj.io "nope" not found',
    }


def test_a_refused_request_is_400_with_the_controllers_text(client, view, tokens):
    view.operation_running = False
    response = client.delete("/api/v1/applications/web/operation", headers=bearer(tokens.admin))
    assert response.status_code == 400
    assert response.json()["error"] == "Unable to terminate operation. No operation is in progress"
    assert response.json()["code"] == 9
    response = client.put("/api/v1/applications/root/rollback", json={"id": 1}, headers=bearer(tokens.admin))
    assert (response.status_code, response.json()["error"]) == (
        400,
        "rollback cannot be initiated when auto-sync is enabled",
    )


def test_an_unexpected_failure_is_500_without_details(client, view, tokens, monkeypatch):
    def broken(name):
        raise RuntimeError("/home/alice/secret/path: boom")

    monkeypatch.setattr(view, "resource_tree", broken)
    response = client.get("/api/v1/applications/web/resource-tree", headers=bearer(tokens.readonly))
    assert response.status_code == 500
    assert response.json()["code"] == 13
    assert "boom" not in response.text and "Traceback" not in response.text and "alice" not in response.text


def test_unknown_routes_and_methods_answer_json(client, tokens):
    response = client.get("/api/v1/nothing", headers=bearer(tokens.readonly))
    assert (response.status_code, response.json()["code"]) == (404, 5)
    response = client.get("/api/v1/applications/web/sync", headers=bearer(tokens.admin))
    assert (response.status_code, response.json()["code"]) == (405, 12)
