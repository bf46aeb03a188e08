"""`.argocd-source.yaml` and `.argocd-source-<app>.yaml`: what argocd-image-updater writes next to a chart,
merge-patched onto the Application's source before it renders, as Argo CD's repo-server does."""

from pathlib import Path

import pytest
from apps_support import FolderResolver

from support.gitops import application
from wavecd.apps.digest import job_digest
from wavecd.apps.errors import AppError
from wavecd.apps.helm_source import RenderSettings
from wavecd.apps.model import parse_application
from wavecd.apps.render_app import resolve_app, run_job

CHART = {
    "Chart.yaml": "apiVersion: v2\nname: svc\nversion: 0.1.0\n",
    "values.yaml": "image:\n  tag: from-values\nreplicas: 1\n",
    "templates/cm.yaml": (
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: svc\n"
        "data:\n  tag: {{ .Values.image.tag | quote }}\n  replicas: {{ .Values.replicas | quote }}\n"
    ),
}


def _repo(tmp_path: Path, extra: dict[str, str]) -> Path:
    for name, text in {**CHART, **extra}.items():
        path = tmp_path / "charts" / "svc" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path


def _application(name: str = "seat", helm: dict | None = None) -> dict:
    return application(name, "charts/svc", helm=helm, repo="https://git.example/gitops.git")


def _job(root: Path, application: dict):
    return resolve_app(parse_application(application), FolderResolver(root), RenderSettings())


def _data(root: Path, application: dict) -> dict:
    output = run_job(_job(root, application))
    assert output.error is None, output.error
    return output.objects[0]["data"]


def test_the_repository_file_sets_a_helm_parameter(tmp_path):
    root = _repo(tmp_path, {".argocd-source.yaml": "helm:\n  parameters:\n  - name: image.tag\n    value: 1.4.2\n"})
    assert _data(root, _application()) == {"tag": "1.4.2", "replicas": "1"}


def test_the_apps_own_file_is_applied_after_the_repositorys(tmp_path):
    root = _repo(
        tmp_path,
        {
            ".argocd-source.yaml": "helm:\n  parameters:\n  - name: image.tag\n    value: shared\n",
            ".argocd-source-seat.yaml": "helm:\n  parameters:\n  - name: replicas\n    value: '3'\n",
            ".argocd-source-other.yaml": "helm:\n  parameters:\n  - name: image.tag\n    value: not-mine\n",
        },
    )
    # a merge patch replaces a list whole: the app's file leaves only its own parameter
    assert _data(root, _application()) == {"tag": "from-values", "replicas": "3"}
    assert _data(root, _application("other")) == {"tag": "not-mine", "replicas": "1"}


def test_a_null_removes_what_the_application_sets(tmp_path):
    root = _repo(tmp_path, {".argocd-source.yaml": "helm:\n  parameters: null\n"})
    application = _application(helm={"parameters": [{"name": "image.tag", "value": "from-app"}]})
    assert _data(root, application) == {"tag": "from-values", "replicas": "1"}


def test_where_the_source_comes_from_cannot_be_overridden(tmp_path):
    root = _repo(
        tmp_path,
        {".argocd-source.yaml": "path: elsewhere\nrepoURL: https://evil.example/x.git\ntargetRevision: v9\n"},
    )
    job = _job(root, _application())
    item = job.sources[0]
    assert (item.source.path, item.source.repo_url, item.source.target_revision) == (
        "charts/svc",
        "https://git.example/gitops.git",
        "main",
    )
    assert run_job(job).objects[0]["data"]["tag"] == "from-values"


def test_an_empty_file_and_a_folder_of_that_name_change_nothing(tmp_path):
    root = _repo(tmp_path, {".argocd-source.yaml": ""})
    (root / "charts" / "svc" / ".argocd-source-seat.yaml").mkdir()
    assert _data(root, _application()) == {"tag": "from-values", "replicas": "1"}


@pytest.mark.parametrize(
    ("name", "text", "message", "line"),
    [
        (
            ".argocd-source-seat.yaml",
            "helm:\n  parameters: [\n",
            "error converting YAML to JSON: yaml: line 2: did not find expected node content",
            2,
        ),
        (".argocd-source.yaml", "- helm\n", "expected a mapping of source fields, not list", None),
        (".argocd-source.yaml", "helm:\n  parameters: 5\n", "helm.parameters must be a list, not int", None),
    ],
    ids=["not-yaml", "not-a-mapping", "wrong-shape"],
)
def test_a_bad_file_fails_the_app_naming_the_file(tmp_path, name, text, message, line):
    root = _repo(tmp_path, {name: text})
    with pytest.raises(AppError) as caught:
        _job(root, _application())
    assert caught.value.message == f"error while parsing source parameters: charts/svc/{name}: {message}"
    where = caught.value.location
    assert where is not None
    assert (where.app, where.file, where.line) == ("seat", f"charts/svc/{name}", line)


def test_editing_the_file_changes_the_render_key(tmp_path):
    root = _repo(tmp_path, {".argocd-source.yaml": "helm:\n  parameters:\n  - name: image.tag\n    value: a\n"})
    before = job_digest(_job(root, _application()))
    (root / "charts" / "svc" / ".argocd-source.yaml").write_text(
        "helm:\n  parameters:\n  - name: image.tag\n    value: bb\n"
    )
    assert job_digest(_job(root, _application())) != before
