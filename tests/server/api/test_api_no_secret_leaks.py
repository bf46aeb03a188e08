"""No response of a whole session carries a Secret's value: every route driven, with both tokens and
without, over a controller whose app manages a Secret with known values (in desired `stringData`, live
`data` and the live last-applied annotation); each body is searched for every value, raw and base64."""

from __future__ import annotations

import base64

from api_fake import SECRET_VALUES, application, bearer

from wavecd.server.view import ApplicationEvent


def forms(value: str) -> list[str]:
    encoded = base64.b64encode(value.encode()).decode()
    return [value, encoded, encoded.rstrip("=")]


def test_a_full_session_leaks_no_secret_value(client, view, tokens):
    view.events = [ApplicationEvent("ADDED", application("web")), ApplicationEvent("DELETED", application("web"))]
    requests = [
        ("GET", "/api/v1/applications", None),
        ("GET", "/api/v1/applications/web", None),
        ("GET", "/api/v1/applications/web?refresh=hard", None),
        ("GET", "/api/v1/applications/web/resource-tree", None),
        ("GET", "/api/v1/applications/web/managed-resources", None),
        ("GET", "/api/v1/applications/nope/managed-resources", None),
        ("POST", "/api/v1/applications/web/sync", {"prune": True, "dryRun": True}),
        ("POST", "/api/v1/applications/web/sync", {"prune": "no"}),
        ("PUT", "/api/v1/applications/web/rollback", {"id": 1}),
        ("DELETE", "/api/v1/applications/web/operation", None),
        ("GET", "/api/v1/stream/applications", None),
    ]
    bodies = []
    for headers in ({}, bearer("wcd_wrong"), bearer(tokens.readonly), bearer(tokens.admin)):
        for method, url, body in requests:
            bodies.append(client.request(method, url, json=body, headers=headers).text)
        sse = {**headers, "Accept": "text/event-stream"}
        bodies.append(client.get("/api/v1/stream/applications", headers=sse).text)
    managed = client.get("/api/v1/applications/web/managed-resources", headers=bearer(tokens.admin)).text
    assert "++++++++" in managed and "last-applied-configuration" in managed  # the Secret was there, masked
    for body in bodies:
        for value in SECRET_VALUES:
            for form in forms(value):
                assert form not in body, f"{form!r} leaked in {body[:200]}"
