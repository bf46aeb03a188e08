"""Tokens of both roles, the fake controller and a client of the API over it."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from api_fake import WEBHOOK_MAX_BYTES, FakeView
from starlette.testclient import TestClient

from wavecd.server.api import build_api
from wavecd.server.tokens import Role, TokenStore


@dataclass
class Tokens:
    store: TokenStore
    admin: str
    readonly: str


@pytest.fixture
def tokens(tmp_path) -> Tokens:
    store = TokenStore(tmp_path / "state" / "tokens.json")
    return Tokens(store, store.create(Role.ADMIN)[1], store.create(Role.READONLY)[1])


@pytest.fixture
def view() -> FakeView:
    return FakeView()


@dataclass
class WebhookCalls:
    calls: list[tuple] = field(default_factory=list)

    def __call__(self, method, headers, body, oversized):
        self.calls.append((method, dict(headers), body, oversized))
        return (400, "Webhook processing failed") if oversized else (200, "")


@pytest.fixture
def webhook_calls() -> WebhookCalls:
    return WebhookCalls()


@pytest.fixture
def client(view, tokens, webhook_calls) -> TestClient:
    api = build_api(view, tokens.store, on_webhook=webhook_calls, webhook_max_bytes=WEBHOOK_MAX_BYTES, keepalive=0.2)
    with TestClient(api, raise_server_exceptions=False) as test_client:
        yield test_client
