"""Shared helpers of the apps tests: a resolver over local folders, and YAML readers."""

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


def write_files(base: Path, files: dict[str, object]) -> Path:
    """Create `files` (path -> text, or an object written as YAML documents if a list/dict) under `base`."""
    for name, content in files.items():
        path = base / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, list):
            content = yaml.safe_dump_all(content, sort_keys=False)
        elif isinstance(content, dict):
            content = yaml.safe_dump(content, sort_keys=False)
        path.write_text(content)
    return base


def application(
    name,
    path="",
    wave=None,
    namespace="team",
    chart="",
    helm=None,
    directory=None,
    repo="https://example.com/apps.git",
    **spec,
):
    source = {"repoURL": repo, "targetRevision": "main"}
    source.update({"chart": chart} if chart else {"path": path})
    if helm is not None:
        source["helm"] = helm
    if directory is not None:
        source["directory"] = directory
    metadata = {"name": name, "namespace": "argocd"}
    if wave is not None:
        metadata["annotations"] = {"argocd.argoproj.io/sync-wave": str(wave)}
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": metadata,
        "spec": {
            "project": "default",
            "source": source,
            "destination": {"server": "https://kubernetes.default.svc", "namespace": namespace},
            **spec,
        },
    }
