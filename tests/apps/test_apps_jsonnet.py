"""Jsonnet files of a directory source, evaluated by go-jsonnet as Argo CD's repo-server evaluates them.

The expected objects are written by hand from the Jsonnet in data/jsonnet/repo: each value follows from
the language (3 * 2 = 6, the default of a TLA, an import's field), not from wavecd's code.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from apps_support import FolderResolver

from wavecd.apps.digest import job_digest
from wavecd.apps.directory_source import directory_objects_at
from wavecd.apps.helm_source import RenderSettings
from wavecd.apps.model import parse_application
from wavecd.apps.render_app import resolve_app, run_job

REPO = Path(__file__).resolve().parent / "data" / "jsonnet" / "repo"
JSONNET = {
    "extVars": [{"name": "app", "value": "$ARGOCD_APP_NAME"}, {"name": "sum", "value": "1 + 2", "code": True}],
    "tlas": [{"name": "replicas", "value": "3", "code": True}, {"name": "tier", "value": "back"}],
    "libs": ["vendor/lib"],
}


def render(path: str, directory: dict | None = None):
    source = {"repoURL": "https://example.com/j.git", "targetRevision": "main", "path": path}
    if directory is not None:
        source["directory"] = directory
    app = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": {"name": "jn", "namespace": "argocd"},
        "spec": {"source": source, "destination": {"namespace": "demo"}},
    }
    return run_job(resolve_app(parse_application(app), FolderResolver(REPO), RenderSettings()))


def test_ext_vars_tlas_and_libs():
    output = render("app", {"jsonnet": JSONNET})
    assert output.error is None
    assert output.objects == [
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "cm-jn"},
            "data": {"replicas": "6", "tier": "back", "sum": "3", "helper": "beside", "lib": "hello"},
        },
        # nothing.jsonnet gives null: no object
        {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "single"}},  # one.jsonnet: an object
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "from-yaml"}},  # plain.yaml, in walk order
    ]


def test_a_missing_lib_is_an_evaluation_error_naming_the_file():
    output = render("app", {"jsonnet": {**JSONNET, "libs": []}})
    assert output.error.startswith('Failed to evaluate jsonnet "main.jsonnet": ')
    # exactly the importer's message, then go-jsonnet's trace: none of the bytes the binding reads past it
    assert (
        'RUNTIME ERROR: importer error: couldn\'t open import "lib.libsonnet": '
        "no match locally or in the Jsonnet library paths\n\t"
    ) in output.error
    assert output.error_location.endswith("app/main.jsonnet")
    assert output.objects == []  # never "rendered nothing" for a file that did not evaluate


@pytest.mark.parametrize(
    ("file", "message"),
    [
        ("bad.jsonnet", 'Failed to evaluate jsonnet "bad.jsonnet": RUNTIME ERROR: boom'),
        ("escape.jsonnet", "leads outside the repository"),
        ("scalar.jsonnet", 'Failed to unmarshal generated json "scalar.jsonnet": 42 is not a Kubernetes object'),
    ],
)
def test_broken_files_fail_the_app(file, message):
    output = render("broken", {"include": file})
    assert message in output.error
    assert output.objects == []


def test_a_lib_outside_the_repository_is_refused():
    output = render("app", {"jsonnet": {**JSONNET, "libs": ["../.."]}})
    assert "directory.jsonnet.libs: '../..' resolves outside the repository" in output.error


def test_a_python_file_in_the_app_folder_never_runs(tmp_path):
    """go-jsonnet runs in a Python child whose working directory is the app's folder: a repository's
    `json.py` there must not be imported in place of the standard library's."""
    (tmp_path / "json.py").write_text(f"open({str(tmp_path / 'ran')!r}, 'w').close()\nraise SystemExit(1)\n")
    (tmp_path / "cm.jsonnet").write_text("{apiVersion: 'v1', kind: 'ConfigMap', metadata: {name: 'safe'}}")
    assert directory_objects_at(tmp_path, None) == [
        ("cm.jsonnet", None, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "safe"}})
    ]
    assert not (tmp_path / "ran").exists()


def test_the_render_cache_sees_a_change_to_a_jsonnet_import_outside_the_apps_folder(tmp_path):
    """A worktree render of `app` imports `vendor/lib` (jsonnet.libs): editing it must change the digest,
    and so the output, not serve the old render from the cache."""
    shutil.copytree(REPO, tmp_path / "repo")
    source = {"repoURL": "https://example.com/j.git", "path": "app", "directory": {"jsonnet": JSONNET}}
    app = parse_application(
        {
            "apiVersion": "argoproj.io/v1alpha1",
            "kind": "Application",
            "metadata": {"name": "jn", "namespace": "argocd"},
            "spec": {"source": source, "destination": {"namespace": "demo"}},
        }
    )
    resolver = FolderResolver(tmp_path / "repo", worktree=True)
    before = job_digest(resolve_app(app, resolver, RenderSettings()))
    lib = next((tmp_path / "repo" / "vendor" / "lib").rglob("*sonnet"))
    lib.write_text(lib.read_text().replace("hello", "changed"))
    assert job_digest(resolve_app(app, resolver, RenderSettings())) != before
