"""`POST /api/webhook`: a git provider's request in, Argo CD's status and text out.

The HTTP layer reads at most `max_payload_bytes` of the body (plus one byte, to know whether it was
more), hands the request to `receive` and writes back what it returns. The texts are those Argo CD's
`Handler` passes to `http.Error`, which also writes a newline after them. A refusal never calls
`on_push`; a verified push calls it at once, in the request's thread, and the controller queues it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from wavecd.server.webhook.events import PushEvent
from wavecd.server.webhook.providers import Delivery, MethodNotAllowed, PayloadUnreadable, Refused, parsers
from wavecd.sources.config import WebhookSettings

__all__ = ["WebhookReceiver"]

UNKNOWN_EVENT = "Unknown webhook event"
PROCESSING_FAILED = "Webhook processing failed"
_MB = 1024 * 1024


class WebhookReceiver:
    """Recognises, verifies and reads push webhooks with the secrets of `wavecd.yaml`'s `webhook:`."""

    def __init__(self, settings: WebhookSettings, on_push: Callable[[PushEvent], None]) -> None:
        self._parsers = parsers(settings)
        self._on_push = on_push
        self._max_mb = settings.max_payload_size_mb

    @property
    def max_payload_bytes(self) -> int:
        """The largest body accepted (Argo CD's `webhook.maxPayloadSizeMB`, in bytes)."""
        return self._max_mb * _MB

    def receive(self, method: str, headers: Mapping[str, str], body: bytes, *, oversized: bool) -> tuple[int, str]:
        """The HTTP status and text for one request; `oversized`: the body went past `max_payload_bytes`.

        Which refusal a request gets follows Argo CD exactly: no provider's header → 400 `Unknown webhook
        event` (whatever the method); a provider's request that is not a POST → 405; an empty or
        oversized body, once the provider reads it → 400 with the size; a bad or missing signature or
        token, an event the provider does not take, or a malformed payload → 400 `Webhook processing
        failed`; anything else → 200 with an empty text.
        """
        delivery = Delivery(
            method=method,
            headers={name.lower(): value for name, value in headers.items()},
            body=body,
            oversized=oversized or len(body) > self.max_payload_bytes,
        )
        parser = next((parser for parser in self._parsers if parser.claims(delivery)), None)
        if parser is None:
            return 400, UNKNOWN_EVENT
        try:
            event = parser.parse(delivery)
        except PayloadUnreadable:
            return 400, f"{PROCESSING_FAILED}: payload must be valid JSON under {self._max_mb} MB"
        except MethodNotAllowed:
            return 405, PROCESSING_FAILED
        except Refused:
            return 400, PROCESSING_FAILED
        if event is not None and event.repo_urls:
            self._on_push(event)
        return 200, ""
