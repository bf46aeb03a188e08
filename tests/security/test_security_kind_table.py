"""The tree's kind-table passes never end silently with a stale table.

Charts read `.Capabilities.APIVersions`, and the kinds offered there are the CRDs the tree renders, so the
walk repeats until that set settles. A chart that renders a CRD only while its kind is absent never lets it
settle: the apps whose CRDs kept changing get an error naming what changed, and `wavecd tree` says so and
fails, instead of showing manifests built from whichever table the last pass happened to use.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import yaml
from click.testing import CliRunner

from wavecd.apps.tree import TreeOptions, build_tree
from wavecd.cli.main import main

REPO_URL = "https://example.com/apps.git"
FLIP_CRD = """\
{{- if not (.Capabilities.APIVersions.Has "flip.example.com/v1/Flip") }}
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: flips.flip.example.com
spec:
  group: flip.example.com
  scope: Namespaced
  names: {kind: Flip, plural: flips}
  versions: [{name: v1, served: true, storage: true}]
{{- end }}
"""
STEADY_CRD = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: steadies.steady.example.com
spec:
  group: steady.example.com
  scope: Namespaced
  names: {kind: Steady, plural: steadies}
  versions: [{name: v1, served: true, storage: true}]
"""


def _application(name: str, path: str, namespace: str = "team") -> dict:
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": {"name": name, "namespace": "argocd"},
        "spec": {
            "project": "default",
            "source": {"repoURL": REPO_URL, "targetRevision": "HEAD", "path": path},
            "destination": {"server": "https://kubernetes.default.svc", "namespace": namespace},
        },
    }


def _repo(tmp_path: Path) -> Path:
    """A root whose `flip` app renders the Flip CRD only while Flip is not a known kind (a cycle of one),
    beside a `steady` app whose CRD never changes."""
    repo = tmp_path / "repo"
    files = {
        "apps/flip.yaml": yaml.safe_dump(_application("flip", "charts/flip")),
        "apps/steady.yaml": yaml.safe_dump(_application("steady", "charts/steady")),
        "charts/flip/Chart.yaml": "apiVersion: v2\nname: flip\nversion: 0.1.0\n",
        "charts/flip/templates/crd.yaml": FLIP_CRD,
        "charts/steady/Chart.yaml": "apiVersion: v2\nname: steady\nversion: 0.1.0\n",
        "charts/steady/templates/crd.yaml": STEADY_CRD,
        "root.yaml": yaml.safe_dump(_application("root", "apps", namespace="argocd")),
    }
    for name, text in files.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text)
    return repo


class _Folder:
    """Every git URL is `root`, read as it is on disk."""

    def __init__(self, root: Path):
        self.root = root

    def git_tree(self, repo_url: str, revision: str, needs: object = ()) -> SimpleNamespace:
        return SimpleNamespace(url=repo_url, root=self.root, revision="HEAD", worktree=True, origin=None)

    def chart(self, repo_url: str, chart: str, version: str) -> SimpleNamespace:
        raise AssertionError("no chart repository in this tree")


FLIP_ERROR_START = "the kind table did not settle after 4 passes: the CRDs this app renders kept changing ("


def test_crds_that_never_settle_are_an_error_on_the_apps_that_keep_changing(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    passes: list[tuple[int, int]] = []
    tree = build_tree(
        _application("root", "apps", namespace="argocd"),
        _Folder(repo),
        options=TreeOptions(executor="serial"),
        on_pass=lambda number, crds: passes.append((number, crds)),
    )
    assert passes == [(1, 2), (2, 1), (3, 2), (4, 1)]
    assert [n.name for n in tree.broken] == ["flip"]
    flip = tree.node("flip")
    assert flip.error is not None and flip.error.startswith(FLIP_ERROR_START)
    assert "-flip.example.com/v1/Flip" in flip.error
    assert flip.error_location == "app flip"
    assert tree.node("steady").error is None


def test_a_settled_tree_has_no_such_error(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    (repo / "apps" / "flip.yaml").unlink()
    tree = build_tree(
        _application("root", "apps", namespace="argocd"), _Folder(repo), options=TreeOptions(executor="serial")
    )
    assert tree.broken == []


def test_wavecd_tree_names_the_app_whose_kinds_kept_changing(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    args = ["tree", str(repo / "root.yaml"), "--repo", f"{REPO_URL}={repo}", "--worktree", "--offline"]
    result = CliRunner().invoke(main, [*args, "--no-cache", "--executor", "serial", "-o", "json"])
    assert result.exit_code == 1, result.output
    nodes = {n["name"]: n for n in json.loads(result.stdout)}
    assert nodes["flip"]["error"].startswith(FLIP_ERROR_START)
    assert nodes["steady"]["error"] is None
    assert result.stderr.endswith("1 of 3 apps failed: flip\n")
