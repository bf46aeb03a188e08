"""Chart dependencies built as `helm dependency build` builds them, fetched through `sources`.

The dependency `sub` (0.1.0 and 0.2.0, packaged by the real `helm package`), the parent's Chart.lock (written by
the real `helm dependency update` while only 0.1.0 existed) and the expected renders (the real `helm template`
after `helm repo add` + `helm dependency build`, with and without that lock) are recorded by
tools/golden_depbuild.py in tests/helm/data/depbuild. The repository's fixed URL
`http://charts.wavecd.invalid/stable` is served here by the loopback Helm repository through a registry mirror
of wavecd.yaml (the digest in Chart.lock names that URL). Error texts were recorded with the real helm 3.17.2,
4.1.4 and 4.2.2 on the same charts (`helm dependency build`).
"""

from __future__ import annotations

import io
import shutil
import tarfile
from pathlib import Path

import httpx
import pytest
import yaml
from click.testing import CliRunner

from support.registries import PASSWORD, USER
from wavecd.apps.helm_source import RenderSettings
from wavecd.apps.model import parse_application
from wavecd.apps.render_app import resolve_app, run_job
from wavecd.cli.main import main
from wavecd.core import WavecdError
from wavecd.helm.compat import MODES
from wavecd.helm.depbuild import DependencyBuildError, build_dependencies, needs_dependency_build
from wavecd.helm.render import RenderOptions, render_chart
from wavecd.sources.config import RegistryMirror, RepositoryMapping, WavecdConfig
from wavecd.sources.oci import OciRegistry
from wavecd.sources.ocicharts import push_chart
from wavecd.sources.resolver import SourceResolver

pytestmark = pytest.mark.xdist_group("sources-registries")

DATA = Path(__file__).parents[1] / "helm" / "data" / "depbuild"
FIXED_URL = "http://charts.wavecd.invalid/stable"
ARCHIVES = {v: (DATA / "repo" / f"sub-{v}.tgz").read_bytes() for v in ("0.1.0", "0.2.0")}


@pytest.fixture(scope="module")
def repo_url(helm_repo) -> str:
    """The recorded repository (index.yaml and both archives) served at `<server>/depbuild`, behind basic auth:
    the credentials come from wavecd.yaml's entry."""
    shutil.copytree(DATA / "repo", helm_repo.folder / "depbuild")
    return helm_repo.url + "/depbuild"


def mirror(repo_url: str) -> RegistryMirror:
    return RegistryMirror(registry=FIXED_URL, url=repo_url, username=USER, password=PASSWORD)


def resolver(tmp_path: Path, *entries: RegistryMirror, offline: bool = False, repositories=()) -> SourceResolver:
    config = WavecdConfig(registries=entries, repositories=repositories)
    return SourceResolver(config, offline=offline, cache_dir=tmp_path / "cache")


def parent(tmp_path: Path, *, lock: bool = True, edit=None) -> Path:
    """A copy of the recorded parent chart (the user's repository in these tests)."""
    chart = tmp_path / "repo" / "parent"
    shutil.copytree(DATA / "parent", chart, ignore=None if lock else shutil.ignore_patterns("Chart.lock"))
    if edit is not None:
        path = chart / "Chart.yaml"
        path.write_text(edit(path.read_text()))
    return chart


def build(chart: Path, source: SourceResolver, mode: str = "v4", **kwargs) -> str:
    try:
        return build_dependencies(
            str(chart), source.dependency_charts(), MODES[mode], cache_dir=source.cache_dir, **kwargs
        )
    finally:
        source.close()


def rendered(chart: str, mode: str) -> str:
    return render_chart(chart, RenderOptions(release_name="rel", helm_compat=mode)).stdout


