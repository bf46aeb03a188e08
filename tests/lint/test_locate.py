"""`wavecd lint` names the repository file that holds each object, relative to ROOT's repository: however the
app spells its repoURL, from whichever of its sources the object came, and whichever namespace it is in; a
`wavecd.io/lint-ignore` annotation silences its own object only."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner

from wavecd.cli.main import main

FIRST, SECOND = "https://example.com/r.git", "https://example.com/r2.git"


def deployment(name: str, namespace: str | None = None) -> dict[str, Any]:
    """A Deployment with no probes (WCD403), its namespace left to the destination when None."""
    metadata: dict[str, Any] = {"name": name, **({"namespace": namespace} if namespace else {})}
    pod = {"metadata": {"labels": {"app": name}}, "spec": {"containers": [{"name": "c", "image": "x:1"}]}}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": metadata,
        "spec": {"selector": {"matchLabels": {"app": name}}, "template": pod},
    }


def write_tree(top: Path, sources: list[dict[str, Any]], files: dict[str, dict[str, Any]]) -> Path:
    """ROOT (an Application with `sources`) over two mapped repositories, `repo` and `repo2`."""
    (top / "wavecd.yaml").write_text(
        yaml.safe_dump(
            {
                "root": "root.yaml",
                "repositories": [
                    {"url": FIRST, "path": "repo", "worktree": True},
                    {"url": SECOND, "path": "repo2", "worktree": True},
                ],
            }
        )
    )
    spec: dict[str, Any] = {
        "project": "default",
        "destination": {"server": "https://kubernetes.default.svc", "namespace": "default"},
        "syncPolicy": {"syncOptions": ["CreateNamespace=true"]},
    }
    spec.update({"sources": sources} if len(sources) > 1 else {"source": sources[0]})
    root = {"apiVersion": "argoproj.io/v1alpha1", "kind": "Application", "metadata": {"name": "demo"}, "spec": spec}
    (top / "root.yaml").write_text(yaml.safe_dump(root))
    for name, obj in files.items():
        (top / name).parent.mkdir(parents=True, exist_ok=True)
        (top / name).write_text(yaml.safe_dump(obj))
    return top


def probe_findings(top: Path) -> list[tuple[str, str]]:
    """(object, file:line) of each WCD403 finding."""
    result = CliRunner().invoke(main, ["lint", str(top), "--no-cache", "--rule", "WCD403", "-o", "json"])
    assert result.exit_code == 0, result.output
    found = json.loads(result.stdout)["findings"]
    return sorted((f"{f['object']['namespace']}/{f['object']['name']}", f"{f['file']}:{f['line']}") for f in found)


def test_an_app_spelling_its_repo_url_without_git_is_located_in_the_mapped_folder(tmp_path):
    source = {"repoURL": "https://example.com/r", "targetRevision": "HEAD", "path": "app"}
    write_tree(tmp_path, [source], {"repo/app/d.yaml": deployment("d")})
    assert probe_findings(tmp_path) == [("default/d", "repo/app/d.yaml:1")]


def test_an_object_of_the_second_source_is_located_in_that_source_s_repository(tmp_path):
    sources = [
        {"repoURL": FIRST, "targetRevision": "HEAD", "path": "app"},
        {"repoURL": SECOND, "targetRevision": "HEAD", "path": "app2"},
    ]
    files = {"repo/app/d.yaml": deployment("d"), "repo2/app2/d2.yaml": deployment("d2")}
    write_tree(tmp_path, sources, files)
    assert probe_findings(tmp_path) == [("default/d", "repo/app/d.yaml:1"), ("default/d2", "repo2/app2/d2.yaml:1")]


def test_objects_of_one_name_in_two_namespaces_are_each_located_in_their_own_file(tmp_path):
    source = {"repoURL": FIRST, "targetRevision": "HEAD", "path": "app"}
    # d.yaml's Deployment takes the destination's namespace: it is keyed as the rules see it, `default/d`
    files = {"repo/app/d.yaml": deployment("d"), "repo/app/e.yaml": deployment("d", "other")}
    write_tree(tmp_path, [source], files)
    assert probe_findings(tmp_path) == [("default/d", "repo/app/d.yaml:1"), ("other/d", "repo/app/e.yaml:1")]


def test_a_lint_ignore_annotation_silences_its_own_object_not_its_namesake_in_another_namespace(tmp_path):
    source = {"repoURL": FIRST, "targetRevision": "HEAD", "path": "app"}
    silenced = deployment("d", "other")
    silenced["metadata"]["annotations"] = {"wavecd.io/lint-ignore": "WCD403"}
    files = {"repo/app/d.yaml": deployment("d"), "repo/app/e.yaml": silenced}
    write_tree(tmp_path, [source], files)
    assert probe_findings(tmp_path) == [("default/d", "repo/app/d.yaml:1")]
