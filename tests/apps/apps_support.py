"""Shared helpers of the apps tests: their data folder, a resolver over local folders, a YAML reader, and a
repository's worth of broken apps (Applications and files are written with tests/support/gitops.py)."""

from pathlib import Path
from types import SimpleNamespace

import yaml

from support.gitops import application

DATA = Path(__file__).resolve().parent / "data"
REPO = DATA / "repo"


class FolderResolver:
    """Every git URL is `root` (at any revision); every chart is `<charts>/<chart>`."""

    def __init__(self, root: Path = REPO, charts: Path | None = None, worktree: bool = False):
        self.root = root
        self.charts = charts or root / "charts"
        self.worktree = worktree

    def git_tree(self, repo_url, revision, needs=()):
        return SimpleNamespace(
            url=repo_url, root=self.root, revision=f"sha-of-{revision or 'HEAD'}", worktree=self.worktree, origin=None
        )

    def chart(self, repo_url, chart, version):
        return SimpleNamespace(path=self.charts / chart, version=version, repo_url=repo_url, chart=chart)


def load_docs(text: str) -> list[dict]:
    return [doc for doc in yaml.safe_load_all(text) if doc]


# One app that renders and one of each way an app can fail to (files for `write_files` over a copy of REPO).
BROKEN_APPS = {
    "apps/good.yaml": application("good", "charts/probe", wave=1),
    "apps/missing-values.yaml": application(
        "missing-values", "charts/probe", wave=2, helm={"valueFiles": ["nope.yaml"]}
    ),
    "apps/no-path.yaml": application("no-path", "does/not/exist", wave=3),
    "apps/bad-template.yaml": application("bad-template", "charts/broken", wave=4),
    "apps/no-source.yaml": {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": {"name": "no-source", "namespace": "argocd"},
        "spec": {},
    },
}