def expected(mode: str, case: str) -> str:
    return (DATA / "expected" / mode / f"{case}.out").read_text()


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("mode", sorted(MODES))
def test_chart_lock_pins_the_version_and_the_render_equals_real_helms(tmp_path, repo_url, mode):
    chart = parent(tmp_path)
    before = snapshot(chart.parent)
    built = build(chart, resolver(tmp_path, mirror(repo_url)), mode)
    assert rendered(built, mode) == expected(mode, "locked")  # 0.1.0, though 0.2.0 is published
    assert snapshot(chart.parent) == before  # the user's repository is never written


@pytest.mark.parametrize("mode", sorted(MODES))
def test_without_a_lock_the_highest_matching_version_is_built(tmp_path, repo_url, mode):
    built = build(parent(tmp_path, lock=False), resolver(tmp_path, mirror(repo_url)), mode)
    assert rendered(built, mode) == expected(mode, "latest")


def test_update_ignores_the_lock_as_helm_dependency_update_does(tmp_path, repo_url):
    built = build(parent(tmp_path), resolver(tmp_path, mirror(repo_url)), update=True)
    assert rendered(built, "v4") == expected("v4", "latest")


def test_a_repository_named_in_wavecd_yaml_is_found_by_its_alias(tmp_path, repo_url):
    for spelling in ('"@stable"', "alias:stable"):
        chart = parent(tmp_path / spelling, lock=False, edit=lambda t, s=spelling: t.replace(FIXED_URL, s))
        entry = RegistryMirror(registry=repo_url, name="stable", username=USER, password=PASSWORD)
        assert rendered(build(chart, resolver(tmp_path, entry)), "v4") == expected("v4", "latest")


def test_a_file_dependency_is_archived_from_its_folder(tmp_path):
    source = tmp_path / "repo" / "sub"
    with tarfile.open(fileobj=io.BytesIO(ARCHIVES["0.2.0"])) as tar:
        tar.extractall(tmp_path / "unpacked", filter="data")
    shutil.copytree(tmp_path / "unpacked" / "sub", source)
    chart = parent(tmp_path, lock=False, edit=lambda t: t.replace(FIXED_URL, "file://../sub"))
    assert rendered(build(chart, resolver(tmp_path), root=str(tmp_path / "repo")), "v4") == expected("v4", "latest")


def test_a_file_dependency_outside_the_repository_is_refused(tmp_path):
    chart = parent(tmp_path, lock=False, edit=lambda t: t.replace(FIXED_URL, "file:///etc"))
    with pytest.raises(DependencyBuildError, match="resolves to outside the repository"):
        build(chart, resolver(tmp_path), root=str(tmp_path / "repo"))


def test_offline_builds_from_what_an_online_build_cached(tmp_path, repo_url):
    build(parent(tmp_path / "online"), resolver(tmp_path, mirror(repo_url)))
    built = build(parent(tmp_path / "offline"), resolver(tmp_path, mirror(repo_url), offline=True))
    assert rendered(built, "v4") == expected("v4", "locked")
    with pytest.raises(WavecdError, match="is not available offline"):
        build(parent(tmp_path / "empty", lock=False), resolver(tmp_path / "other", mirror(repo_url), offline=True))


@pytest.mark.parametrize(
    ("edit", "lock", "mode", "text"),
    [
        (
            lambda t: t.replace('">=0.1.0"', '">=9.0.0"'),
            False,
            "v4",
            'can\'t get a valid version for 1 subchart(s): "sub" (repository "http://charts.wavecd.invalid/stable", '
            'version ">=9.0.0"). Make sure a matching chart version exists in the repo, or change the version '
            "constraint in Chart.yaml",
        ),
        (
            lambda t: t.replace(FIXED_URL, '"@nope"'),
            False,
            "v4",
            "no repository definition for @nope. Please add them via 'helm repo add'",
        ),
        (
            lambda t: t.replace("name: sub", "name: nosuch"),
            False,
            "v4",
            "nosuch chart not found in repo http://charts.wavecd.invalid/stable",
        ),
        (
            lambda t: t.replace('">=0.1.0"', '"^0.1.0"'),
            True,
            "v3",
            "the lock file (Chart.lock) is out of sync with the dependencies file (Chart.yaml). Please update the "
            "dependencies",
        ),
        (
            lambda t: t.replace('">=0.1.0"', '"^0.1.0"'),
            True,
            "v4.2",
            "the lock file (Chart.lock) is out of sync with the dependencies file (Chart.yaml). Please update the "
            "dependencies with 'helm dependency update'",
        ),
    ],
    ids=["no-version", "unknown-alias", "no-chart", "lock-out-of-sync-v3", "lock-out-of-sync-v4.2"],
)
def test_a_dependency_that_cannot_be_had_fails_with_helms_text(tmp_path, repo_url, edit, lock, mode, text):
    chart = parent(tmp_path, lock=lock, edit=edit)
    with pytest.raises(DependencyBuildError) as caught:
        build(chart, resolver(tmp_path, mirror(repo_url)), mode)
    assert caught.value.message == text


