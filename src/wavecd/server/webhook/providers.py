"""Each git provider's push webhook: how it is recognised, verified and read.

One class per provider, each doing what go-playground/webhooks v6.4.0's `Parse` does for it (the
library Argo CD's `util/webhook` calls), in the same order, because the order decides which refusal a
request gets: a GitLab token is checked before the body is read, so an oversized body with a wrong
token is refused as unverified, not as too large. Every secret is compared in constant time.

`parsers(settings)` lists them in Argo CD's `NewHandler` order: the first whose header test passes
owns the request. Gogs/Gitea comes before GitHub because Gitea also sends GitHub's headers. Azure DevOps
and the GHCR/Harbor registry webhooks are not handled.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any, Protocol

from wavecd.server.webhook.events import PushEvent, parse_revision
from wavecd.server.webhook.payload import MalformedPayload, array, decode, obj, string, strings
from wavecd.sources.config import WebhookSettings

__all__ = ["Delivery", "MethodNotAllowed", "Parser", "PayloadUnreadable", "Refused", "parsers"]


class Refused(Exception):
    """A claimed request that is not processed: Argo CD answers 400 `Webhook processing failed`."""


class MethodNotAllowed(Refused):
    """The request was not a POST (Argo CD answers 405 with the same text)."""


class PayloadUnreadable(Refused):
    """The body is empty or over the size cap (`ErrParsingPayload`: the `payload must be valid JSON` text)."""


@dataclass(frozen=True)
class Delivery:
    """One request as the receiver got it; `headers` has lower-case names."""

    method: str
    headers: Mapping[str, str]
    body: bytes
    oversized: bool

    def header(self, name: str) -> str:
        """The header's value, or "" when absent (Go's `Header.Get`)."""
        return self.headers.get(name.lower(), "")

    def require_post(self) -> None:
        if self.method != "POST":  # Go compares the method exactly
            raise MethodNotAllowed("invalid HTTP Method")

    def read(self) -> bytes:
        """The body, as `io.ReadAll` through Argo CD's `MaxBytesReader` gives it or fails."""
        if self.oversized or not self.body:
            raise PayloadUnreadable("error parsing payload")
        return self.body

    def json(self, body: bytes) -> dict[str, Any]:
        try:
            return decode(body)
        except MalformedPayload as err:
            raise Refused(str(err)) from None


class Parser(Protocol):
    """One provider: `claims` is Argo CD's `CanHandle`, `parse` its `Parse` plus `affectedRevisionInfo`.

    `parse` returns None for an event that is accepted but moves nothing (a ping), and raises `Refused`.
    """

    def claims(self, delivery: Delivery) -> bool: ...

    def parse(self, delivery: Delivery) -> PushEvent | None: ...


def _bytes(text: str) -> bytes:
    """UTF-8, never failing: a header or an environment variable may hold any code point, surrogates too."""
    return text.encode("utf-8", "surrogatepass")


def _same(given: str, expected: str) -> bool:
    """Constant-time equality of two header-borne strings."""
    return hmac.compare_digest(_bytes(given), _bytes(expected))


def _hex_hmac(secret: str, body: bytes) -> str:
    return hmac.new(_bytes(secret), body, hashlib.sha256).hexdigest()


def _require_event(event: str, accepted: tuple[str, ...]) -> None:
    if event not in accepted:
        raise Refused("event not defined to be parsed")


def _commit_files(payload: dict[str, Any]) -> tuple[str, ...]:
    """The commits' added, then modified, then removed paths, commit by commit (as Argo CD appends them)."""
    files: list[str] = []
    for commit in array(payload, "commits"):
        if commit is None:
            continue
        if not isinstance(commit, dict):
            raise MalformedPayload("commits is not an array of objects")
        files += strings(commit, "added") + strings(commit, "modified") + strings(commit, "removed")
    return tuple(files)


def _urls(*urls: str) -> tuple[str, ...]:
    """The non-empty URLs: an empty one names no repository any source could use."""
    return tuple(url for url in urls if url)


def _head_push_of(provider: str, repository_key: str, url_key: str, payload: dict[str, Any]) -> PushEvent:
    """GitHub, GitLab and Gogs read alike: a web URL, `ref`, the default branch and the commits' files."""
    repository = obj(payload, repository_key)
    revision = parse_revision(string(payload, "ref"))
    return PushEvent(
        provider=provider,
        repo_urls=_urls(string(repository, url_key)),
        revision=revision,
        touched_head=string(repository, "default_branch") == revision,
        changed_files=_commit_files(payload),
    )


