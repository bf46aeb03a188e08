"""Shared helpers of the apps tests: their data folder, a resolver over local folders, and a YAML reader
(Applications and files are written with tests/support/gitops.py)."""

from pathlib import Path
from types import SimpleNamespace

import yaml

DATA = Path(__file__).resolve().parent / "data"
REPO = DATA / "repo"


class FolderResolver:
    """Every git URL is `root` (at any revision); every chart is `<charts>/<chart>`."""

    def __init__(self, root: Path = REPO, charts: Path | None = None, worktree: bool = False):
        self.root = root
        self.charts = charts or root / "charts"
        self.worktree = worktree

    def git_tree(self, repo_url, revision):
        return SimpleNamespace(
            url=repo_url, root=self.root, revision=f"sha-of-{revision or 'HEAD'}", worktree=self.worktree
        )

    def chart(self, repo_url, chart, version):
        return SimpleNamespace(path=self.charts / chart, version=version, repo_url=repo_url, chart=chart)


def load_docs(text: str) -> list[dict]:
    return [doc for doc in yaml.safe_load_all(text) if doc]