@pytest.mark.slow
def test_a_dependency_in_an_oci_registry_is_built(tmp_path, open_registry):
    with httpx.Client() as client:
        registry = OciRegistry(open_registry.host, client, plain_http=True)
        for data in ARCHIVES.values():
            push_chart(registry, "depbuild", data, created="2024-01-01T00:00:00Z")
    oci = f"oci://{open_registry.host}/depbuild"
    chart = parent(tmp_path, lock=False, edit=lambda t: t.replace(FIXED_URL, oci))
    built = build(chart, resolver(tmp_path, RegistryMirror(registry=open_registry.host, plain_http=True)))
    assert rendered(built, "v4") == expected("v4", "latest")


def _application(chart: Path) -> dict:
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": {"name": "rel", "namespace": "argocd"},
        "spec": {
            "project": "default",
            "source": {"repoURL": "https://git.example.com/apps.git", "path": chart.name, "targetRevision": "main"},
            "destination": {"server": "https://kubernetes.default.svc", "namespace": "default"},
        },
    }


@pytest.mark.parametrize("lock", [True, False], ids=["locked", "latest"])
def test_an_applications_chart_is_built_as_argo_cds_repo_server_builds_it(tmp_path, repo_url, lock):
    chart = parent(tmp_path, lock=lock)
    before = snapshot(chart.parent)
    mapping = RepositoryMapping(url="https://git.example.com/apps.git", path=chart.parent, worktree=True)
    source = resolver(tmp_path, mirror(repo_url), repositories=(mapping,))
    output = run_job(resolve_app(parse_application(_application(chart)), source, RenderSettings()))
    assert output.error is None
    want = [doc for doc in yaml.safe_load_all(expected("v4", "locked" if lock else "latest")) if doc]
    assert output.objects == want
    assert snapshot(chart.parent) == before


def test_an_applications_missing_dependency_names_the_app_and_keeps_helms_text(tmp_path, repo_url):
    chart = parent(tmp_path, lock=False, edit=lambda t: t.replace('">=0.1.0"', '">=9.0.0"'))
    mapping = RepositoryMapping(url="https://git.example.com/apps.git", path=chart.parent, worktree=True)
    source = resolver(tmp_path, mirror(repo_url), repositories=(mapping,))
    with pytest.raises(WavecdError) as caught:
        resolve_app(parse_application(_application(chart)), source, RenderSettings())
    assert caught.value.message.startswith("error building helm chart dependencies: can't get a valid version")
    assert "app rel" in str(caught.value.location) and "parent" in str(caught.value.location)


def test_helm_template_without_dependency_update_prints_helms_missing_dependency_error(tmp_path):
    result = CliRunner().invoke(main, ["helm", "template", "rel", str(parent(tmp_path))])
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: an error occurred while checking for chart dependencies. You may need to run `helm dependency "
        "build` to fetch missing dependencies: found in Chart.yaml, but missing in charts/ directory: sub\n"
    )


