"""The webhook route hands the raw request to the controller without authentication, and never reads
more than its cap of a body."""

from __future__ import annotations

import anyio
from api_fake import WEBHOOK_MAX_BYTES, bearer

from wavecd.server.api import build_api


def test_raw_body_and_headers_reach_the_handler(client, webhook_calls):
    body = b'{"ref": "refs/heads/main"}'
    headers = {"X-GitHub-Event": "push", "X-Hub-Signature-256": "sha256=abc"}
    response = client.post("/api/webhook", content=body, headers=headers)
    assert (response.status_code, response.text) == (200, "")
    assert response.headers["content-type"].startswith("text/plain")
    ((method, seen_headers, seen_body, oversized),) = webhook_calls.calls
    assert (method, seen_body, oversized) == ("POST", body, False)
    assert seen_headers["x-github-event"] == "push" and seen_headers["x-hub-signature-256"] == "sha256=abc"


def test_a_body_at_the_cap_is_accepted(client, webhook_calls):
    client.post("/api/webhook", content=b"x" * WEBHOOK_MAX_BYTES)
    assert webhook_calls.calls[0][2:] == (b"x" * WEBHOOK_MAX_BYTES, False)


def test_a_declared_oversized_body_is_not_read(client, webhook_calls):
    response = client.post("/api/webhook", content=b"x" * (WEBHOOK_MAX_BYTES + 1))
    assert (response.status_code, response.text) == (400, "Webhook processing failed")
    assert webhook_calls.calls[0][2:] == (b"", True)


def test_a_60_mb_stream_is_cut_at_the_cap(view, tokens, webhook_calls):
    """A chunked body (no Content-Length) of 60 MB, driven at the ASGI level so that every chunk the server
    pulls is counted: reading stops past the cap, and the handler is told it was oversized."""
    api = build_api(view, tokens.store, on_webhook=webhook_calls, webhook_max_bytes=WEBHOOK_MAX_BYTES)
    chunk = b"y" * 1024
    pulled = 0
    sent = []

    async def receive():
        nonlocal pulled
        pulled += 1
        return {"type": "http.request", "body": chunk, "more_body": pulled < 60 * 1024}

    async def send(message):
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.4"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/api/webhook",
        "raw_path": b"/api/webhook",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"transfer-encoding", b"chunked"), (b"x-github-event", b"push")],
        "client": ("127.0.0.1", 5000),
        "server": ("127.0.0.1", 8080),
    }
    anyio.run(api, scope, receive, send)
    assert sent[0]["status"] == 400
    assert b"".join(m.get("body", b"") for m in sent[1:]) == b"Webhook processing failed"
    ((_, headers, body, oversized),) = webhook_calls.calls
    assert (body, oversized, headers["x-github-event"]) == (b"", True, "push")
    assert pulled <= WEBHOOK_MAX_BYTES // len(chunk) + 1


def test_the_webhook_ignores_bearer_tokens(client, tokens, webhook_calls):
    assert client.post("/api/webhook", content=b"{}", headers=bearer("wcd_wrong")).status_code == 200
    assert len(webhook_calls.calls) == 1
