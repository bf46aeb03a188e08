"""`?fields=` on the list and the stream (Argo CD's gateway's field selection), gzip for every response but
the stream's, and the stream's replay skipped for a client that has just listed (`?resourceVersion=`)."""

from __future__ import annotations

import gzip
import json

from api_fake import application, bearer

from wavecd.server.view import AppEntry, ApplicationEvent

LIST = "/api/v1/applications"
STREAM = "/api/v1/stream/applications"


def test_fields_keep_only_the_named_paths_of_each_item(client, tokens):
    response = client.get(
        f"{LIST}?fields=items.metadata.name,items.status.sync.status,items.wavecd.wave", headers=bearer(tokens.readonly)
    )
    assert response.status_code == 200
    assert response.json() == {
        "items": [
            {"metadata": {"name": "root"}, "status": {"sync": {"status": "Synced"}}, "wavecd": {"wave": None}},
            {"metadata": {"name": "web"}, "status": {"sync": {"status": "Synced"}}, "wavecd": {"wave": 2}},
        ]
    }


def test_a_named_path_keeps_what_lies_under_it_and_no_sibling_sharing_its_prefix(client, tokens):
    response = client.get(f"{LIST}?fields=items.metadata.namespace,items.status", headers=bearer(tokens.readonly))
    web = response.json()["items"][1]
    assert web == {
        "metadata": {"namespace": "argocd"},  # not `name`, though "namespace" starts with "name"
        "status": {"sync": {"status": "Synced"}, "health": {"status": "Healthy"}},
    }


def test_a_leading_minus_removes_the_named_paths(client, tokens):
    response = client.get(f"{LIST}?fields=-items.spec,items.status.health", headers=bearer(tokens.readonly))
    web = response.json()["items"][1]
    assert web == {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": {"name": "web", "namespace": "argocd"},
        "status": {"sync": {"status": "Synced"}},
        "wavecd": {
            "parent": "root",
            "wave": 2,
            "generatedBy": None,
            "progress": {"done": 0, "total": 0, "waitingOn": None},
        },
    }


def test_a_malformed_field_list_is_refused_naming_the_path(client, tokens):
    response = client.get(f"{LIST}?fields=items.metadata..name", headers=bearer(tokens.readonly))
    assert response.status_code == 400
    assert (
        response.json()["message"] == "fields: 'items.metadata..name' is not a dotted path such as items.metadata.name"
    )


def test_fields_need_a_token_like_the_list(client):
    assert client.get(f"{LIST}?fields=items.metadata.name").status_code == 401


def test_stream_frames_are_cut_and_a_change_outside_the_fields_is_not_sent(client, view, tokens):
    web = application("web")

    def with_pods(*pods: str, health: str = "Healthy") -> dict:
        resources = [{"kind": "Pod", "name": pod} for pod in pods]
        return {**web, "status": {**web["status"], "resources": resources, "health": {"status": health}}}

    view.events = [
        ApplicationEvent("MODIFIED", with_pods("web-1")),
        ApplicationEvent("MODIFIED", with_pods("web-1", "web-2")),  # only status.resources changed: not sent
        ApplicationEvent("MODIFIED", with_pods("web-1", "web-2", health="Degraded")),
    ]
    fields = "result.type,result.application.metadata.name,result.application.status.health"
    response = client.get(f"{STREAM}?fields={fields}", headers=bearer(tokens.readonly))
    app = {"metadata": {"name": "web"}, "status": {"health": {"status": "Healthy"}}}
    degraded = {"metadata": {"name": "web"}, "status": {"health": {"status": "Degraded"}}}
    assert [json.loads(line) for line in response.text.splitlines()] == [
        {"result": {"type": "MODIFIED", "application": app}},
        {"result": {"type": "MODIFIED", "application": degraded}},
    ]


def test_resource_version_skips_the_replay_unless_one_app_is_followed(client, view, tokens):
    client.get(f"{STREAM}?resourceVersion=12", headers=bearer(tokens.readonly))
    client.get(STREAM, headers=bearer(tokens.readonly))
    client.get(f"{STREAM}?resourceVersion=12&name=web", headers=bearer(tokens.readonly))
    assert [c for c in view.calls if c[0] == "watch"] == [("watch", False), ("watch", True), ("watch", True)]


def test_the_list_is_gzipped_for_a_client_that_accepts_it(client, view, tokens):
    for n in range(20):  # a list of some kilobytes: a body under one is not worth compressing
        view.entries[f"app-{n:02}"] = AppEntry(f"app-{n:02}", "argocd", application(f"app-{n:02}"), "root", 1, None)
    headers = {**bearer(tokens.readonly), "Accept-Encoding": "gzip"}
    raw = client.get(f"{LIST}", headers=headers)  # httpx decodes it; the headers say how it came
    assert raw.headers["content-encoding"] == "gzip"
    plain = client.get(LIST, headers={**bearer(tokens.readonly), "Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert raw.json() == plain.json()


def test_the_stream_is_never_compressed_so_each_frame_arrives_at_once(client, view, tokens):
    view.events = [ApplicationEvent("ADDED", application("root"))]
    view.hold_watch_open = True
    headers = {**bearer(tokens.readonly), "Accept-Encoding": "gzip"}
    with client.stream("GET", STREAM, headers=headers) as response:
        assert "content-encoding" not in response.headers
        first = next(response.iter_raw())
        assert json.loads(first)["result"]["application"]["metadata"]["name"] == "root"
    assert view.watch_stopped.wait(5)


def test_static_files_answer_304_while_their_etag_matches(client):
    first = client.get("/ui/app.css", headers={"Accept-Encoding": "identity"})
    etag = first.headers["etag"]
    again = client.get("/ui/app.css", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    assert again.headers["content-security-policy"] == first.headers["content-security-policy"]
    other = client.get("/ui/app.css", headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200
    assert other.content == first.content


def test_static_files_are_gzipped(client):
    with client.stream("GET", "/ui/app-page.js", headers={"Accept-Encoding": "gzip"}) as response:
        body = b"".join(response.iter_raw())
    assert response.headers["content-encoding"] == "gzip"
    assert gzip.decompress(body).startswith(b"// One app:")


def test_each_app_says_how_far_its_resources_are_so_a_lean_list_can_leave_them_out(client, view, tokens):
    web = application("web")
    web["status"]["resources"] = [
        {
            "group": "apps",
            "kind": "Deployment",
            "namespace": "web",
            "name": "web",
            "status": "Synced",
            "health": {"status": "Healthy"},
        },
        {"kind": "ConfigMap", "namespace": "web", "name": "settings", "status": "Synced"},
        {"kind": "Service", "namespace": "web", "name": "web", "status": "OutOfSync", "health": {"status": "Missing"}},
        {"kind": "Secret", "namespace": "web", "name": "db", "status": "OutOfSync"},
    ]
    view.entries["web"] = AppEntry("web", "argocd", web, "root", 2, None)
    response = client.get(f"{LIST}?fields=-items.status.resources", headers=bearer(tokens.readonly))
    listed = response.json()["items"][1]
    assert "resources" not in listed["status"]
    assert listed["wavecd"]["progress"] == {
        "done": 2,
        "total": 4,
        "waitingOn": {
            "kind": "Service",
            "namespace": "web",
            "name": "web",
            "status": "OutOfSync",
            "health": {"status": "Missing"},
        },
    }
