"""A commit git cannot export whole (an object missing: a partial clone offline, a damaged pack): each app
still renders from the paths it reads, and only the app whose own files are gone fails, naming git's error."""

from pathlib import Path

from support.gitops import application, git
from wavecd.apps.helm_source import RenderSettings
from wavecd.apps.model import parse_application
from wavecd.apps.render_app import resolve_app, run_job
from wavecd.core import WavecdError
from wavecd.sources.config import RepositoryMapping, WavecdConfig
from wavecd.sources.resolver import SourceResolver

URL = "https://git.example/gitops.git"
CHART = {
    "charts/svc/Chart.yaml": "apiVersion: v2\nname: svc\nversion: 0.1.0\n",
    "charts/svc/templates/cm.yaml": (
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: svc\ndata:\n  tag: {{ .Values.tag | quote }}\n"
    ),
    "values/seat.yaml": "tag: 1.4.2\n",
    "broken/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: lost\n",
}


def _repo_missing_a_blob(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    for name, text in CHART.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "init")
    blob = git(repo, "rev-parse", "HEAD:broken/cm.yaml")
    (repo / ".git" / "objects" / blob[:2] / blob[2:]).unlink()  # loose objects: the blob is simply gone
    return repo


def _resolver(repo: Path, tmp_path: Path) -> SourceResolver:
    return SourceResolver(WavecdConfig(repositories=(RepositoryMapping(URL, repo),)), cache_dir=tmp_path / "cache")


def test_an_app_renders_from_its_own_paths_when_another_folder_is_unreadable(tmp_path):
    resolver = _resolver(_repo_missing_a_blob(tmp_path), tmp_path)
    helm = {"valueFiles": ["../../values/seat.yaml", "missing.yaml"], "ignoreMissingValueFiles": True}
    seat = application("seat", "charts/svc", helm=helm, repo=URL)
    output = run_job(resolve_app(parse_application(seat), resolver, RenderSettings()))
    assert output.error is None
    assert [o["data"] for o in output.objects] == [{"tag": "1.4.2"}]


def test_the_app_whose_files_are_gone_fails_with_gits_error(tmp_path):
    resolver = _resolver(_repo_missing_a_blob(tmp_path), tmp_path)
    try:
        resolve_app(parse_application(application("lost", "broken", repo=URL)), resolver, RenderSettings())
    except WavecdError as err:
        message = err.message
    else:
        raise AssertionError("an app whose file git cannot read rendered")
    assert message.startswith("git archive --format=tar failed in ")
    assert "reading only broken failed too: git archive --format=tar failed in " in message
    # nothing half-written is left in the cache for a later run to take as an export
    assert not [p for p in (tmp_path / "cache" / "git").iterdir() if p.name.startswith(".")]
