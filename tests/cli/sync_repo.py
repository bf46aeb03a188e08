"""Two-app GitOps repositories for `wavecd sync` runs that must stop: in the first, `web` (wave 1) never gets
healthy, so `later` (wave 2) is never applied; in the second, `web` is fine and `later` cannot be rendered."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

REPO_URL = "https://git.example.com/gitops.git"


def application(name: str, path: str, wave: int | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "namespace": "argocd"}
    if wave is not None:
        meta["annotations"] = {"argocd.argoproj.io/sync-wave": str(wave)}
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": meta,
        "spec": {
            "project": "default",
            "source": {"repoURL": REPO_URL, "targetRevision": "main", "path": path},
            "destination": {"server": "https://kubernetes.default.svc", "namespace": "web"},
            "syncPolicy": {"syncOptions": ["CreateNamespace=true"]},
        },
    }


def deployment(name: str, annotations: dict[str, str]) -> dict[str, Any]:
    labels = {"app": name}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": "web", "annotations": annotations},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {"containers": [{"name": "app", "image": "example/app:1"}]},
            },
        },
    }


def write_failing_repo(repo: Path, *, broken_later: bool = False) -> Path:
    files: dict[str, Any] = {
        "wavecd.yaml": {"root": "root.yaml", "repositories": [{"url": REPO_URL, "path": ".", "worktree": True}]},
        "root.yaml": application("root", "apps"),
        "apps/web.yaml": application("web", "manifests/web", wave=1),
        "apps/later.yaml": application("later", "manifests/later", wave=2),
        "manifests/web/all.yaml": deployment("api", {} if broken_later else {"sim.wavecd.io/outcome": "fail"}),
    }
    if not broken_later:
        files["manifests/later/all.yaml"] = deployment("worker", {})
    for name, content in files.items():
        path = repo / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml.safe_dump(content))
    return repo
