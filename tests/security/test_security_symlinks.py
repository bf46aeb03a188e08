"""The repository boundary: a symlink in a repository that leads outside it is refused, never followed.

Each test builds a small GitOps repository in tmp_path (a root Application and one app) beside a secret
file outside the repository, and runs `wavecd render` on it as a user would: from the working tree
(`--worktree`) and from the committed git history. The secret must never reach the output, and the error
must name the link and where it points. Links that stay inside the repository keep working, and
`wavecd helm template` on a plain chart folder follows links as Helm does.
"""

import errno
import json
import os
import subprocess

import pytest
import yaml
from click.testing import CliRunner

from wavecd.cli.main import main

URL = "https://example.com/apps.git"
SECRET = "TOP-SECRET-TOKEN-7f3a"
# One file fits every read: a manifest for a directory source, a values file, a file for .Files.Get.
SECRET_FILE = f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: stolen\ndata:\n  token: {SECRET}\n"
CHART = "apiVersion: v2\nname: web\nversion: 1.0.0\n"
CONFIGMAP = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\ndata:\n"
FILES_GET = CONFIGMAP + '  file: {{ .Files.Get "files/token" | quote }}\n'
FROM_VALUES = CONFIGMAP + '  token: {{ .Values.data.token | default "none" | quote }}\n'
PLAIN = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: plain\n"


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("WAVECD_CACHE_DIR", str(tmp_path / "cache"))


def application(name, source=None, sources=None):
    spec = {"project": "default", "destination": {"server": "https://kubernetes.default.svc", "namespace": "team"}}
    spec.update({"sources": sources} if sources is not None else {"source": source})
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": {"name": name, "namespace": "argocd"},
        "spec": spec,
    }


def git_source(path, **extra):
    return {"repoURL": URL, "targetRevision": "HEAD", "path": path, **extra}


