"""The git webhook receiver of `wavecd serve`: Argo CD's `util/webhook`, as calls the API layer makes.

`WebhookReceiver.receive` recognises a provider's request, verifies it with `wavecd.yaml`'s secrets and
answers with Argo CD's status and text, handing each verified push to the controller as a `PushEvent`;
`affected_apps` says which apps that push refreshes. No HTTP server lives here.
"""

from wavecd.server.webhook.events import PushEvent
from wavecd.server.webhook.matching import TrackedApp, TrackedSource, affected_apps, shown_apps, tracked_app
from wavecd.server.webhook.receiver import WebhookReceiver

__all__ = ["PushEvent", "TrackedApp", "TrackedSource", "WebhookReceiver", "affected_apps", "shown_apps", "tracked_app"]