def test_helm_template_dependency_update_renders_with_the_highest_version(tmp_path, repo_url, monkeypatch):
    chart = parent(tmp_path)
    (chart.parent / "wavecd.yaml").write_text(
        yaml.safe_dump(
            {"registries": [{"registry": FIXED_URL, "url": repo_url, "username": USER, "password": PASSWORD}]}
        )
    )
    monkeypatch.setenv("WAVECD_CACHE_DIR", str(tmp_path / "cache"))
    before = snapshot(chart.parent)
    result = CliRunner().invoke(main, ["helm", "template", "rel", str(chart), "--dependency-update"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout == expected("v4", "latest")  # update resolves again, whatever the lock says
    assert snapshot(chart.parent) == before


def test_a_chart_with_its_dependencies_in_charts_is_not_built(tmp_path):
    chart = parent(tmp_path)
    assert needs_dependency_build(str(chart), helm_major=4)
    (chart / "charts").mkdir()
    (chart / "charts" / "sub-0.1.0.tgz").write_bytes(ARCHIVES["0.1.0"])
    assert not needs_dependency_build(str(chart), helm_major=4)


def test_the_built_copy_is_named_by_its_content_and_reused(tmp_path, repo_url):
    first = build(parent(tmp_path / "a"), resolver(tmp_path, mirror(repo_url)))
    again = build(parent(tmp_path / "b"), resolver(tmp_path, mirror(repo_url)))
    assert first == again
    assert sorted(p.name for p in (Path(first) / "charts").iterdir()) == ["sub-0.1.0.tgz"]
    other = build(parent(tmp_path / "c", edit=lambda t: t + "# changed\n"), resolver(tmp_path, mirror(repo_url)))
    assert other != first


@pytest.mark.parametrize("mode", sorted(MODES))
def test_an_api_v1_chart_builds_from_requirements_lock(tmp_path, repo_url, mode):
    chart = tmp_path / "repo" / "legacy"
    shutil.copytree(DATA / "legacy", chart)
    assert needs_dependency_build(str(chart), helm_major=MODES[mode].major)
    assert rendered(build(chart, resolver(tmp_path, mirror(repo_url)), mode), mode) == expected(mode, "legacy")


def test_offline_builds_from_a_folder_mirror(tmp_path):
    folder = tmp_path / "mirror"
    folder.mkdir()
    (folder / "sub-0.2.0.tgz").write_bytes(ARCHIVES["0.2.0"])
    entry = RegistryMirror(registry=FIXED_URL, mirror=folder)
    built = build(parent(tmp_path, lock=False), resolver(tmp_path, entry, offline=True))
    assert rendered(built, "v4") == expected("v4", "latest")


def test_an_archive_whose_digest_differs_from_the_index_is_refused(tmp_path, helm_repo):
    folder = helm_repo.folder / "depbuild-tampered"
    shutil.copytree(DATA / "repo", folder)
    (folder / "sub-0.2.0.tgz").write_bytes(ARCHIVES["0.1.0"])  # served in place of the archive the index names
    url = helm_repo.url + "/depbuild-tampered"
    chart = parent(tmp_path, lock=False, edit=lambda t: t.replace(FIXED_URL, url))
    entry = RegistryMirror(registry=url, username=USER, password=PASSWORD)
    with pytest.raises(WavecdError, match="digest mismatch: expected sha256:"):
        build(chart, resolver(tmp_path, entry))


def test_a_file_dependency_out_of_range_fails_and_leaves_no_archive_behind(tmp_path, monkeypatch):
    import tempfile

    with tarfile.open(fileobj=io.BytesIO(ARCHIVES["0.2.0"])) as tar:
        tar.extractall(tmp_path / "repo", filter="data")
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    chart = parent(
        tmp_path, lock=False, edit=lambda t: t.replace(FIXED_URL, "file://../sub").replace(">=0.1.0", "<0.2.0")
    )
    with pytest.raises(DependencyBuildError) as caught:
        build(chart, resolver(tmp_path), root=str(tmp_path / "repo"))
    assert caught.value.message.startswith(
        'can\'t get a valid version for 1 subchart(s): "sub" (repository "file://../sub", version "<0.2.0")'
    )
    assert list(scratch.iterdir()) == []


def test_helm_template_dependency_update_leaves_a_complete_archive_alone(tmp_path):
    archive = tmp_path / "sub-0.2.0.tgz"
    archive.write_bytes(ARCHIVES["0.2.0"])
    plain = CliRunner().invoke(main, ["helm", "template", "rel", str(archive)])
    updated = CliRunner().invoke(main, ["helm", "template", "rel", str(archive), "--dependency-update"])
    assert updated.exit_code == plain.exit_code == 0
    assert updated.stdout == plain.stdout


def test_helm_template_dependency_update_of_an_archive_missing_one_fails_as_helm_does(tmp_path):
    archive = tmp_path / "parent.tgz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(parent(tmp_path, lock=False), arcname="parent")
    result = CliRunner().invoke(main, ["helm", "template", "rel", str(archive), "--dependency-update"])
    assert (result.exit_code, result.stderr) == (1, "Error: only unpacked charts can be updated\n")


def test_the_built_copy_is_private(tmp_path, repo_url):
    built = Path(build(parent(tmp_path), resolver(tmp_path, mirror(repo_url))))
    modes = {p.stat().st_mode & 0o777 for p in [built, *built.rglob("*")]}
    assert modes <= {0o700, 0o600} and 0o600 in modes


@pytest.mark.parametrize("linked", ["file", "folder"])
def test_a_file_dependency_linking_out_of_the_repository_is_refused(tmp_path, linked):
    """The folder is inside, but a link in it leads out: archived through it, the secret would be in the chart."""
    outside = tmp_path / "outside"
    (outside / "templates").mkdir(parents=True)
    (outside / "templates" / "secret.yaml").write_text("kind: Secret\ndata: topsecret\n")
    source = tmp_path / "repo" / "sub"
    (source / "templates").mkdir(parents=True)
    (source / "Chart.yaml").write_text("apiVersion: v2\nname: sub\nversion: 0.2.0\n")
    if linked == "file":
        (source / "templates" / "secret.yaml").symlink_to(outside / "templates" / "secret.yaml")
    else:
        (source / "templates" / "more").symlink_to(outside / "templates")
    chart = parent(tmp_path, lock=False, edit=lambda t: t.replace(FIXED_URL, "file://../sub"))
    shown = "sub/templates/secret.yaml" if linked == "file" else "sub/templates/more"
    with pytest.raises(DependencyBuildError, match=f"out-of-bounds symlinks. file: {shown} -> ") as caught:
        build(chart, resolver(tmp_path), root=str(tmp_path / "repo"))
    assert "topsecret" not in caught.value.message


def test_two_folders_holding_the_same_chart_are_each_built(tmp_path, repo_url):
    """Two apps' charts with identical files (a copied chart): each gets its own copy, named as its folder."""
    first = parent(tmp_path / "a")
    second = first.parent / "parent2"
    shutil.copytree(first, second)
    built = [build(chart, resolver(tmp_path, mirror(repo_url))) for chart in (first, second)]
    assert [Path(b).name for b in built] == ["parent", "parent2"]
    assert all(rendered(b, "v4") == expected("v4", "locked") for b in built)


def test_a_build_that_loses_the_race_into_the_cache_uses_the_winners_copy(tmp_path, repo_url, monkeypatch):
    """Another process renames its copy into place between this build's check and its own rename."""
    from wavecd.helm import depbuild

    restrict = depbuild.restrict_tree

    def other_process_wins(staging: Path) -> None:
        restrict(staging)
        shutil.copytree(staging, staging.parent / staging.name.split(".")[1])

    monkeypatch.setattr(depbuild, "restrict_tree", other_process_wins)
    built = build(parent(tmp_path), resolver(tmp_path, mirror(repo_url)))
    assert rendered(built, "v4") == expected("v4", "locked")
    assert [p.name for p in Path(built).parents[1].iterdir()] == [Path(built).parent.name]  # no staging left
