"""Every route but the webhook needs a bearer token: none → 401 `no session information`, an unknown one →
401 `invalid session: …`, a readonly token on a write → 403 `permission denied: …` (Argo CD's texts), and
the admin token is let through."""

from __future__ import annotations

import pytest
from api_fake import bearer

READS = [
    ("GET", "/api/v1/applications", None),
    ("GET", "/api/v1/applications/web", None),
    ("GET", "/api/v1/applications/web/resource-tree", None),
    ("GET", "/api/v1/applications/web/managed-resources", None),
    ("GET", "/api/v1/stream/applications", None),
]
WRITES = [
    ("GET", "/api/v1/applications/web?refresh=normal", None),
    ("GET", "/api/v1/applications/web?refresh=hard", None),
    ("POST", "/api/v1/applications/web/sync", {"prune": True}),
    ("PUT", "/api/v1/applications/web/rollback", {"id": 3}),
    ("POST", "/api/v1/applications/web/rollback", {"id": 3}),
    ("DELETE", "/api/v1/applications/web/operation", None),
]
ROUTES = READS + WRITES


def call(client, method, url, body, headers=None):
    return client.request(method, url, json=body, headers=headers or {})


@pytest.mark.parametrize(("method", "url", "body"), ROUTES)
def test_no_token_is_401_no_session_information(client, view, method, url, body):
    response = call(client, method, url, body)
    assert response.status_code == 401
    assert response.json() == {"error": "no session information", "code": 16, "message": "no session information"}
    assert response.headers["www-authenticate"] == "Bearer"
    assert view.calls == []


@pytest.mark.parametrize(("method", "url", "body"), ROUTES)
@pytest.mark.parametrize("header", ["Bearer wcd_not-a-token", "Bearer ", "Basic YWRtaW46YWRtaW4="])
def test_a_wrong_token_is_401(client, view, tokens, method, url, body, header):
    response = call(client, method, url, body, {"Authorization": header})
    assert response.status_code == 401
    error = response.json()["error"]
    assert (
        error == "no session information"
        if header != "Bearer wcd_not-a-token"
        else error.startswith("invalid session: ")
    )
    assert view.calls == []


@pytest.mark.parametrize(("method", "url", "body"), WRITES)
def test_readonly_on_a_write_is_403(client, view, tokens, method, url, body):
    response = call(client, method, url, body, bearer(tokens.readonly))
    assert response.status_code == 403
    error = response.json()
    assert error["code"] == 7
    assert error["error"].startswith("permission denied: applications, ")
    assert ", team/web, sub: token:" in error["error"]  # the app's project, as Argo CD names its object
    assert [c[0] for c in view.calls] == ["application"]  # only the project was looked up; nothing done


def test_readonly_on_a_write_to_a_missing_app_is_403_too(client, view, tokens):
    response = client.post("/api/v1/applications/nope/sync", headers=bearer(tokens.readonly))
    assert response.status_code == 403
    assert response.json()["error"].startswith("permission denied: applications, sync, default/nope, sub: ")


@pytest.mark.parametrize(("method", "url", "body"), READS)
def test_readonly_may_read(client, tokens, method, url, body):
    view_done = call(client, method, url, body, bearer(tokens.readonly))
    assert view_done.status_code == 200


@pytest.mark.parametrize(("method", "url", "body"), ROUTES)
def test_admin_may_do_everything(client, tokens, method, url, body):
    assert call(client, method, url, body, bearer(tokens.admin)).status_code == 200


def test_the_bearer_scheme_is_case_insensitive(client, tokens):
    response = client.get("/api/v1/applications", headers={"Authorization": f"bearer {tokens.readonly}"})
    assert response.status_code == 200


def test_the_webhook_needs_no_token(client):
    assert client.post("/api/webhook", content=b"{}").status_code == 200
