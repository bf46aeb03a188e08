"""Proof: the API of a running `wavecd serve` lets nobody in without a token, lets a readonly token read but
not write, and never lets a Secret's value out.

A real `wavecd serve` subprocess keeps a small tree synced into a `wavecd sim serve` subprocess: `vault`
(auto-synced, no self-heal) manages a Secret whose values come from both `data` and `stringData`, and a
Deployment; `manual` (no auto-sync) a ConfigMap and a slow Deployment. Every route of docs/api.md is
called with no token, a token the server never issued, a readonly token and the admin token, and the
statuses and texts are Argo CD's. Every response body of the session — the stream's included — is kept
and searched at the end for each secret value, raw and base64-encoded.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from support.gitops import CREATE_NAMESPACE, REPO_URL, Child, config_map, deployment, write_repo
from support.serve import ServeProcess, create_token, synced_and_healthy
from support.sim_server import SimServer

pytestmark = pytest.mark.slow

DATA_VALUE = "pa55-from-data-7Qx"  # the Secret's `data.password`, base64-encoded in git
STRING_VALUE = "tok-from-stringData-9Zr"  # its `stringData.token`
CHANGED_VALUE = "pa55-changed-live-4Kd"  # what someone writes into the live Secret
WEBHOOK_SECRET = "hook-secret-for-the-auth-proof"
SECRETS = (DATA_VALUE, STRING_VALUE, CHANGED_VALUE, WEBHOOK_SECRET)
MASK, MASK2 = "++++++++", "++++++++++++"
PROCESSING_FAILED = "Webhook processing failed"
SYNC_DELAY = "5s"  # how long `manual`'s Deployment takes to become ready: the stream is read meanwhile


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def secret() -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "creds", "namespace": "vault"},
        "type": "Opaque",
        "data": {"password": b64(DATA_VALUE)},
        "stringData": {"token": STRING_VALUE},
    }


def write_tree(repo: Path) -> Path:
    """The tree, with an auto-synced root (so the children's Applications are recorded) and the GitHub
    webhook secret in `wavecd.yaml`."""
    write_repo(
        repo,
        [
            Child(
                "vault",
                [secret(), deployment("web", "vault")],
                namespace="vault",
                sync_policy={"automated": {}, **CREATE_NAMESPACE},
            ),
            Child(
                "manual",
                [
                    config_map("settings", "manual"),
                    deployment("slow", "manual", annotations={"sim.wavecd.io/ready-after": SYNC_DELAY}),
                ],
                namespace="manual",
            ),
        ],
    )
    root = yaml.safe_load((repo / "root.yaml").read_text())
    root["spec"]["syncPolicy"] = {"automated": {}}
    (repo / "root.yaml").write_text(yaml.safe_dump(root))
    config = yaml.safe_load((repo / "wavecd.yaml").read_text())
    config["webhook"] = {"github": {"secret": WEBHOOK_SECRET}}
    (repo / "wavecd.yaml").write_text(yaml.safe_dump(config))
    return repo / "root.yaml"


def token_id(tokens: Path, token: str) -> str:
    """The short id the token file keeps beside the token's SHA-256 (the `sub` Argo CD's texts name)."""
    digest = hashlib.sha256(token.encode()).hexdigest()
    return next(t["id"] for t in json.loads(tokens.read_text())["tokens"] if t["sha256"] == digest)


@dataclass
class Session:
    """The server and the callers; every response body any of them received is kept in `bodies`."""

    serve: ServeProcess
    headers: dict[str, dict[str, str]]  # caller → its headers
    readonly_id: str
    admin_id: str
    bodies: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def keep(self, body: str) -> None:
        with self.lock:
            self.bodies.append(body)

    def call(self, caller: str, method: str, url: str, body: Any = None) -> httpx.Response:
        response = httpx.request(method, self.serve.url + url, json=body, headers=self.headers[caller], timeout=90)
        self.keep(response.text)
        return response

    def stream(self, caller: str, seconds: float, *, sse: bool = True) -> tuple[int, list[dict[str, Any]]]:
        """Follow the stream for `seconds`: its status and the events it sent."""
        headers = {**self.headers[caller], **({"Accept": "text/event-stream"} if sse else {})}
        received: list[str] = []
        deadline = time.monotonic() + seconds
        status = 0
        try:
            with httpx.stream(
                "GET", self.serve.url + "/api/v1/stream/applications", headers=headers, timeout=seconds + 5
            ) as response:
                status = response.status_code
                for line in response.iter_lines():
                    received.append(line)
                    if time.monotonic() > deadline:
                        break
        except httpx.ReadTimeout:
            pass
        self.keep("\n".join(received))
        if status != 200:
            return status, []
        frames = [line.removeprefix("data: ") for line in received if line.startswith(("data: ", "{"))]
        return status, [json.loads(frame)["result"] for frame in frames]

    def apps(self) -> dict[str, dict[str, Any]]:
        response = self.call("admin", "GET", "/api/v1/applications")
        assert response.status_code == 200, response.text
        return {a["metadata"]["name"]: a for a in response.json()["items"]}

    def app(self, name: str) -> dict[str, Any]:
        response = self.call("admin", "GET", f"/api/v1/applications/{name}")
        assert response.status_code == 200, response.text
        return response.json()

    def wait(self, what: str, check: Callable[[dict[str, dict[str, Any]]], bool], timeout: float = 120):
        """Poll the applications until `check(apps)` holds; the apps then."""
        deadline = time.monotonic() + timeout
        while True:
            apps = self.apps()
            if check(apps):
                return apps
            if time.monotonic() > deadline:
                summary = {n: (a.get("status") or {}).get("sync") for n, a in apps.items()}
                raise AssertionError(f"timed out waiting for {what}: {summary}\n{self.serve.log()[-3000:]}")
            time.sleep(0.5)


@pytest.fixture
def session(tmp_path: Path):
    root = write_tree(tmp_path / "gitops")
    cluster = SimServer(tmp_path).start()
    serve = ServeProcess(root, cluster.kubeconfig, tmp_path, "--poll", "0")
    readonly = create_token(serve.tokens, "readonly")
    headers = {
        "none": {},
        "wrong": {"Authorization": "Bearer wcd_" + "x" * 43},
        "readonly": {"Authorization": f"Bearer {readonly}"},
        "admin": {"Authorization": f"Bearer {serve.token}"},
    }
    try:
        serve.start()
        yield Session(serve, headers, token_id(serve.tokens, readonly), token_id(serve.tokens, serve.token)), cluster
    finally:
        serve.close()
        cluster.stop()


def no_operation(app: dict[str, Any]) -> bool:
    """No operation recorded, and the last one, if any, over."""
    phase = ((app.get("status") or {}).get("operationState") or {}).get("phase")
    return not app.get("operation") and phase not in ("Running", "Terminating")


def error(text: str, code: int) -> dict[str, Any]:
    """Argo CD's gateway's error body."""
    return {"error": text, "code": code, "message": text}


READS = [
    ("GET", "/api/v1/applications", None),
    ("GET", "/api/v1/applications/vault", None),
    ("GET", "/api/v1/applications/vault/resource-tree", None),
    ("GET", "/api/v1/applications/vault/managed-resources", None),
]
# (method, url, body, Argo CD's RBAC action the refusal names)
WRITES = [
    ("GET", "/api/v1/applications/vault?refresh=normal", None, "refresh"),
    ("GET", "/api/v1/applications/vault?refresh=hard", None, "refresh"),
    ("POST", "/api/v1/applications/vault/sync", {"dryRun": True}, "sync"),
    ("POST", "/api/v1/applications/manual/sync", {}, "sync"),
    ("PUT", "/api/v1/applications/manual/rollback", {"id": 0}, "sync"),
    ("POST", "/api/v1/applications/manual/rollback", {"id": 0}, "sync"),
    ("DELETE", "/api/v1/applications/manual/operation", None, "sync"),
    ("POST", "/api/v1/applications/nope/sync", {}, "sync"),  # the same words for an app that is not there
]


def check_strangers_are_refused(s: Session) -> None:
    """No token → 401 `no session information`; a token the server did not issue → 401 `invalid session`;
    the stream too."""
    texts = {
        "none": "no session information",
        "wrong": "invalid session: the token is not one this server issued",
    }
    for caller, text in texts.items():
        for method, url, body, *_ in READS + WRITES:
            response = s.call(caller, method, url, body)
            assert (response.status_code, response.json()) == (401, error(text, 16)), (caller, method, url)
        status, events = s.stream(caller, 1)
        assert (status, events) == (401, [])


def check_readonly_reads_but_never_writes(s: Session) -> None:
    for method, url, body in READS:
        assert s.call("readonly", method, url, body).status_code == 200, url
    for method, url, body, action in WRITES:
        name = url.split("/")[4].split("?")[0]
        text = f"permission denied: applications, {action}, default/{name}, sub: token:{s.readonly_id}"
        response = s.call("readonly", method, url, body)
        assert (response.status_code, response.json()) == (403, error(text, 7)), url
    status, events = s.stream("readonly", 2)
    assert status == 200
    assert sorted(e["application"]["metadata"]["name"] for e in events if e["type"] == "ADDED") == [
        "manual",
        "root",
        "vault",
    ]
    assert all(map(no_operation, s.apps().values()))  # the refused writes recorded nothing
    assert not s.app("manual")["status"].get("history")


def check_admin_reads(s: Session) -> None:
    listed = s.call("admin", "GET", "/api/v1/applications").json()["items"]
    assert [a["metadata"]["name"] for a in listed] == ["manual", "root", "vault"]
    vault = s.app("vault")
    assert {k: vault["wavecd"][k] for k in ("parent", "wave", "generatedBy")} == {
        "parent": "root",
        "wave": 0,
        "generatedBy": None,
    }
    for refresh in ("normal", "hard"):
        response = s.call("admin", "GET", f"/api/v1/applications/vault?refresh={refresh}")
        assert response.status_code == 200
        assert response.json()["status"]["sync"]["status"] == "Synced"
    nodes = s.call("admin", "GET", "/api/v1/applications/vault/resource-tree").json()["nodes"]
    by_kind = {n["kind"]: n for n in nodes}
    assert {"Secret", "Deployment", "ReplicaSet", "Pod"} <= set(by_kind)
    assert by_kind["ReplicaSet"]["parentRefs"] == [
        {"group": "apps", "kind": "Deployment", "namespace": "vault", "name": "web"}
    ]
    assert by_kind["Pod"]["parentRefs"][0]["kind"] == "ReplicaSet"
    items = s.call("admin", "GET", "/api/v1/applications/vault/managed-resources").json()["items"]
    creds = next(i for i in items if i["kind"] == "Secret")
    assert json.loads(creds["targetState"])["data"] == {"password": MASK, "token": MASK}  # `stringData` folded
    assert json.loads(creds["liveState"])["data"] == {"password": MASK, "token": MASK}
    assert creds["status"] == "Synced" and not creds["modified"]


def check_admin_writes(s: Session) -> None:
    """Dry run, the refusals, a real sync followed on the stream, a rollback, the webhook."""
    refused = [
        ("PUT", "vault/rollback", {"id": 0}, 400, error("rollback cannot be initiated when auto-sync is enabled", 9)),
        (
            "PUT",
            "manual/rollback",
            {"id": 0},
            400,
            error("application argocd/manual does not have deployment with id 0", 3),
        ),
        (
            "DELETE",
            "manual/operation",
            None,
            400,
            error("Unable to terminate operation. No operation is in progress", 3),
        ),
        ("POST", "nope/sync", {}, 404, None),
    ]
    for method, path, body, status, expected in refused:
        response = s.call("admin", method, f"/api/v1/applications/{path}", body)
        assert response.status_code == status, (path, response.text)
        if expected is not None:
            assert response.json() == expected

    dry = s.call("admin", "POST", "/api/v1/applications/manual/sync", {"dryRun": True})
    assert dry.status_code == 200, dry.text
    assert dry.json()["operation"]["sync"]["dryRun"] is True
    assert dry.json()["operation"]["initiatedBy"] == {"username": f"token:{s.admin_id}"}
    apps = s.wait("the dry run done", lambda apps: no_operation(apps["manual"]))
    assert apps["manual"]["status"]["operationState"]["phase"] == "Succeeded"
    assert apps["manual"]["status"]["sync"]["status"] == "OutOfSync"
    assert not apps["manual"]["status"].get("history")  # a dry run leaves no history entry

    seen: list[tuple[int, list[dict[str, Any]]]] = []
    follower = threading.Thread(target=lambda: seen.append(s.stream("admin", 4)))
    follower.start()
    time.sleep(1)
    real = s.call("admin", "POST", "/api/v1/applications/manual/sync", {"prune": True})
    assert real.status_code == 200, real.text
    follower.join()
    status, events = seen[0]
    assert status == 200
    phases = [
        ((e["application"].get("status") or {}).get("operationState") or {}).get("phase")
        for e in events
        if e["type"] == "MODIFIED" and e["application"]["metadata"]["name"] == "manual"
    ]
    assert "Running" in phases, phases
    apps = s.wait("manual synced", lambda apps: synced_and_healthy(apps["manual"]))
    history = apps["manual"]["status"]["history"]
    assert [h["id"] for h in history] == [0]

    back = s.call("admin", "PUT", "/api/v1/applications/manual/rollback", {"id": 0})
    assert back.status_code == 200, back.text
    assert back.json()["operation"]["sync"]["syncStrategy"] == {"apply": {}}
    apps = s.wait("the rollback done", lambda apps: no_operation(apps["manual"]))
    assert apps["manual"]["status"]["operationState"]["phase"] == "Succeeded"
    assert [h["id"] for h in apps["manual"]["status"]["history"]] == [0, 1]

    push = json.dumps(
        {
            "ref": "refs/heads/main",
            "after": "0" * 40,
            "repository": {"html_url": REPO_URL.removesuffix(".git"), "default_branch": "main"},
            "commits": [],
        }
    ).encode()
    signature = "sha256=" + hmac.new(WEBHOOK_SECRET.encode(), push, hashlib.sha256).hexdigest()
    github = {"X-GitHub-Event": "push", "Content-Type": "application/json"}
    for caller in ("none", "wrong", "readonly", "admin"):
        for extra, expected in (({"X-Hub-Signature-256": signature}, (200, "")), ({}, (400, PROCESSING_FAILED))):
            response = httpx.post(
                s.serve.url + "/api/webhook", content=push, headers={**s.headers[caller], **github, **extra}
            )
            s.keep(response.text)
            assert (response.status_code, response.text.strip()) == expected, caller


def check_a_live_change_shows_masked(s: Session, cluster: SimServer) -> None:
    """Someone changes the Secret in the cluster: the diff shows the two passwords as two different masks
    (each key's values are masked apart), and the unchanged token as the same mask on both sides."""
    with cluster.client() as client:
        client.patch("v1", "Secret", "creds", {"data": {"password": b64(CHANGED_VALUE)}}, namespace="vault")

    def vault_out_of_sync(apps: dict[str, dict[str, Any]]) -> bool:
        return apps["vault"]["status"]["sync"]["status"] == "OutOfSync"

    s.wait("the change seen", vault_out_of_sync)
    for caller in ("readonly", "admin"):
        items = s.call(caller, "GET", "/api/v1/applications/vault/managed-resources").json()["items"]
        creds = next(i for i in items if i["kind"] == "Secret")
        target, live = json.loads(creds["targetState"]), json.loads(creds["liveState"])
        assert creds["status"] == "OutOfSync" and creds["modified"]
        assert target["data"] == {"password": MASK, "token": MASK}
        assert live["data"] == {"password": MASK2, "token": MASK}
        changed = [line for line in creds["diff"].splitlines() if line[1:].strip().startswith("password:")]
        assert [line[0] for line in changed] == ["-", "+"] and MASK2 in changed[0] and MASK2 not in changed[1]
    s.stream("admin", 1, sse=False)


def forms(value: str) -> list[str]:
    encoded = b64(value)
    return [value, encoded, encoded.rstrip("=")]


def test_every_route_refuses_strangers_and_readonly_writes_and_no_body_holds_a_secret(session):
    s, cluster = session
    s.wait(
        "vault synced and manual recorded", lambda apps: synced_and_healthy(apps.get("vault", {})) and "manual" in apps
    )
    check_strangers_are_refused(s)
    check_readonly_reads_but_never_writes(s)
    check_admin_reads(s)
    check_admin_writes(s)
    check_a_live_change_shows_masked(s, cluster)
    assert len(s.bodies) > 70  # the session above, not a part of it
    for body in s.bodies:
        for value in SECRETS:
            for form in forms(value):
                assert form not in body, f"{form!r} leaked in {body[:300]}"
