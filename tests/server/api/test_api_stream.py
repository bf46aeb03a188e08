"""The watch stream, framed as Argo CD's gateway frames it: server-sent events with `Accept:
text/event-stream` (keep-alive comments while idle), newline-delimited JSON otherwise."""

from __future__ import annotations

import json

from api_fake import application, bearer

from wavecd.server.view import AppEntry, ApplicationEvent

STREAM = "/api/v1/stream/applications"


def events() -> list[ApplicationEvent]:
    web = application("web")
    changed = {**web, "status": {"sync": {"status": "OutOfSync"}}}
    return [
        ApplicationEvent("ADDED", application("root")),
        ApplicationEvent("ADDED", web),
        ApplicationEvent("MODIFIED", changed),
        ApplicationEvent("MODIFIED", changed),  # identical to the last frame for web: not sent
        ApplicationEvent("DELETED", web),
    ]


def test_sse_frames(client, view, tokens):
    view.events = events()
    headers = {**bearer(tokens.readonly), "Accept": "text/event-stream"}
    with client.stream("GET", STREAM, headers=headers) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        assert response.headers["cache-control"] == "no-cache"
        body = response.read().decode()
    frames = body.split("\n\n")
    assert frames[-1] == ""
    assert all(f.startswith("data: ") for f in frames[:-1])
    results = [json.loads(f.removeprefix("data: "))["result"] for f in frames[:-1]]
    assert [(r["type"], r["application"]["metadata"]["name"]) for r in results] == [
        ("ADDED", "root"),
        ("ADDED", "web"),
        ("MODIFIED", "web"),
        ("DELETED", "web"),
    ]
    assert results[2]["application"]["status"] == {"sync": {"status": "OutOfSync"}}


def test_newline_delimited_json_without_event_stream(client, view, tokens):
    view.events = events()
    response = client.get(STREAM, headers=bearer(tokens.readonly))
    assert response.headers["content-type"].startswith("application/json")
    lines = response.text.splitlines()
    assert len(lines) == 4
    root = {
        **application("root"),
        "wavecd": {
            "parent": None,
            "wave": None,
            "generatedBy": None,
            "progress": {"done": 0, "total": 0, "waitingOn": None},
        },
    }
    assert json.loads(lines[0]) == {"result": {"type": "ADDED", "application": root}}


def test_each_app_carries_its_place_in_the_tree_as_the_list_gives_it(client, view, tokens):
    """The `wavecd` key of `GET /api/v1/applications` rides on every event, a deleted app's too; the
    controller is asked once per app, not once per event or per stream."""
    view.events = events()
    response = client.get(STREAM, headers=bearer(tokens.readonly))
    places = [(r["type"], _place(r["application"])) for r in map(_result, response.text.splitlines())]
    listed = {
        a["metadata"]["name"]: _place(a)
        for a in client.get("/api/v1/applications", headers=bearer(tokens.readonly)).json()["items"]
    }
    web = {"parent": "root", "wave": 2, "generatedBy": None}
    assert listed["web"] == web
    assert places == [("ADDED", listed["root"]), ("ADDED", web), ("MODIFIED", web), ("DELETED", web)]
    assert view.calls.count(("application", "web")) == 1
    client.get(STREAM, headers=bearer(tokens.readonly))  # a second stream (a page loaded again) asks nothing
    assert view.calls.count(("application", "web")) == 1


def _place(application: dict) -> dict:
    """The `wavecd` key's place in the tree (without the resources' progress)."""
    return {k: application["wavecd"][k] for k in ("parent", "wave", "generatedBy")}


def _result(line: str) -> dict:
    return json.loads(line)["result"]


def test_name_follows_one_app(client, view, tokens):
    view.events = events()
    response = client.get(f"{STREAM}?name=root", headers=bearer(tokens.readonly))
    assert [json.loads(line)["result"]["application"]["metadata"]["name"] for line in response.text.splitlines()] == [
        "root"
    ]


def test_keepalive_while_idle_and_the_watch_stops_when_the_client_leaves(client, view, tokens):
    view.events = events()[:1]
    view.hold_watch_open = True
    headers = {**bearer(tokens.readonly), "Accept": "text/event-stream"}
    with client.stream("GET", STREAM, headers=headers) as response:
        chunks = response.iter_bytes()
        assert next(chunks).startswith(b'data: {"result":{"type":"ADDED"')
        assert next(chunks) == b":\n\n"  # the fixture's keepalive is 0.2 s
        assert next(chunks) == b":\n\n"
    assert view.watch_stopped.wait(5)


def _placed(client, tokens, stream_events, view) -> dict[str, dict]:
    """One stream over `stream_events`: each app's last `wavecd` key."""
    view.events = stream_events
    response = client.get(STREAM, headers=bearer(tokens.readonly))
    return {
        r["application"]["metadata"]["name"]: _place(r["application"]) for r in map(_result, response.text.splitlines())
    }


def _with_children(name: str, *children: str) -> dict:
    app = application(name)
    resources = [{"group": "argoproj.io", "kind": "Application", "namespace": "argocd", "name": c} for c in children]
    return {**app, "status": {**app["status"], "resources": resources}}


def test_an_app_moved_to_another_parent_gets_its_new_place_though_its_object_did_not_change(client, view, tokens):
    view.entries["team"] = AppEntry("team", "argocd", application("team"), "root", 1, None)
    web = application("web")
    before = _placed(
        client,
        tokens,
        [ApplicationEvent("ADDED", _with_children("root", "web", "team")), ApplicationEvent("ADDED", web)],
        view,
    )
    assert before["web"] == {"parent": "root", "wave": 2, "generatedBy": None}
    # The repository moved web under team: team's sync now manages it, root's no longer does.
    view.entries["web"] = AppEntry("web", "argocd", application("web", "team"), "team", 3, None)
    moved = [
        ApplicationEvent("MODIFIED", _with_children("root", "team")),
        ApplicationEvent("MODIFIED", _with_children("team", "web")),
        ApplicationEvent("MODIFIED", {**web, "status": {"sync": {"status": "OutOfSync"}}}),
    ]
    assert _placed(client, tokens, moved, view)["web"] == {"parent": "team", "wave": 3, "generatedBy": None}


def test_a_parent_whose_wave_changed_moves_the_apps_below_it(client, view, tokens):
    root, web = application("root"), application("web")
    assert (
        _placed(client, tokens, [ApplicationEvent("ADDED", root), ApplicationEvent("ADDED", web)], view)["web"]["wave"]
        == 2
    )
    # root's own sync-wave changed, which shifts the whole tree's order: web now runs in wave 4.
    waved = {**root, "metadata": {**root["metadata"], "annotations": {"argocd.argoproj.io/sync-wave": "2"}}}
    view.entries["root"] = AppEntry("root", "argocd", waved, None, 1, None)
    view.entries["web"] = AppEntry("web", "argocd", web, "root", 4, None)
    changed = [ApplicationEvent("MODIFIED", waved), ApplicationEvent("MODIFIED", {**web, "status": {}})]
    assert _placed(client, tokens, changed, view)["web"] == {"parent": "root", "wave": 4, "generatedBy": None}
