"""`GET /api/v1/applications/{name}/events`: Argo CD's ListResourceEvents, the Events of one object of the
app's resource tree (or of the Application), behind the same token check as every read."""

from __future__ import annotations

from api_fake import bearer

EVENTS = "/api/v1/applications/web/events"
DEPLOYMENT = "resourceNamespace=web&resourceName=web&resourceUID=u1"


def test_the_events_of_an_object_of_the_tree(client, view, tokens):
    response = client.get(f"{EVENTS}?{DEPLOYMENT}", headers=bearer(tokens.readonly))
    assert response.status_code == 200
    body = response.json()
    assert body["metadata"] == {}
    assert [(e["reason"], e["message"]) for e in body["items"]] == [
        ("ScalingReplicaSet", "Scaled up replica set web-5d from 0 to 2")
    ]
    assert ("object_events", "web", "web", "u1") in view.calls


def test_an_owned_object_of_the_tree_too(client, view, tokens):
    response = client.get(
        f"{EVENTS}?resourceNamespace=web&resourceName=web-5d&resourceUID=u2", headers=bearer(tokens.readonly)
    )
    assert response.status_code == 200
    assert ("object_events", "web", "web-5d", "u2") in view.calls


def test_without_a_resource_the_events_of_the_application(client, view, tokens):
    assert client.get(EVENTS, headers=bearer(tokens.readonly)).status_code == 200
    assert ("object_events", "argocd", "web", "") in view.calls


def test_an_object_outside_the_tree_is_refused_and_the_cluster_not_asked(client, view, tokens):
    for query in (
        "resourceNamespace=web&resourceName=web&resourceUID=someone-elses",
        "resourceNamespace=kube-system&resourceName=coredns&resourceUID=u1",
    ):
        response = client.get(f"{EVENTS}?{query}", headers=bearer(tokens.readonly))
        assert response.status_code == 400
        assert response.json()["code"] == 3
    assert response.json()["message"] == "coredns not found as part of application web"
    assert not [c for c in view.calls if c[0] == "object_events"]


def test_events_need_a_token_and_a_known_app(client, view, tokens):
    assert client.get(f"{EVENTS}?{DEPLOYMENT}").status_code == 401
    assert client.get(f"{EVENTS}?{DEPLOYMENT}", headers={"Authorization": "Bearer wcd_nope"}).status_code == 401
    missing = client.get("/api/v1/applications/nope/events", headers=bearer(tokens.readonly))
    assert missing.status_code == 404
    assert not [c for c in view.calls if c[0] == "object_events"]
