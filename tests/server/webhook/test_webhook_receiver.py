"""POST /api/webhook as each git provider sends it: what is accepted, what is refused and with which
status and text (Argo CD's `Handler`, go-playground/webhooks v6.4.0's `Parse`), and what reaches the
controller. The payloads are written here after each provider's documented push payload."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import pytest

from wavecd.server.webhook import PushEvent, WebhookReceiver
from wavecd.sources.config import WebhookSettings

SECRET = "s3cr3t-for-tests"
BB_UUID = "{2fd7e1b6-5e2b-4c9a-b1a4-0c0f1c5a7d11}"
FAILED = (400, "Webhook processing failed")


def sign(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def test_the_test_signer_agrees_with_githubs_documented_example():
    # docs.github.com "Validating webhook deliveries": this secret and payload give this signature.
    assert sign("It's a Secret to Everybody", b"Hello, World!") == (
        "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
    )


def encode(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, indent=2).encode()


GITHUB_PUSH = encode(
    {
        "ref": "refs/heads/main",
        "before": "6113728f27ae82c7b1a177c8d03f9e96e0adf246",
        "after": "0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c",
        "created": False,
        "deleted": False,
        "forced": False,
        "compare": "https://github.com/ca-platform/303-gitops/compare/6113728f27ae...0d1a26e67d8f",
        "repository": {
            "id": 35129377,
            "name": "303-gitops",
            "full_name": "ca-platform/303-gitops",
            "private": True,
            "html_url": "https://github.com/ca-platform/303-gitops",
            "clone_url": "https://github.com/ca-platform/303-gitops.git",
            "ssh_url": "git@github.com:ca-platform/303-gitops.git",
            "default_branch": "main",
            "master_branch": "main",
        },
        "pusher": {"name": "ci-bot", "email": "ci-bot@example.com"},
        "sender": {"login": "ci-bot", "id": 21031067, "type": "User"},
        "commits": [
            {
                "id": "4c1d3bd2c7f0a3e3f6d1e1f0a9b8c7d6e5f4a3b2",
                "message": "seat: bump image tag",
                "timestamp": "2026-12-07T14:03:11Z",
                "author": {"name": "ci-bot", "email": "ci-bot@example.com"},
                "added": ["ca-staging/values/apps/staging-webs/values-seat-canary.yaml"],
                "removed": ["ca-staging/values/apps/staging-webs/values-old.yaml"],
                "modified": ["ca-staging/values/apps/staging-webs/values-seat.yaml"],
            },
            {
                "id": "0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c",
                "message": "docs",
                "timestamp": "2026-12-07T14:04:00Z",
                "author": {"name": "ci-bot", "email": "ci-bot@example.com"},
                "added": [],
                "removed": [],
                "modified": ["README.md"],
            },
        ],
        "head_commit": {"id": "0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c", "message": "docs"},
    }
)

GITLAB_PUSH = encode(
    {
        "object_kind": "push",
        "event_name": "push",
        "before": "95790bf891e76fee5e1747ab589903a6a1f80f22",
        "after": "da1560886d4f094c3e6c9ef40349f7d38b5d27d7",
        "ref": "refs/heads/env/staging",
        "ref_protected": True,
        "checkout_sha": "da1560886d4f094c3e6c9ef40349f7d38b5d27d7",
        "user_id": 4,
        "user_name": "John Smith",
        "user_username": "jsmith",
        "project_id": 15,
        "project": {
            "id": 15,
            "name": "gitops",
            "web_url": "https://gitlab.example.com/platform/gitops",
            "git_ssh_url": "git@gitlab.example.com:platform/gitops.git",
            "git_http_url": "https://gitlab.example.com/platform/gitops.git",
            "namespace": "platform",
            "path_with_namespace": "platform/gitops",
            "default_branch": "main",
        },
        "commits": [
            {
                "id": "da1560886d4f094c3e6c9ef40349f7d38b5d27d7",
                "message": "Update seat values",
                "title": "Update seat values",
                "timestamp": "2026-12-07T14:03:11+00:00",
                "author": {"name": "John Smith", "email": "jsmith@example.com"},
                "added": ["apps/seat/new.yaml"],
                "modified": ["apps/seat/values.yaml"],
                "removed": [],
            }
        ],
        "total_commits_count": 1,
        "repository": {"name": "gitops", "homepage": "https://gitlab.example.com/platform/gitops"},
    }
)

GITEA_PUSH = encode(
    {
        "ref": "refs/heads/main",
        "before": "28e1879d029cb852e4844d9c718537df08844e03",
        "after": "bffeb74224043ba2feb48d137756c8a9331c449a",
        "compare_url": "https://gitea.example.com/ops/deploy/compare/28e1879d029c...bffeb7422404",
        "commits": [
            {
                "id": "bffeb74224043ba2feb48d137756c8a9331c449a",
                "message": "Update charts\n",
                "url": "https://gitea.example.com/ops/deploy/commit/bffeb74224043ba2feb48d137756c8a9331c449a",
                "author": {"name": "ops", "email": "ops@example.com", "username": "ops"},
                "committer": {"name": "ops", "email": "ops@example.com", "username": "ops"},
                "timestamp": "2026-12-07T14:03:11Z",
                "added": [],
                "removed": [],
                "modified": ["charts/web/values.yaml"],
            }
        ],
        "total_commits": 1,
        "repository": {
            "id": 1,
            "name": "deploy",
            "full_name": "ops/deploy",
            "html_url": "https://gitea.example.com/ops/deploy",
            "ssh_url": "git@gitea.example.com:ops/deploy.git",
            "clone_url": "https://gitea.example.com/ops/deploy.git",
            "default_branch": "main",
        },
        "pusher": {"id": 1, "login": "ops", "username": "ops"},
        "sender": {"id": 1, "login": "ops", "username": "ops"},
    }
)

BITBUCKET_PUSH = encode(
    {
        "actor": {"display_name": "Ops", "uuid": "{8c7f3f0c-0000-4000-8000-000000000001}", "type": "user"},
        "repository": {
            "type": "repository",
            "full_name": "ops-team/deploy",
            "name": "deploy",
            "uuid": "{5b7d3c9e-0000-4000-8000-000000000002}",
            "is_private": True,
            "links": {
                "self": {"href": "https://api.bitbucket.org/2.0/repositories/ops-team/deploy"},
                "html": {"href": "https://bitbucket.org/ops-team/deploy"},
            },
        },
        "push": {
            "changes": [
                {
                    "new": {
                        "type": "branch",
                        "name": "release/2026.12",
                        "target": {"type": "commit", "hash": "709d658dc5b6d6afcd46049c2f332ee3f515a67d"},
                    },
                    "old": {
                        "type": "branch",
                        "name": "release/2026.12",
                        "target": {"type": "commit", "hash": "1e65c05c1d5171631d92438a13901ca7dae9618c"},
                    },
                    "created": False,
                    "forced": False,
                    "closed": False,
                    "commits": [{"hash": "709d658dc5b6d6afcd46049c2f332ee3f515a67d", "type": "commit"}],
                    "truncated": False,
                }
            ]
        },
    }
)

BITBUCKET_SERVER_PUSH = encode(
    {
        "eventKey": "repo:refs_changed",
        "date": "2026-12-07T14:03:11+0000",
        "actor": {"name": "admin", "emailAddress": "admin@example.com", "id": 1, "slug": "admin", "type": "NORMAL"},
        "repository": {
            "slug": "deploy",
            "id": 84,
            "name": "deploy",
            "scmId": "git",
            "state": "AVAILABLE",
            "project": {"key": "OPS", "id": 84, "name": "Operations"},
            "links": {
                "clone": [
                    {"href": "ssh://git@bitbucket.example.com:7999/ops/deploy.git", "name": "ssh"},
                    {"href": "https://bitbucket.example.com/scm/ops/deploy.git", "name": "http"},
                ],
                "self": [{"href": "https://bitbucket.example.com/projects/OPS/repos/deploy/browse"}],
            },
        },
        "changes": [
            {
                "ref": {"id": "refs/heads/master", "displayId": "master", "type": "BRANCH"},
                "refId": "refs/heads/master",
                "fromHash": "ecddabb624f6f5ba43816f5926e580a5f680a932",
                "toHash": "178864a7d521b6f5e720b386b2c2b0ef8563e0dc",
                "type": "UPDATE",
            }
        ],
    }
)


def github_headers(body: bytes, secret: str = SECRET, event: str = "push") -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "User-Agent": "GitHub-Hookshot/7b1d2a3",
        "X-GitHub-Event": event,
        "X-GitHub-Delivery": "72d3162e-cc78-11e3-81ab-4c9367dc0958",
        "X-GitHub-Hook-ID": "292430182",
        "X-Hub-Signature": "sha1=" + hmac.new(secret.encode(), body, hashlib.sha1).hexdigest(),
        "X-Hub-Signature-256": "sha256=" + sign(secret, body),
    }


def gitlab_headers(token: str = SECRET, event: str = "Push Hook") -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "User-Agent": "GitLab/17.6.0",
        "X-Gitlab-Event": event,
        "X-Gitlab-Instance": "https://gitlab.example.com",
        "X-Gitlab-Webhook-UUID": "0d1b2c3d-0000-4000-8000-000000000003",
        "X-Gitlab-Event-UUID": "0d1b2c3d-0000-4000-8000-000000000004",
        "X-Gitlab-Token": token,
    }


def gitea_headers(body: bytes, secret: str = SECRET) -> dict[str, str]:
    # Gitea sends its own, Gogs' and GitHub's headers, all with the same signature.
    signature = sign(secret, body)
    return {
        "Content-Type": "application/json",
        "X-Gitea-Delivery": "f6266f16-1bf3-46a5-9ea4-602e06ead473",
        "X-Gitea-Event": "push",
        "X-Gitea-Event-Type": "push",
        "X-Gitea-Signature": signature,
        "X-Gogs-Delivery": "f6266f16-1bf3-46a5-9ea4-602e06ead473",
        "X-Gogs-Event": "push",
        "X-Gogs-Event-Type": "push",
        "X-Gogs-Signature": signature,
        "X-GitHub-Delivery": "f6266f16-1bf3-46a5-9ea4-602e06ead473",
        "X-GitHub-Event": "push",
        "X-GitHub-Event-Type": "push",
        "X-Hub-Signature-256": "sha256=" + signature,
    }


def bitbucket_headers(uuid: str = BB_UUID, event: str = "repo:push") -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "User-Agent": "Bitbucket-Webhooks/2.0",
        "X-Event-Key": event,
        "X-Hook-UUID": uuid,
        "X-Request-UUID": "afe9d3a1-0000-4000-8000-000000000005",
        "X-Attempt-Number": "1",
    }


def bitbucket_server_headers(body: bytes, secret: str = SECRET, event: str = "repo:refs_changed") -> dict[str, str]:
    return {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "Atlassian HttpClient 3.0.4 / Bitbucket-8.19.1 (8019001) / Default",
        "X-Event-Key": event,
        "X-Request-Id": "0a0b0c0d-0000-4000-8000-000000000006",
        "X-Hub-Signature": "sha256=" + sign(secret, body),
    }


SECURED = WebhookSettings(
    github_secret=SECRET,
    gitlab_secret=SECRET,
    gogs_secret=SECRET,
    bitbucket_uuid=BB_UUID,
    bitbucket_server_secret=SECRET,
)


class Controller:
    """Stands in for the controller: records what it is handed."""

    def __init__(self, settings: WebhookSettings = SECURED):
        self.pushed: list[PushEvent] = []
        self.receiver = WebhookReceiver(settings, self.pushed.append)

    def post(self, headers: dict[str, str], body: bytes, *, method: str = "POST", oversized: bool = False):
        return self.receiver.receive(method, headers, body, oversized=oversized)


@pytest.fixture
def controller() -> Controller:
    return Controller()


# --- each provider's push, accepted and read --------------------------------------------------------


def test_a_signed_github_push_names_the_repo_branch_and_every_touched_file(controller):
    assert controller.post(github_headers(GITHUB_PUSH), GITHUB_PUSH) == (200, "")
    assert controller.pushed == [
        PushEvent(
            provider="github",
            repo_urls=("https://github.com/ca-platform/303-gitops",),
            revision="main",
            touched_head=True,
            changed_files=(
                "ca-staging/values/apps/staging-webs/values-seat-canary.yaml",
                "ca-staging/values/apps/staging-webs/values-seat.yaml",
                "ca-staging/values/apps/staging-webs/values-old.yaml",
                "README.md",
            ),
        )
    ]


def test_a_gitlab_push_hook_with_the_right_token_is_read_from_its_project(controller):
    assert controller.post(gitlab_headers(), GITLAB_PUSH) == (200, "")
    assert controller.pushed == [
        PushEvent(
            provider="gitlab",
            repo_urls=("https://gitlab.example.com/platform/gitops",),
            revision="env/staging",
            touched_head=False,
            changed_files=("apps/seat/new.yaml", "apps/seat/values.yaml"),
        )
    ]


def test_a_gitea_push_is_read_as_gogs_although_it_also_carries_githubs_headers():
    # Only the Gitea secret is set: were the request taken for GitHub's, it would go unchecked.
    controller = Controller(WebhookSettings(gogs_secret=SECRET))
    assert controller.post(gitea_headers(GITEA_PUSH), GITEA_PUSH) == (200, "")
    assert [e.provider for e in controller.pushed] == ["gogs"]
    assert controller.pushed[0].repo_urls == ("https://gitea.example.com/ops/deploy",)
    assert controller.pushed[0].changed_files == ("charts/web/values.yaml",)
    assert controller.pushed[0].touched_head is True
    assert controller.post(gitea_headers(GITEA_PUSH, secret="other"), GITEA_PUSH) == FAILED
    assert len(controller.pushed) == 1


def test_gitea_alone_signs_with_x_gitea_signature(controller):
    headers = {
        "X-Gitea-Event": "push",
        "X-Gitea-Signature": sign(SECRET, GITEA_PUSH),
    }
    assert controller.post(headers, GITEA_PUSH) == (200, "")
    assert controller.post({**headers, "X-Gitea-Signature": sign("other", GITEA_PUSH)}, GITEA_PUSH) == FAILED


def test_a_bitbucket_cloud_push_keeps_the_branch_name_and_has_no_file_list(controller):
    assert controller.post(bitbucket_headers(), BITBUCKET_PUSH) == (200, "")
    assert controller.pushed == [
        PushEvent(
            provider="bitbucket",
            repo_urls=("https://bitbucket.org/ops-team/deploy",),
            revision="release/2026.12",
            touched_head=True,
            changed_files=None,
        )
    ]


def test_a_bitbucket_server_refs_changed_names_both_clone_links(controller):
    assert controller.post(bitbucket_server_headers(BITBUCKET_SERVER_PUSH), BITBUCKET_SERVER_PUSH) == (200, "")
    assert controller.pushed == [
        PushEvent(
            provider="bitbucket-server",
            repo_urls=(
                "ssh://git@bitbucket.example.com:7999/ops/deploy.git",
                "https://bitbucket.example.com/scm/ops/deploy.git",
            ),
            revision="master",
            touched_head=True,
            changed_files=None,
        )
    ]


# --- refusals: wrong or missing signature, token or UUID ---------------------------------------------

WRONG = "not-the-secret"


def _without(headers: dict[str, str], *names: str) -> dict[str, str]:
    return {k: v for k, v in headers.items() if k not in names}


REFUSED_CASES = {
    "github wrong signature": (github_headers(GITHUB_PUSH, secret=WRONG), GITHUB_PUSH),
    "github no signature": (_without(github_headers(GITHUB_PUSH), "X-Hub-Signature-256"), GITHUB_PUSH),
    "github signature without its sha256= prefix but wrong": (
        {**github_headers(GITHUB_PUSH), "X-Hub-Signature-256": sign(WRONG, GITHUB_PUSH)},
        GITHUB_PUSH,
    ),
    "github signature of another body": (github_headers(GITLAB_PUSH), GITHUB_PUSH),
    "github signature not ascii": (
        {**github_headers(GITHUB_PUSH), "X-Hub-Signature-256": "sha256=\u00e9\udcff"},
        GITHUB_PUSH,
    ),
    "gitlab wrong token": (gitlab_headers(token=WRONG), GITLAB_PUSH),
    "gitlab no token": (_without(gitlab_headers(), "X-Gitlab-Token"), GITLAB_PUSH),
    "gitlab token with a prefix of the secret": (gitlab_headers(token=SECRET[:-1]), GITLAB_PUSH),
    "gitlab token not ascii": (gitlab_headers(token="\udcff\u00e9"), GITLAB_PUSH),
    "gitea wrong signature": (gitea_headers(GITEA_PUSH, secret=WRONG), GITEA_PUSH),
    "gitea no signature": (
        _without(gitea_headers(GITEA_PUSH), "X-Gogs-Signature", "X-Gitea-Signature"),
        GITEA_PUSH,
    ),
    "bitbucket wrong uuid": (bitbucket_headers(uuid="{00000000-0000-4000-8000-000000000000}"), BITBUCKET_PUSH),
    "bitbucket no event key": (_without(bitbucket_headers(), "X-Event-Key"), BITBUCKET_PUSH),
    "bitbucket server wrong signature": (
        bitbucket_server_headers(BITBUCKET_SERVER_PUSH, secret=WRONG),
        BITBUCKET_SERVER_PUSH,
    ),
    "bitbucket server no signature": (
        _without(bitbucket_server_headers(BITBUCKET_SERVER_PUSH), "X-Hub-Signature"),
        BITBUCKET_SERVER_PUSH,
    ),
    "bitbucket server signature shorter than its prefix": (
        {**bitbucket_server_headers(BITBUCKET_SERVER_PUSH), "X-Hub-Signature": "sha"},
        BITBUCKET_SERVER_PUSH,
    ),
}


@pytest.mark.parametrize("headers, body", REFUSED_CASES.values(), ids=REFUSED_CASES.keys())
def test_an_unverified_webhook_is_refused_and_refreshes_nothing(controller, headers, body):
    assert controller.post(headers, body) == FAILED
    assert controller.pushed == []


def test_githubs_sha1_signature_is_never_read(controller):
    headers = _without(github_headers(GITHUB_PUSH), "X-Hub-Signature-256")
    assert "X-Hub-Signature" in headers
    assert controller.post(headers, GITHUB_PUSH) == FAILED


def test_without_a_secret_a_provider_accepts_unsigned_pushes_as_argo_cd_does():
    controller = Controller(WebhookSettings())
    assert controller.post({"X-GitHub-Event": "push"}, GITHUB_PUSH) == (200, "")
    assert controller.post({"X-Gitlab-Event": "Push Hook"}, GITLAB_PUSH) == (200, "")
    assert controller.post({"X-Gogs-Event": "push"}, GITEA_PUSH) == (200, "")
    assert controller.post({"X-Hook-UUID": "anything", "X-Event-Key": "repo:push"}, BITBUCKET_PUSH) == (200, "")
    assert controller.post({"X-Event-Key": "repo:refs_changed"}, BITBUCKET_SERVER_PUSH) == (200, "")
    assert [e.provider for e in controller.pushed] == ["github", "gitlab", "gogs", "bitbucket", "bitbucket-server"]


def test_header_names_are_case_insensitive(controller):
    headers = {name.lower(): value for name, value in github_headers(GITHUB_PUSH).items()}
    assert controller.post(headers, GITHUB_PUSH) == (200, "")
    headers = {name.upper(): value for name, value in gitlab_headers().items()}
    assert controller.post(headers, GITLAB_PUSH) == (200, "")
    assert len(controller.pushed) == 2


# --- Argo CD's other answers ---------------------------------------------------------------------------


def test_a_request_no_provider_claims_is_an_unknown_event_whatever_its_method(controller):
    assert controller.post({"X-Unknown-Event": "push"}, b"") == (400, "Unknown webhook event")
    assert controller.post({}, GITHUB_PUSH, method="GET") == (400, "Unknown webhook event")
    # GHCR's `package` events go to a parser of Argo CD's that wavecd does not have.
    assert controller.post(github_headers(b"{}", event="package"), b"{}") == (400, "Unknown webhook event")


@pytest.mark.parametrize("method", ["GET", "PUT", "post"])
def test_a_providers_request_that_is_not_a_post_is_405(controller, method):
    assert controller.post(github_headers(GITHUB_PUSH), GITHUB_PUSH, method=method) == (405, FAILED[1])
    assert controller.post({"X-Event-Key": "diagnostics:ping"}, b"", method=method) == (405, FAILED[1])
    assert controller.pushed == []


def test_an_empty_body_is_refused_with_the_size_text(controller):
    assert controller.post({"X-GitHub-Event": "push"}, b"") == (
        400,
        "Webhook processing failed: payload must be valid JSON under 50 MB",
    )


def test_an_oversized_body_is_refused_with_the_configured_cap():
    controller = Controller(WebhookSettings(github_secret=SECRET, max_payload_size_mb=2))
    assert controller.receiver.max_payload_bytes == 2 * 1024 * 1024
    text = "Webhook processing failed: payload must be valid JSON under 2 MB"
    headers = github_headers(GITHUB_PUSH)
    assert controller.post(headers, GITHUB_PUSH[:100], oversized=True) == (400, text)
    big = GITHUB_PUSH + b" " * (2 * 1024 * 1024)
    assert controller.post(github_headers(big), big) == (400, text)
    assert controller.pushed == []


def test_a_body_at_the_cap_is_read():
    controller = Controller(WebhookSettings(max_payload_size_mb=1))
    body = GITHUB_PUSH + b" " * (1024 * 1024 - len(GITHUB_PUSH))
    assert len(body) == controller.receiver.max_payload_bytes
    assert controller.post({"X-GitHub-Event": "push"}, body) == (200, "")


def test_gitlab_checks_its_token_before_reading_the_body(controller):
    # go-playground's GitLab Parse compares the token first: a wrong token on an oversized body is
    # refused as unverified, a right one as too large.
    assert controller.post(gitlab_headers(token=WRONG), b"x", oversized=True) == FAILED
    assert controller.post(gitlab_headers(), b"x", oversized=True)[1].endswith("under 50 MB")


@pytest.mark.parametrize(
    "headers",
    [
        github_headers(b"{}", event="issues"),
        github_headers(b"{}", event="pull_request"),
        gitlab_headers(event="Merge Request Hook"),
        bitbucket_headers(event="pullrequest:created"),
        bitbucket_server_headers(b"{}", event="pr:opened"),
        {"X-Gogs-Event": "create", "X-Gogs-Signature": sign(SECRET, b"{}")},
    ],
    ids=["github issues", "github pull_request", "gitlab MR", "bitbucket PR", "bitbucket server PR", "gogs create"],
)
def test_an_event_argo_cd_does_not_listen_for_is_refused(controller, headers):
    assert controller.post(headers, b"{}") == FAILED
    assert controller.pushed == []


def test_a_github_ping_is_accepted_and_refreshes_nothing(controller):
    ping = encode({"zen": "Design for failure.", "hook_id": 292430182, "hook": {"type": "Repository"}})
    assert controller.post(github_headers(ping, event="ping"), ping) == (200, "")
    assert controller.post(github_headers(ping, secret=WRONG, event="ping"), ping) == FAILED
    assert controller.pushed == []


def test_a_bitbucket_server_ping_is_accepted_before_any_signature_check(controller):
    assert controller.post({"X-Event-Key": "diagnostics:ping"}, b"") == (200, "")
    assert controller.pushed == []


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[1, 2]",
        b'{"ref": 7}',
        b'{"commits": "all of them"}',
        b'{"commits": [{"added": [1]}]}',
        b'{"repository": "https://github.com/o/r"}',
        b'{"ref": NaN}',
        b"[" * 100_000,
    ],
    ids=["not json", "array", "ref a number", "commits a string", "file a number", "repo a string", "NaN", "deep"],
)
def test_a_signed_but_malformed_payload_is_refused(controller, body):
    assert controller.post(github_headers(body), body) == FAILED
    assert controller.pushed == []


def test_a_push_naming_no_repository_is_accepted_and_ignored(controller):
    body = encode({"ref": "refs/heads/main", "commits": []})
    assert controller.post(github_headers(body), body) == (200, "")
    assert controller.pushed == []


def test_gitlab_system_hooks_carry_pushes_and_tag_pushes_and_ignore_the_rest(controller):
    system = gitlab_headers(event="System Hook")
    assert controller.post(system, GITLAB_PUSH) == (200, "")
    tag = json.loads(GITLAB_PUSH) | {"object_kind": "tag_push", "event_name": "tag_push", "ref": "refs/tags/v1.2.0"}
    assert controller.post(system, encode(tag)) == (200, "")
    assert [(e.revision, e.touched_head) for e in controller.pushed] == [("env/staging", False), ("v1.2.0", False)]
    assert controller.post(system, encode({"event_name": "project_create", "name": "x"})) == (200, "")
    assert controller.post(system, encode({"object_kind": "merge_request"})) == FAILED
    assert controller.post(system, encode({"event_name": "repository_update"})) == FAILED
    assert len(controller.pushed) == 2


def test_a_gitlab_tag_push_hook_names_the_tag(controller):
    tag = json.loads(GITLAB_PUSH) | {"object_kind": "tag_push", "ref": "refs/tags/v1.2.0", "commits": []}
    assert controller.post(gitlab_headers(event="Tag Push Hook"), encode(tag)) == (200, "")
    assert controller.pushed[0].revision == "v1.2.0"
    assert controller.pushed[0].changed_files == ()