def _extract(read: Callable[[], PushEvent]) -> PushEvent:
    """Run an extraction, turning a wrongly typed field into a refusal as Go's Unmarshal error would be."""
    try:
        return read()
    except MalformedPayload as err:
        raise Refused(str(err)) from None


@dataclass(frozen=True)
class GogsParser:
    """Gogs and Gitea: `X-Gogs-Event` (Gitea, Forgejo: also `X-Gitea-Event`), hex HMAC-SHA256 of the body
    in `X-Gogs-Signature` (or `X-Gitea-Signature`, which Gitea sends with the same value)."""

    secret: str

    def claims(self, delivery: Delivery) -> bool:
        return bool(self._event(delivery))

    @staticmethod
    def _event(delivery: Delivery) -> str:
        return delivery.header("X-Gogs-Event") or delivery.header("X-Gitea-Event")

    def parse(self, delivery: Delivery) -> PushEvent | None:
        delivery.require_post()
        _require_event(self._event(delivery), ("push",))
        body = delivery.read()
        if self.secret:
            signature = delivery.header("X-Gogs-Signature") or delivery.header("X-Gitea-Signature")
            if not signature:
                raise Refused("missing X-Gogs-Signature Header")
            if not _same(signature, _hex_hmac(self.secret, body)):
                raise Refused("HMAC verification failed")
        payload = delivery.json(body)
        return _extract(partial(_head_push_of, "gogs", "repository", "html_url", payload))


@dataclass(frozen=True)
class GitHubParser:
    """GitHub: `X-GitHub-Event` `push` or `ping`, `X-Hub-Signature-256: sha256=<hex HMAC-SHA256>`.

    The SHA-1 `X-Hub-Signature` is never read. `package` events belong to Argo CD's GHCR parser.
    """

    secret: str

    def claims(self, delivery: Delivery) -> bool:
        return delivery.header("X-GitHub-Event") not in ("", "package")

    def parse(self, delivery: Delivery) -> PushEvent | None:
        delivery.require_post()
        event = delivery.header("X-GitHub-Event")
        _require_event(event, ("push", "ping"))
        body = delivery.read()
        if self.secret:
            signature = delivery.header("X-Hub-Signature-256")
            if not signature:
                raise Refused("missing X-Hub-Signature-256 Header")
            if not _same(signature.removeprefix("sha256="), _hex_hmac(self.secret, body)):
                raise Refused("HMAC verification failed")
        payload = delivery.json(body)
        if event == "ping":
            return None
        return _extract(partial(_head_push_of, "github", "repository", "html_url", payload))


# GitLab system hook events that its library parses into payloads Argo CD then ignores (the hook is
# accepted and refreshes nothing); any other system hook event is an error, hence refused.
_GITLAB_IGNORED_SYSTEM_EVENTS = frozenset(
    {
        "project_create",
        "project_destroy",
        "project_rename",
        "project_transfer",
        "project_update",
        "user_add_to_team",
        "user_remove_from_team",
        "user_update_for_team",
        "user_create",
        "user_destroy",
        "user_failed_login",
        "user_rename",
        "key_create",
        "key_destroy",
        "group_create",
        "group_destroy",
        "group_rename",
        "user_add_to_group",
        "user_remove_from_group",
        "user_update_for_group",
    }
)


@dataclass(frozen=True)
class GitLabParser:
    """GitLab: `X-Gitlab-Event` `Push Hook`, `Tag Push Hook` or `System Hook`; `X-Gitlab-Token` equal to
    the secret (checked first of all, as SHA-512 digests, so that not even its length leaks)."""

    secret: str

    def claims(self, delivery: Delivery) -> bool:
        return bool(delivery.header("X-Gitlab-Event"))

    def parse(self, delivery: Delivery) -> PushEvent | None:
        delivery.require_post()
        if self.secret:
            token = hashlib.sha512(_bytes(delivery.header("X-Gitlab-Token"))).digest()
            if not hmac.compare_digest(token, hashlib.sha512(_bytes(self.secret)).digest()):
                raise Refused("X-Gitlab-Token validation failed")
        body = delivery.read()
        event = delivery.header("X-Gitlab-Event")
        _require_event(event, ("Push Hook", "Tag Push Hook", "System Hook"))
        payload = delivery.json(body)
        if event == "System Hook" and not self._system_push(payload):
            return None
        return _extract(partial(_head_push_of, "gitlab", "project", "web_url", payload))

    @staticmethod
    def _system_push(payload: dict[str, Any]) -> bool:
        """Whether a system hook carries a push or tag push (read as one); False: accepted, ignored.

        The library routes on `object_kind` when it names a push, tag push or merge request, else on
        `event_name`; a merge request is an event Argo CD did not ask for.
        """
        try:
            kind, name = string(payload, "object_kind"), string(payload, "event_name")
        except MalformedPayload as err:
            raise Refused(str(err)) from None
        selector = kind if kind in ("push", "tag_push", "merge_request") else name
        if selector in ("push", "tag_push"):
            return True
        if selector == "merge_request":
            raise Refused("event not defined to be parsed")
        if selector in _GITLAB_IGNORED_SYSTEM_EVENTS:
            return False
        raise Refused(f"unknown system hook event {selector}")


