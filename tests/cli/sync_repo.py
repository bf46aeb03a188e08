"""Two-app GitOps repositories for `wavecd sync` runs that must stop: in the first, `web` (wave 1) never gets
healthy, so `later` (wave 2) is never applied; in the second, `web` is fine and `later` cannot be rendered."""

from __future__ import annotations

import shutil
from pathlib import Path

from support.gitops import Child, deployment, write_repo


def write_failing_repo(repo: Path, *, broken_later: bool = False) -> Path:
    web = deployment("api", "web", annotations={} if broken_later else {"sim.wavecd.io/outcome": "fail"})
    write_repo(
        repo,
        [
            Child("web", [web], wave=1, namespace="web"),
            Child("later", [] if broken_later else [deployment("worker", "web")], wave=2, namespace="web"),
        ],
    )
    if broken_later:  # its app path does not exist
        shutil.rmtree(repo / "manifests" / "later")
    return repo
