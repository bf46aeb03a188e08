"""A snapshot of a cluster as the proofs compare it (every live object by group, kind, namespace and name, and
the app each is tracked by), and a private copy of the shipped examples to change and commit."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from support.paths import EXAMPLES
from wavecd.kube import KubeClient, KubeError

TRACKING = "argocd.argoproj.io/tracking-id"
# Kinds whose objects belong to nobody's desired state (Argo CD's default exclusions).
UNTRACKED = frozenset(
    {
        ("", "Event"),
        ("events.k8s.io", "Event"),
        ("", "Endpoints"),
        ("discovery.k8s.io", "EndpointSlice"),
        ("coordination.k8s.io", "Lease"),
    }
)

# Kinds a real server makes up at each read instead of storing (ComponentStatus: its probes of the control plane),
# so they carry no resourceVersion to compare; the sim serves none.
COMPUTED = frozenset({("", "ComponentStatus")})

Key = tuple[str, str, str, str]  # (group, kind, namespace, name)


def live_objects(client: KubeClient) -> dict[Key, dict[str, Any]]:
    """Every object of every listable kind, by (group, kind, namespace, name)."""
    out: dict[Key, dict[str, Any]] = {}
    seen: set[tuple[str, str]] = set()
    for res in client.resources(refresh=True):
        if "list" not in res.verbs or (res.group, res.kind) in seen or (res.group, res.kind) in UNTRACKED | COMPUTED:
            continue
        seen.add((res.group, res.kind))
        try:
            items = client.list(res.api_version, res.kind)
        except KubeError:
            continue
        for item in items:
            meta = item.get("metadata") or {}
            out[(res.group, res.kind, meta.get("namespace") or "", meta["name"])] = item
    return out


def resource_versions(objects: dict[Key, dict[str, Any]]) -> dict[Key, str]:
    return {key: obj["metadata"]["resourceVersion"] for key, obj in objects.items()}


def tracking_id(obj: dict[str, Any]) -> str | None:
    """`<app>:<group>/<kind>:<namespace>/<name>`, the object's tracking annotation."""
    return ((obj.get("metadata") or {}).get("annotations") or {}).get(TRACKING)


def tracked_by(obj: dict[str, Any]) -> str | None:
    """The app instance an object's tracking annotation names."""
    value = tracking_id(obj)
    return value.split(":", 1)[0] if value else None


def copy_examples(tmp: Path) -> Path:
    """A private copy of examples/ (staging and its chart mirror); returns the staging folder."""
    shutil.copytree(EXAMPLES, tmp / "examples")
    return tmp / "examples" / "staging"


def committed_examples(tmp: Path, branch: str = "main") -> Path:
    """A private copy of examples/ whose staging folder is the top of its own git repository, committed once on
    `branch` by a named committer (so the tests can commit after it); returns the staging folder."""
    from support.gitops import git

    repo = copy_examples(tmp)
    git(repo, "init", "-q", "-b", branch)
    git(repo, "config", "user.name", "ci")
    git(repo, "config", "user.email", "ci@example.com")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "staging")
    return repo