@dataclass(frozen=True)
class BitbucketParser:
    """Bitbucket Cloud: `X-Hook-UUID` equal to the webhook's UUID, `X-Event-Key: repo:push`.

    Its payload names no changed files (Argo CD asks Bitbucket's API for them; wavecd does not), and
    cannot say whether the default branch moved, so `touched_head` is always true.
    """

    uuid: str

    def claims(self, delivery: Delivery) -> bool:
        return bool(delivery.header("X-Hook-UUID"))

    def parse(self, delivery: Delivery) -> PushEvent | None:
        delivery.require_post()
        event = delivery.header("X-Event-Key")
        if not event:
            raise Refused("missing X-Event-Key Header")
        if self.uuid and not _same(delivery.header("X-Hook-UUID"), self.uuid):
            raise Refused("UUID verification failed")
        _require_event(event, ("repo:push",))
        payload = delivery.json(delivery.read())
        return _extract(partial(self._push, payload))

    @staticmethod
    def _push(payload: dict[str, Any]) -> PushEvent:
        changes = array(obj(payload, "push"), "changes")
        first = changes[0] if changes else None
        if first is not None and not isinstance(first, dict):
            raise MalformedPayload("push.changes is not an array of objects")
        return PushEvent(
            provider="bitbucket",
            repo_urls=_urls(string(obj(obj(obj(payload, "repository"), "links"), "html"), "href")),
            revision=string(obj(first or {}, "new"), "name"),
            touched_head=True,
            changed_files=None,
        )


@dataclass(frozen=True)
class BitbucketServerParser:
    """Bitbucket Server / Data Center: `X-Event-Key` `repo:refs_changed` or `diagnostics:ping`,
    `X-Hub-Signature: sha256=<hex HMAC-SHA256>`.

    A ping is accepted before the body is read or the signature checked, as the library does. The
    repository is named by its http and ssh clone links; no file list, `touched_head` always true.
    """

    secret: str

    def claims(self, delivery: Delivery) -> bool:
        return bool(delivery.header("X-Event-Key"))

    def parse(self, delivery: Delivery) -> PushEvent | None:
        delivery.require_post()
        event = delivery.header("X-Event-Key")
        _require_event(event, ("repo:refs_changed", "diagnostics:ping"))
        if event == "diagnostics:ping":
            return None
        body = delivery.read()
        if self.secret:
            signature = delivery.header("X-Hub-Signature")
            if not signature:
                raise Refused("missing X-Hub-Signature Header")
            # The library drops the first seven characters (`sha256=`) whatever they are.
            if len(signature) < len("sha256=") or not _same(signature[7:], _hex_hmac(self.secret, body)):
                raise Refused("HMAC verification failed")
        return _extract(partial(self._push, delivery.json(body)))

    @staticmethod
    def _push(payload: dict[str, Any]) -> PushEvent:
        links = obj(obj(payload, "repository"), "links")
        clone = links.get("clone")
        urls: list[str] = []
        # The library leaves `links` untyped and Argo CD skips whatever is not shaped as it expects.
        if isinstance(clone, list):
            for link in clone:
                if isinstance(link, dict) and link.get("name") in ("http", "ssh") and isinstance(link.get("href"), str):
                    urls.append(link["href"])
        changes = array(payload, "changes")
        first = changes[0] if changes else None
        if first is not None and not isinstance(first, dict):
            raise MalformedPayload("changes is not an array of objects")
        return PushEvent(
            provider="bitbucket-server",
            repo_urls=_urls(*urls),
            revision=parse_revision(string(obj(first or {}, "ref"), "id")),
            touched_head=True,
            changed_files=None,
        )


def parsers(settings: WebhookSettings) -> tuple[Parser, ...]:
    """The providers in Argo CD's order, each with its secret from `wavecd.yaml`."""
    return (
        GogsParser(settings.gogs_secret),
        GitHubParser(settings.github_secret),
        GitLabParser(settings.gitlab_secret),
        BitbucketParser(settings.bitbucket_uuid),
        BitbucketServerParser(settings.bitbucket_server_secret),
    )
