"""What each route answers, in Argo CD's shapes with wavecd's additions, and what it asks of the controller."""

from __future__ import annotations

import json

from api_fake import CREATED, bearer

from wavecd.server.view import ResourceRef, SyncRequest


def test_list_is_sorted_by_name_with_the_tree_beside_each_application(client, tokens):
    response = client.get("/api/v1/applications", headers=bearer(tokens.readonly))
    items = response.json()["items"]
    assert [i["metadata"]["name"] for i in items] == ["root", "web"]
    assert items[1]["kind"] == "Application" and items[1]["spec"]["project"] == "team"
    assert items[1]["wavecd"] == {
        "parent": "root",
        "wave": 2,
        "generatedBy": None,
        "progress": {"done": 0, "total": 0, "waitingOn": None},
    }
    assert items[0]["wavecd"] == {
        "parent": None,
        "wave": None,
        "generatedBy": None,
        "progress": {"done": 0, "total": 0, "waitingOn": None},
    }


def test_get_without_refresh_does_not_refresh(client, view, tokens):
    response = client.get("/api/v1/applications/web", headers=bearer(tokens.readonly))
    assert response.json()["metadata"]["name"] == "web"
    assert view.calls == [("application", "web")]


def test_refresh_hard_and_anything_else_normal(client, view, tokens):
    for query, hard in (("hard", True), ("normal", False), ("", False), ("HARD", False)):
        view.calls.clear()
        response = client.get(f"/api/v1/applications/web?refresh={query}", headers=bearer(tokens.admin))
        assert response.status_code == 200
        assert view.calls == [("refresh", "web", hard)]


def test_resource_tree_in_argo_cd_resource_node_shape(client, tokens):
    nodes = client.get("/api/v1/applications/web/resource-tree", headers=bearer(tokens.readonly)).json()["nodes"]
    assert nodes[0] == {
        "group": "apps",
        "version": "v1",
        "kind": "Deployment",
        "namespace": "web",
        "name": "web",
        "uid": "u1",
        "resourceVersion": "10",
        "parentRefs": [],
        "health": {"status": "Healthy", "message": ""},
        "createdAt": CREATED,
    }
    assert nodes[1]["parentRefs"] == [{"group": "apps", "kind": "Deployment", "namespace": "web", "name": "web"}]
    assert nodes[1]["health"] == {"status": "Progressing", "message": "1/2"}
    assert "health" not in nodes[2] and "createdAt" not in nodes[2]


def test_managed_resources_as_json_strings_masked_with_a_diff_and_no_hooks(client, tokens):
    items = client.get("/api/v1/applications/web/managed-resources", headers=bearer(tokens.readonly)).json()["items"]
    assert [(i["kind"], i["name"]) for i in items] == [("Secret", "db"), ("Deployment", "web")]
    secret, deployment = items
    target, live = json.loads(secret["targetState"]), json.loads(secret["liveState"])
    # desired stringData folded into data; the value differs from live's, so the masks differ
    assert target["data"] == {"password": "++++++++"}
    assert live["data"] == {"password": "++++++++++++", "token": "++++++++"}
    assert secret["modified"] is True and secret["status"] == "OutOfSync"
    diff_lines = secret["diff"].splitlines()
    assert "-  password: ++++++++++++" in diff_lines and "+  password: ++++++++" in diff_lines
    assert deployment["liveState"] == "null"
    assert deployment["health"] == {"status": "Missing"}
    assert deployment["diff"].startswith("--- live/apps/Deployment/web/web\n+++ target/apps/Deployment/web/web\n")


def test_sync_body_reaches_the_controller_checked(client, view, tokens):
    body = {
        "revision": "main",
        "prune": True,
        "dryRun": True,
        "resources": [{"group": "apps", "kind": "Deployment", "name": "web", "namespace": "web"}],
        "syncOptions": {"items": ["ServerSideApply=true"]},
        "retryStrategy": {"limit": "3", "backoff": {"duration": "5s", "factor": 2, "maxDuration": "3m"}},
        "name": "web",
        "strategy": {"hook": {}},
    }
    response = client.post("/api/v1/applications/web/sync", json=body, headers=bearer(tokens.admin))
    assert response.status_code == 200
    assert response.json()["operation"] == {"sync": {"revision": "main", "prune": True}}
    (_, name, request), *_ = view.calls
    token_id = tokens.store.authenticate(tokens.admin).token_id
    assert (name, request) == (
        "web",
        SyncRequest(
            revision="main",
            prune=True,
            dry_run=True,
            resources=(ResourceRef("apps", "Deployment", "web", "web"),),
            sync_options=("ServerSideApply=true",),
            retry={"limit": 3, "backoff": {"duration": "5s", "maxDuration": "3m", "factor": 2}},
            username=f"token:{token_id}",
        ),
    )


def test_an_empty_sync_body_is_a_default_sync(client, view, tokens):
    assert client.post("/api/v1/applications/web/sync", headers=bearer(tokens.admin)).status_code == 200
    assert view.calls[0][2].revision == "" and view.calls[0][2].prune is False


def test_rollback_by_put_and_post(client, view, tokens):
    for method in ("PUT", "POST"):
        view.calls.clear()
        response = client.request(
            method, "/api/v1/applications/web/rollback", json={"id": 4, "prune": True}, headers=bearer(tokens.admin)
        )
        assert response.status_code == 200
        (call,) = view.calls
        assert call[:5] == ("rollback", "web", 4, False, True) and call[5].startswith("token:")


def test_terminate_answers_an_empty_object(client, view, tokens):
    response = client.delete("/api/v1/applications/web/operation", headers=bearer(tokens.admin))
    assert (response.status_code, response.json()) == (200, {})
    assert view.calls == [("terminate", "web")]
