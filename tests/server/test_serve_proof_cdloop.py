"""Proof: the seed's CD loop, continuous. `wavecd serve` keeps examples/staging synced into a `wavecd sim serve`
subprocess; the repository it reads is a bare remote, as a GitOps repository on a git server is. CI bumps
`image.tag` in `staging-webs/values-seat.yaml`, commits and pushes; a signed GitHub push webhook (or, without
one, the poll) makes the controller walk the tree again, and only the apps that read that file (`staging-seat`,
`loadtest-seat`) refresh and auto-sync: each rolls its Deployment to a new ReplicaSet, and every other object
keeps its resourceVersion (but Applications' status, and what the cluster provisions for the new pods). Webhooks
that are not GitHub's — a wrong signature, none, 60 MB — are refused and change nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from support.gitops import git
from support.provisioning import provisioned_for_the_rollout
from support.serve import ServeProcess, settled, synced_and_healthy
from support.sim_server import SimServer
from support.snapshot import Key, copy_examples, live_objects, resource_versions, tracked_by

pytestmark = pytest.mark.slow

REPO_URL = "https://github.com/ca-platform/303-gitops.git"
BRANCH = "argocd-sync/staging"
SECRET = "s3cret-for-the-proof"
VALUES = "ca-staging/values/apps/staging-webs/values-seat.yaml"
SEAT_APPS = {"staging-seat": "staging-webs", "loadtest-seat": "loadtest-webs"}
OLD_TAG, NEW_TAG = '"2.3.5-b418"', '"2.3.6-b419"'


@pytest.fixture
def gitops(tmp_path: Path) -> tuple[Path, Path]:
    """(the CI's working clone, the bare remote wavecd reads): wavecd.yaml maps the repository to the remote
    and holds the GitHub webhook secret."""
    staging = copy_examples(tmp_path)
    remote = tmp_path / "remote.git"
    config = staging / "wavecd.yaml"
    text = config.read_text()
    assert "    path: .\n    # Read the folder" in text and "    worktree: true\n" in text
    text = text.replace("    path: .\n", f"    path: {remote}\n").replace("    worktree: true\n", "")
    config.write_text(text + f"\nwebhook:\n  github:\n    secret: {SECRET}\n")
    git(staging, "init", "-q", "-b", BRANCH)
    git(staging, "add", "-A")
    git(staging, "commit", "-q", "-m", "staging")
    git(tmp_path, "clone", "-q", "--bare", str(staging), str(remote))
    git(staging, "remote", "add", "origin", str(remote))
    return staging, remote


def push_image_bump(staging: Path) -> str:
    values = staging / VALUES
    assert OLD_TAG in values.read_text()
    values.write_text(values.read_text().replace(OLD_TAG, NEW_TAG))
    git(staging, "commit", "-q", "-am", f"seat: {NEW_TAG}")
    git(staging, "push", "-q", "origin", BRANCH)
    return git(staging, "rev-parse", "HEAD")


def github_push(sha: str, *, files: list[str]) -> tuple[dict[str, str], bytes]:
    body = json.dumps(
        {
            "ref": f"refs/heads/{BRANCH}",
            "after": sha,
            "repository": {"html_url": REPO_URL.removesuffix(".git"), "default_branch": "main"},
            "commits": [{"id": sha, "added": [], "modified": files, "removed": []}],
        }
    ).encode()
    signature = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    headers = {"X-GitHub-Event": "push", "X-Hub-Signature-256": signature, "Content-Type": "application/json"}
    return headers, body


def start_serving(gitops: tuple[Path, Path], cluster: SimServer, tmp_path: Path, *args: str) -> ServeProcess:
    staging, _ = gitops
    serve = ServeProcess(staging / "root-staging.yaml", cluster.kubeconfig, tmp_path, *args).start()
    serve.wait_for(
        "every app Synced and Healthy", lambda apps: len(apps) == 46 and all(map(synced_and_healthy, apps.values()))
    )
    return serve


def seat_apps_at(sha: str):
    def check(apps: dict[str, dict[str, Any]]) -> bool:
        return all(sha in _revisions(apps[name]) and synced_and_healthy(apps[name]) for name in SEAT_APPS)

    return check


def _revisions(app: dict[str, Any]) -> list[str]:
    sync = (app.get("status") or {}).get("sync") or {}
    return [sync.get("revision", ""), *(sync.get("revisions") or [])]


def assert_only_seat_apps_rolled(before: dict[Key, dict[str, Any]], after: dict[Key, dict[str, Any]]) -> None:
    for namespace in SEAT_APPS.values():
        deploys = [
            o
            for k, o in after.items()
            if k[:3] == ("apps", "Deployment", namespace) and "seat" in k[3] and "v2" not in k[3]
        ]
        assert deploys, namespace
        for deploy in deploys:
            image = deploy["spec"]["template"]["spec"]["containers"][0]["image"]
            assert image.endswith(":" + NEW_TAG.strip('"'))
            uid = deploy["metadata"]["uid"]
            sets = [
                o for o in after.values() if any(r["uid"] == uid for r in o["metadata"].get("ownerReferences") or [])
            ]
            assert len(sets) == 2, [s["metadata"]["name"] for s in sets]
    # Applications record the sync and their children's health in their status (the root's health follows its
    # children's; a DaemonSet's app is Progressing while its pod starts on a node the rollout needed): their spec
    # must not change. What the capacity controllers write for the new pods is not wavecd's either.
    applications = {key for key in after if key[:2] == ("argoproj.io", "Application")}
    assert {key: after[key]["spec"] for key in applications} == {key: before[key]["spec"] for key in applications}
    not_wavecds = applications | provisioned_for_the_rollout(before, after)
    changed = {
        key
        for key in after.keys() - not_wavecds
        if key in before and after[key]["metadata"]["resourceVersion"] != before[key]["metadata"]["resourceVersion"]
    }
    owners = {tracked_by(after[key]) for key in changed if tracked_by(after[key])}
    assert owners <= set(SEAT_APPS) | {None}, owners
    untouched = {
        key: rv
        for key, rv in resource_versions(before).items()
        if key in after and key not in not_wavecds and tracked_by(after[key]) not in SEAT_APPS
    }
    untouched = {k: v for k, v in untouched.items() if not _rolled_by_seat(k)}
    assert len(untouched) > 200
    assert {k: after[k]["metadata"]["resourceVersion"] for k in untouched} == untouched


def _rolled_by_seat(key: Key) -> bool:
    """The seat apps' ReplicaSets and Pods, which their rollouts change without tracking them."""
    _, kind, namespace, name = key
    return kind in ("ReplicaSet", "Pod") and namespace in SEAT_APPS.values() and "seat" in name and "v2" not in name


def test_a_signed_push_webhook_rolls_only_the_apps_reading_the_changed_file(gitops, cluster, tmp_path):
    serve = start_serving(gitops, cluster, tmp_path, "--poll", "0")
    try:
        with cluster.client() as client:
            before = settled(client)
            sha = push_image_bump(gitops[0])
            refused = [
                (
                    github_push(sha, files=[VALUES])[0] | {"X-Hub-Signature-256": "sha256=" + "0" * 64},
                    github_push(sha, files=[VALUES])[1],
                ),
                (
                    {k: v for k, v in github_push(sha, files=[VALUES])[0].items() if k != "X-Hub-Signature-256"},
                    github_push(sha, files=[VALUES])[1],
                ),
            ]
            for headers, body in refused:
                response = httpx.post(f"{serve.url}/api/webhook", headers=headers, content=body)
                assert (response.status_code, response.text.strip()) == (400, "Webhook processing failed")
            big = httpx.post(
                f"{serve.url}/api/webhook",
                headers=github_push(sha, files=[VALUES])[0],
                content=b"{" + b" " * (60 << 20) + b"}",
            )
            assert big.status_code == 400
            assert big.text.strip() == "Webhook processing failed: payload must be valid JSON under 50 MB"
            time.sleep(3)
            assert resource_versions(live_objects(client)) == resource_versions(before), (
                "a refused webhook changed something"
            )

            headers, body = github_push(sha, files=[VALUES])
            assert httpx.post(f"{serve.url}/api/webhook", headers=headers, content=body).status_code == 200
            serve.wait_for("the seat apps synced to the pushed commit", seat_apps_at(sha), timeout=120)
            after = settled(client)
        # the walk the webhook caused says what it found: the two seat apps changed, nothing else
        assert re.search(r"^walk: 50 apps, \d+ rendered, \d+ from cache, 2 changed \(", serve.log(), re.M)
        apps = serve.applications()
        others = {name for name in apps if name not in SEAT_APPS}
        assert [name for name in sorted(others) if sha in _revisions(apps[name])] == []
        assert_only_seat_apps_rolled(before, after)
    finally:
        serve.close()


def test_without_a_webhook_the_poll_finds_the_push(gitops, cluster, tmp_path):
    serve = start_serving(gitops, cluster, tmp_path, "--poll", "1s")
    try:
        with cluster.client() as client:
            before = settled(client)
            sha = push_image_bump(gitops[0])
            serve.wait_for("the seat apps synced to the pushed commit", seat_apps_at(sha), timeout=120)
            after = settled(client)
        assert_only_seat_apps_rolled(before, after)
        assert serve.terminate() == 0
    finally:
        serve.close()
