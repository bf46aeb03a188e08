"""Classic Helm repositories over HTTP: index.yaml, Helm's version choice, download, digest check,
basic auth. Expected choices were recorded with `helm-v4 pull demo --repo … --version …` against
the same repository (see the comments)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
import yaml

from support.registries import PASSWORD, USER, chart_archive, free_port
from wavecd.sources.config import RegistryMirror, WavecdConfig
from wavecd.sources.errors import ChartFetchError, IndexUnavailableError, NotInIndexError, SourceError
from wavecd.sources.helmrepo import parse_index, resolve_chart_url
from wavecd.sources.resolver import SourceResolver

VERSIONS = ("0.1.0", "0.2.0", "0.3.0-beta.1", "1.0")


@pytest.fixture(scope="module")
def repo(helm_repo) -> str:
    """`<url>/private`: demo at VERSIONS (relative, nested and absolute URLs, the last on another host
    name for the same server), `broken` whose digest is wrong, `nourl` with no URL."""
    folder = helm_repo.folder / "private"
    (folder / "charts").mkdir(parents=True)
    (helm_repo.folder / "open").mkdir()
    port = helm_repo.url.rsplit(":", 1)[1]
    entries: dict[str, list[dict]] = {"demo": [], "broken": [], "nourl": [{"version": "1.0.0", "urls": []}]}
    for version, place, url in (
        ("0.1.0", folder, "demo-0.1.0.tgz"),
        ("0.2.0", folder / "charts", "charts/demo-0.2.0.tgz"),
        ("0.3.0-beta.1", folder, "demo-0.3.0-beta.1.tgz"),
        ("1.0", helm_repo.folder / "open", f"http://localhost:{port}/open/demo-1.0.tgz"),
    ):
        data = chart_archive("demo", version)
        (place / f"demo-{version}.tgz").write_bytes(data)
        entries["demo"].append({"version": version, "urls": [url], "digest": hashlib.sha256(data).hexdigest()})
    (folder / "broken-1.0.0.tgz").write_bytes(chart_archive("broken", "1.0.0"))
    entries["broken"].append({"version": "1.0.0", "urls": ["broken-1.0.0.tgz"], "digest": "0" * 64})
    (folder / "index.yaml").write_text(yaml.safe_dump({"apiVersion": "v1", "entries": entries}))
    return helm_repo.url + "/private"


def resolver(tmp_path: Path, repo: str, *, password: str | None = PASSWORD, offline: bool = False) -> SourceResolver:
    entry = RegistryMirror(registry=repo, username=USER if password else None, password=password)
    return SourceResolver(WavecdConfig(registries=(entry,)), offline=offline, cache_dir=tmp_path / "cache")


@pytest.mark.parametrize(
    ("requested", "chosen"),
    [
        ("", "1.0"),  # helm-v4 pull demo --repo … → demo-1.0.tgz
        ("^0.1", "0.1.0"),
        ("1.0", "1.0"),  # the exact text first
        ("1", "1.0"),
        ("0.1", "0.1.0"),
        ("0.3.0-beta.1", "0.3.0-beta.1"),
        (">0.2.0-0", "1.0"),
        ("0.2.0", "0.2.0"),
    ],
)
def test_the_version_is_chosen_as_helm_pull_chooses_it(tmp_path, repo, requested, chosen):
    found = resolver(tmp_path, repo).chart(repo, "demo", requested)
    assert found.version == chosen and found.origin == "registry"
    assert found.path.read_bytes() == chart_archive("demo", chosen)
    assert found.digest == "sha256:" + hashlib.sha256(chart_archive("demo", chosen)).hexdigest()


def test_a_missing_version_reads_as_helms_error(tmp_path, repo):
    # helm-v4: Error: chart "demo" version "9" not found in http://127.0.0.1:PORT/private repository
    with pytest.raises(SourceError, match=f'chart "demo" version "9" not found in {repo} repository'):
        resolver(tmp_path, repo).chart(repo, "demo", "9")
    with pytest.raises(SourceError, match=f'chart "other" not found in {repo} repository'):
        resolver(tmp_path, repo).chart(repo, "other", "")


def test_a_missing_version_names_the_chart_the_version_and_the_repository(tmp_path, repo):
    with pytest.raises(ChartFetchError) as caught:
        resolver(tmp_path, repo).chart(repo, "demo", "9")
    reason = caught.value.reason
    assert isinstance(reason, NotInIndexError)
    assert (reason.repository, reason.chart, reason.version) == (repo, "demo", "9")


def test_without_credentials_the_repository_refuses_and_the_error_says_why(tmp_path, repo):
    with pytest.raises(SourceError, match=r"index\.yaml: HTTP 401 \(check the registries entry's username") as caught:
        resolver(tmp_path, repo, password=None).chart(repo, "demo", "0.1.0")
    reason = caught.value.reason
    assert isinstance(reason, IndexUnavailableError)
    assert (reason.repository, reason.status, reason.access_denied) == (repo, 401, True)


def test_credentials_are_not_sent_to_another_host(tmp_path, repo, helm_repo):
    resolver(tmp_path, repo).chart(repo, "demo", "1.0")
    assert ("/open/demo-1.0.tgz", None) in helm_repo.requests
    assert ("/private/index.yaml", USER) in helm_repo.requests


def test_an_archive_that_does_not_match_the_index_digest_is_refused(tmp_path, repo):
    with pytest.raises(SourceError, match="digest mismatch: expected sha256:0000"):
        resolver(tmp_path, repo).chart(repo, "broken", "1.0.0")
    assert not list((tmp_path / "cache" / "charts" / "sha256").glob("*.tgz"))


def test_an_entry_without_urls_is_an_error(tmp_path, repo):
    with pytest.raises(SourceError, match="has no downloadable URLs"):
        resolver(tmp_path, repo).chart(repo, "nourl", "1.0.0")


def test_offline_uses_what_an_online_run_cached(tmp_path, repo):
    resolver(tmp_path, repo).chart(repo, "demo", "^0.1")
    offline = resolver(tmp_path, repo, offline=True)
    assert offline.chart(repo + "/", "demo", "0.1.x").version == "0.1.0"
    with pytest.raises(SourceError, match="not available offline"):
        offline.chart(repo, "demo", "0.2.0")


def test_a_constraint_reads_the_index_again_but_not_an_archive_the_cache_holds(tmp_path, repo, helm_repo):
    resolver(tmp_path, repo).chart(repo, "demo", "^0.1")
    del helm_repo.requests[:]
    again = resolver(tmp_path, repo).chart(repo, "demo", "^0.1")
    assert again.version == "0.1.0" and again.path.is_file()
    assert [path for path, _ in helm_repo.requests] == ["/private/index.yaml"]


def test_an_unreachable_repository_is_named(tmp_path):
    url = f"http://127.0.0.1:{free_port()}/charts"
    with pytest.raises(SourceError, match=f"Helm repository {url}: cannot fetch index.yaml") as caught:
        resolver(tmp_path, url).chart(url, "demo", "1.0.0")
    reason = caught.value.reason
    assert isinstance(reason, IndexUnavailableError)
    assert (reason.repository, reason.status, reason.access_denied) == (url, None, False)


@pytest.mark.parametrize(
    ("base", "ref", "url"),
    [
        ("https://h/charts", "demo-1.tgz", "https://h/charts/demo-1.tgz"),
        ("https://h/charts/", "sub/demo-1.tgz", "https://h/charts/sub/demo-1.tgz"),
        ("https://h/charts", "/root/demo-1.tgz", "https://h/root/demo-1.tgz"),
        ("https://h/charts", "https://cdn/x/demo-1.tgz", "https://cdn/x/demo-1.tgz"),
        ("https://h/a/b", "../demo-1.tgz", "https://h/a/demo-1.tgz"),
    ],
)
def test_index_urls_resolve_against_the_repository_folder(base, ref, url):
    assert resolve_chart_url(base, ref) == url


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (b"", "empty or not a mapping"),
        (b"entries: {}\n", "has no apiVersion"),
        (b"apiVersion: v1\nentries: [\n", "not valid YAML"),
        (b"apiVersion: v1\nentries: [1]\n", "entries must be a mapping"),
    ],
)
def test_a_broken_index_is_a_clear_error(text, message):
    with pytest.raises(SourceError, match=message):
        parse_index(text, "https://h/charts")


def test_malformed_index_entries_are_skipped():
    index = parse_index(b"apiVersion: v1\nentries:\n  a: [null, {version: ''}, {version: 1.2.3, urls: [x.tgz]}]\n", "h")
    assert [(e.version, e.urls, e.digest) for e in index["a"]] == [("1.2.3", ("x.tgz",), None)]


def test_a_helm_repository_can_stand_in_for_another(tmp_path, repo):
    entry = RegistryMirror(registry="https://charts.example.com", url=repo, username=USER, password=PASSWORD)
    config = WavecdConfig(registries=(entry,))
    found = SourceResolver(config, cache_dir=tmp_path / "cache").chart("https://charts.example.com", "demo", "0.2.0")
    assert (found.origin, found.repo_url, found.version) == ("registry mirror", "https://charts.example.com", "0.2.0")
    assert found.path.read_bytes() == chart_archive("demo", "0.2.0")