def build(tmp_path, files, links, app):
    """The repository `tmp_path/repo`: `files` (path -> text), `links` (path -> target, `{outside}` being
    the folder holding the secret), `apps/app.yaml` holding `app`; the root Application in tmp_path."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.yaml").write_text(SECRET_FILE)
    repo = tmp_path / "repo"
    files = {"apps/app.yaml": yaml.safe_dump(app), **files}
    for name, text in files.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text)
    for name, target in links.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).symlink_to(target.format(outside=outside))
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "repo"]):
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args], cwd=repo, check=True)
    (tmp_path / "root.yaml").write_text(yaml.safe_dump(application("root", git_source("apps"))))
    return tmp_path


def render(base, worktree):
    args = ["render", str(base / "root.yaml"), "--repo", f"{URL}={base / 'repo'}", "--executor", "serial"]
    result = CliRunner().invoke(main, args + (["--worktree"] if worktree else []))
    return result


MODES = pytest.mark.parametrize("worktree", [True, False], ids=["worktree", "committed"])

ATTACKS = {
    "files-get": (
        {"charts/web/Chart.yaml": CHART, "charts/web/templates/cm.yaml": FILES_GET},
        {"charts/web/files/token": "{outside}/secret.yaml"},
        git_source("charts/web"),
        "repository contains out-of-bounds symlinks. file: charts/web/files/token",
    ),
    "directory-manifest": (
        {"manifests/plain.yaml": PLAIN},
        {"manifests/leak.yaml": "{outside}/secret.yaml"},
        git_source("manifests"),
        "repository contains out-of-bounds symlinks. file: manifests/leak.yaml",
    ),
    "app-path": (
        {},
        {"manifests": "{outside}"},
        git_source("manifests"),
        "repository contains out-of-bounds symlinks. file: manifests",
    ),
    "value-file": (
        {"charts/web/Chart.yaml": CHART, "charts/web/templates/cm.yaml": FROM_VALUES},
        {"values/prod.yaml": "{outside}/secret.yaml"},
        git_source("charts/web", helm={"valueFiles": ["/values/prod.yaml"]}),
        "file '/values/prod.yaml' resolved to outside repository root: symlink values/prod.yaml",
    ),
    "value-file-glob": (
        {"charts/web/Chart.yaml": CHART, "charts/web/templates/cm.yaml": FROM_VALUES},
        {"values": "{outside}"},
        git_source("charts/web", helm={"valueFiles": ["/values/*.yaml"]}),
        "file '/values/*.yaml' resolved to outside repository root: symlink values",
    ),
    "file-parameter": (
        {"charts/web/Chart.yaml": CHART, "charts/web/templates/cm.yaml": FROM_VALUES},
        {"values/token": "{outside}/secret.yaml"},
        git_source("charts/web", helm={"fileParameters": [{"name": "data.token", "path": "/values/token"}]}),
        "file '/values/token' resolved to outside repository root: symlink values/token",
    ),
    "ref-value-file": (
        {"charts/web/Chart.yaml": CHART, "charts/web/templates/cm.yaml": FROM_VALUES},
        {"env/prod.yaml": "{outside}/secret.yaml"},
        None,
        "file '$values/env/prod.yaml' resolved to outside repository root: symlink env/prod.yaml",
    ),
}


def _app(name, source):
    if name == "ref-value-file":
        return application(
            "web",
            sources=[
                git_source("charts/web", helm={"valueFiles": ["$values/env/prod.yaml"]}),
                {"repoURL": URL, "targetRevision": "HEAD", "ref": "values"},
            ],
        )
    return application("web", source)


@MODES
@pytest.mark.parametrize("attack", list(ATTACKS))
def test_a_link_out_of_the_repository_is_refused_and_named(tmp_path, attack, worktree):
    files, links, source, error = ATTACKS[attack]
    base = build(tmp_path, files, links, _app(attack, source))
    result = render(base, worktree)
    assert SECRET not in result.stdout + result.stderr
    assert result.exit_code == 1, result.output
    failure = next(line for line in result.stderr.splitlines() if line.startswith("failed: web: "))
    assert f"{error} -> {tmp_path / 'outside'}" in failure


@MODES
def test_a_relative_link_out_of_the_repository_is_refused(tmp_path, worktree):
    base = build(
        tmp_path,
        {"charts/web/Chart.yaml": CHART, "charts/web/templates/cm.yaml": FILES_GET},
        {"charts/web/files/token": "../../../../outside/secret.yaml"},
        application("web", git_source("charts/web")),
    )
    result = render(base, worktree)
    assert SECRET not in result.stdout + result.stderr
    assert result.exit_code == 1, result.output
    assert "charts/web/files/token -> ../../../../outside/secret.yaml" in result.stderr


def test_a_link_out_in_a_charts_own_git_folder_is_refused(tmp_path):
    # Helm's loader reads a chart's `.git/...` like any other file, so the boundary must walk it too; only
    # the repository's own `.git` is git's. Git never commits a `.git` folder, so this is a working tree.
    base = build(
        tmp_path,
        {"charts/web/Chart.yaml": CHART, "charts/web/templates/cm.yaml": FILES_GET.replace("files/", ".git/")},
        {},
        application("web", git_source("charts/web")),
    )
    (tmp_path / "repo/charts/web/.git").mkdir()
    (tmp_path / "repo/charts/web/.git/token").symlink_to(tmp_path / "outside/secret.yaml")
    result = render(base, worktree=True)
    assert SECRET not in result.stdout + result.stderr
    assert result.exit_code == 1, result.output
    assert f"file: charts/web/.git/token -> {tmp_path / 'outside/secret.yaml'}" in result.stderr


@MODES
def test_a_folder_the_check_cannot_read_fails_that_app_and_names_the_folder(tmp_path, worktree, monkeypatch):
    # Root reads any folder, so the EACCES an ordinary user would get is raised by a stand-in os.scandir.
    base = build(
        tmp_path,
        {"manifests/plain.yaml": PLAIN, "manifests/locked/more.yaml": PLAIN},
        {},
        application("web", git_source("manifests")),
    )
    scandir = os.scandir

    def refusing(path="."):
        if os.path.basename(os.fspath(path)) == "locked":
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), os.fspath(path))
        return scandir(path)

    monkeypatch.setattr(os, "scandir", refusing)
    result = render(base, worktree)
    assert result.exit_code == 1, result.output
    failure = next(line for line in result.stderr.splitlines() if line.startswith("failed: web: "))
    assert "unable to check manifests/locked for out-of-bounds symlinks: Permission denied" in failure
    assert "internal error" not in result.output
    assert "Traceback" not in result.output


def _objects(stdout):
    return {doc["metadata"]["name"]: doc for doc in yaml.safe_load_all(stdout) if doc}


@MODES
def test_links_that_stay_inside_the_repository_keep_working(tmp_path, worktree):
    inside = SECRET_FILE.replace("stolen", "shared").replace(SECRET, "shared-token")
    app = application(
        "web",
        sources=[
            git_source("charts/alias", helm={"valueFiles": ["/values/prod.yaml", "$values/env/*.yaml"]}),
            git_source("manifests"),
            {"repoURL": URL, "targetRevision": "HEAD", "ref": "values"},
        ],
    )
    base = build(
        tmp_path,
        {
            "shared/cm.yaml": inside,
            "charts/web/Chart.yaml": CHART,
            "charts/web/templates/cm.yaml": FILES_GET,
            "charts/web/templates/values.yaml": FROM_VALUES.replace("name: web", "name: from-values"),
        },
        {
            "charts/alias": "web",
            "charts/web/files/token": "../../../shared/cm.yaml",
            "manifests/cm.yaml": "../shared/cm.yaml",
            "values/prod.yaml": "../shared/cm.yaml",
            "env/prod.yaml": "../shared/cm.yaml",
        },
        app,
    )
    result = render(base, worktree)
    assert result.exit_code == 0, result.output
    objects = _objects(result.stdout)
    assert objects["web"]["data"]["file"] == inside
    assert objects["from-values"]["data"]["token"] == "shared-token"
    assert objects["shared"]["data"]["token"] == "shared-token"


def test_helm_template_on_a_plain_chart_folder_follows_links_as_helm_does(tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_text(SECRET)
    chart = tmp_path / "web"
    (chart / "templates").mkdir(parents=True)
    (chart / "files").mkdir()
    (chart / "Chart.yaml").write_text(CHART)
    (chart / "templates" / "cm.yaml").write_text(FILES_GET)
    (chart / "files" / "token").symlink_to(outside)
    result = CliRunner().invoke(main, ["helm", "template", "web", str(chart)])
    assert result.exit_code == 0, result.output
    assert _objects(result.stdout)["web"]["data"]["file"] == SECRET


@MODES
def test_an_applicationset_git_generator_does_not_read_a_file_out_of_the_repository(tmp_path, worktree):
    appset = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "ApplicationSet",
        "metadata": {"name": "envs", "namespace": "argocd"},
        "spec": {
            "generators": [{"git": {"repoURL": URL, "revision": "HEAD", "files": [{"path": "config/*.yaml"}]}}],
            "template": {
                "metadata": {"name": "web-{{data.token}}"},
                "spec": application("x", git_source("manifests"))["spec"],
            },
        },
    }
    base = build(
        tmp_path,
        {"config/dev.yaml": "data:\n  token: dev\n", "manifests/plain.yaml": PLAIN},
        {"config/prod.yaml": "{outside}/secret.yaml"},
        appset,
    )
    args = ["tree", str(base / "root.yaml"), "--repo", f"{URL}={base / 'repo'}", "-o", "json"]
    result = CliRunner().invoke(main, args + (["--worktree"] if worktree else []))
    assert SECRET not in result.stdout + result.stderr
    assert result.exit_code == 1, result.output
    envs = next(node for node in json.loads(result.stdout) if node["name"] == "envs")
    assert f"file: config/prod.yaml -> {tmp_path / 'outside' / 'secret.yaml'}" in envs["error"]


@MODES
def test_a_link_cycle_inside_the_app_path_ends_the_check(tmp_path, worktree):
    base = build(
        tmp_path,
        {"manifests/plain.yaml": PLAIN},
        {"manifests/loop": ".", "manifests/up": ".."},
        application("web", git_source("manifests")),
    )
    result = render(base, worktree)
    assert result.exit_code == 0, result.output
    assert sorted(_objects(result.stdout)) == ["plain", "web"]  # the root renders Application web
