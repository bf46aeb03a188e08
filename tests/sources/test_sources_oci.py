"""Helm charts in real OCI registries (Debian's docker-registry on loopback): pushed, then pulled
through `SourceResolver` by version, constraint and digest, anonymously, with basic auth and with the
token flow; registry mirrors; and the cache answering `--offline`."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import httpx
import pytest

from support.registries import PASSWORD, USER, chart_archive, free_port
from wavecd.sources.config import RegistryMirror, WavecdConfig
from wavecd.sources.errors import (
    ChartFetchError,
    InvalidVersionError,
    ManifestNotFoundError,
    NoMatchingTagError,
    RepositoryNotFoundError,
    SourceError,
)
from wavecd.sources.oci import OciRegistry
from wavecd.sources.ocicharts import push_chart
from wavecd.sources.resolver import SourceResolver

# With `--dist loadgroup` these stay on one xdist worker, so only that worker starts registries.
pytestmark = [pytest.mark.xdist_group("sources-registries"), pytest.mark.slow]

DATA = Path(__file__).parent / "data"
VERSIONS = ("1.0.0", "1.1.0", "1.2.0-rc.1", "2.0.0+build.5")


def sha(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def resolver(tmp_path: Path, *entries: RegistryMirror, offline: bool = False) -> SourceResolver:
    return SourceResolver(WavecdConfig(registries=entries), offline=offline, cache_dir=tmp_path / "cache")


@pytest.fixture(scope="module")
def pushed(open_registry) -> dict[str, str]:
    """`<host>/charts/demo` at every VERSIONS entry; returns version → manifest digest."""
    with httpx.Client() as client:
        registry = OciRegistry(open_registry.host, client, plain_http=True)
        return {
            v: push_chart(registry, "charts", chart_archive("demo", v), created="2024-01-01T00:00:00Z")
            for v in VERSIONS
        }


@pytest.fixture
def open_resolver(tmp_path, open_registry, pushed) -> SourceResolver:
    return resolver(tmp_path, RegistryMirror(registry=open_registry.host, plain_http=True))


def test_our_push_stores_exactly_the_manifest_helm_push_stores(open_registry):
    with httpx.Client() as client:
        registry = OciRegistry(open_registry.host, client, plain_http=True)
        digest = push_chart(registry, "interop", chart_archive("demo", "1.2.3+b1"), created="2026-11-26T08:22:17Z")
        stored = registry.manifest("interop/demo", "1.2.3_b1")
    assert digest == "sha256:a697411ab24bcf04049600afad80aa73be80bbda424191ad20c2e4271f3b5d27"
    assert stored is not None and stored.data == (DATA / "helm-v4-push-manifest.json").read_bytes()


def test_an_exact_version_is_pulled_into_the_content_addressed_cache(open_resolver, open_registry, tmp_path):
    found = open_resolver.chart(open_registry.host + "/charts", "demo", "1.1.0")
    archive = chart_archive("demo", "1.1.0")
    assert (found.version, found.origin, found.digest) == ("1.1.0", "registry", sha(archive))
    assert found.path == tmp_path / "cache" / "charts" / "sha256" / f"{sha(archive)[7:]}.tgz"
    assert found.path.read_bytes() == archive


# Each choice below is what `helm-v4 pull oci://<registry>/charts/demo --version <requested> --plain-http`
# pulled from this same registry content.
@pytest.mark.parametrize(
    ("requested", "chosen"),
    [
        ("^1.0", "1.1.0"),  # the pre-release 1.2.0-rc.1 is skipped: the constraint names none
        (">=1.2.0-0 <2", "1.2.0-rc.1"),
        ("", "2.0.0+build.5"),  # no version: the highest stable tag (2.0.0_build.5 read back as +)
        ("2.0.0+build.5", "2.0.0+build.5"),
        ("1.x", "1.1.0"),
    ],
)
def test_a_constraint_picks_the_highest_matching_tag_as_helm_does(open_resolver, open_registry, requested, chosen):
    found = open_resolver.chart(f"oci://{open_registry.host}/charts/", "demo", requested)
    assert found.version == chosen
    assert found.path.read_bytes() == chart_archive("demo", chosen)


def test_a_chart_is_pulled_by_manifest_digest(open_resolver, open_registry, pushed):
    found = open_resolver.chart(open_registry.host + "/charts", "demo", pushed["1.0.0"])
    assert found.version == "1.0.0" and found.path.read_bytes() == chart_archive("demo", "1.0.0")


@pytest.mark.parametrize(
    ("chart", "version", "message"),
    [
        ("demo", "9.9.9", r"chart demo 9\.9\.9 from 127\.0\.0\.1:\d+/charts: .*charts/demo:9\.9\.9: not found"),
        ("demo", "~9", "could not locate a version matching provided version string ~9"),  # helm-v4's words
        ("demo", ">>1", r"invalid chart version '>>1'"),
        ("missing", "1.0.0", r"chart missing 1\.0\.0 from .*: not found"),
        ("missing", "^1", "the registry has no repository charts/missing"),
        ("demo", "sha256:" + "0" * 64, "not found"),
    ],
)
def test_what_is_not_there_is_a_clear_error(open_resolver, open_registry, chart, version, message):
    with pytest.raises(SourceError, match=message):
        open_resolver.chart(open_registry.host + "/charts", chart, version)


@pytest.mark.parametrize(
    ("chart", "version", "reason", "fields"),
    [
        ("demo", "9.9.9", ManifestNotFoundError, {"name": "charts/demo", "reference": "9.9.9"}),
        ("demo", "~9", NoMatchingTagError, {"chart": "demo", "version": "~9"}),
        ("demo", ">>1", InvalidVersionError, {"version": ">>1"}),
        ("missing", "^1", RepositoryNotFoundError, {"name": "charts/missing"}),
    ],
)
def test_each_miss_names_what_is_missing_in_fields(open_resolver, open_registry, chart, version, reason, fields):
    repo = open_registry.host + "/charts"
    with pytest.raises(ChartFetchError) as caught:
        open_resolver.chart(repo, chart, version)
    assert (caught.value.repo_url, caught.value.chart, caught.value.version) == (repo, chart, version)
    assert type(caught.value.reason) is reason
    assert {field: getattr(caught.value.reason, field) for field in fields} == fields


def test_the_cache_answers_offline_without_any_network(open_resolver, open_registry, pushed, tmp_path):
    repo = open_registry.host + "/charts"
    open_resolver.chart(repo, "demo", "1.1.0")
    open_resolver.chart(repo, "demo", pushed["1.0.0"])
    offline = resolver(tmp_path, offline=True)  # no registries entry: no plain HTTP, no way to reach it
    assert offline.chart(repo, "demo", "1.1.0").origin == "cache"
    assert offline.chart(repo, "demo", "^1").version == "1.1.0"  # the highest cached match
    by_digest = offline.chart(repo, "demo", pushed["1.0.0"])
    assert (by_digest.version, by_digest.origin) == ("1.0.0", "cache")
    with pytest.raises(SourceError, match=r"chart demo 2\.0\.0 from .* is not available offline") as err:
        offline.chart(repo, "demo", "2.0.0")
    assert "cache" in err.value.render() and "without --offline" in err.value.render()


def test_an_unreachable_registry_is_named_in_the_error(tmp_path):
    host = f"127.0.0.1:{free_port()}"
    with pytest.raises(SourceError, match=f"registry {host}: cannot"):
        resolver(tmp_path, RegistryMirror(registry=host, plain_http=True)).chart(host + "/charts", "demo", "1.0.0")


def test_a_registry_mirror_serves_another_registrys_charts_and_fills_the_cache(open_registry, pushed, tmp_path):
    with httpx.Client() as client:
        push_chart(
            OciRegistry(open_registry.host, client, plain_http=True),
            "mirror/karpenter",
            chart_archive("karpenter", "1.11.1"),
        )
    entry = RegistryMirror(registry="public.ecr.aws", url=f"{open_registry.host}/mirror", plain_http=True)
    found = resolver(tmp_path, entry).chart("public.ecr.aws/karpenter", "karpenter", "1.11.1")
    assert (found.origin, found.repo_url) == ("registry mirror", "public.ecr.aws/karpenter")
    assert found.path.read_bytes() == chart_archive("karpenter", "1.11.1")
    assert resolver(tmp_path, offline=True).chart("public.ecr.aws/karpenter", "karpenter", "1.11.1").origin == "cache"


def test_a_folder_mirror_comes_before_any_registry(open_registry, pushed, tmp_path):
    folder = tmp_path / "mirror" / "charts"
    folder.mkdir(parents=True)
    (folder / "demo-1.1.0.tgz").write_bytes(b"local copy")
    entries = (RegistryMirror(registry=open_registry.host, mirror=tmp_path / "mirror", plain_http=True),)
    found = resolver(tmp_path, *entries).chart(open_registry.host + "/charts", "demo", "1.1.0")
    assert (found.origin, found.path) == ("mirror", folder / "demo-1.1.0.tgz")
    assert resolver(tmp_path, *entries).chart(open_registry.host + "/charts", "demo", "1.0.0").origin == "registry"


# --- authentication --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def token_pushed(token_registry) -> None:
    with httpx.Client() as client:
        registry = OciRegistry(token_registry.host, client, plain_http=True, username=USER, password=PASSWORD)
        for repository in ("public/charts", "private/charts"):
            push_chart(registry, repository, chart_archive("demo", "1.0.0"))


def test_the_token_flow_pulls_anonymously_where_the_issuer_allows_it(token_registry, token_pushed, tmp_path):
    entry = RegistryMirror(registry=token_registry.host, plain_http=True)
    found = resolver(tmp_path, entry).chart(token_registry.host + "/public/charts", "demo", "^1")
    assert found.path.read_bytes() == chart_archive("demo", "1.0.0")
    assert (None, "repository:public/charts/demo:pull") in token_registry.issuer.requests


def test_the_token_flow_uses_basic_credentials_for_the_token(token_registry, token_pushed, tmp_path):
    anonymous = resolver(tmp_path, RegistryMirror(registry=token_registry.host, plain_http=True))
    with pytest.raises(SourceError, match="HTTP 401"):
        anonymous.chart(token_registry.host + "/private/charts", "demo", "1.0.0")
    entry = RegistryMirror(registry=token_registry.host, plain_http=True, username=USER, password=PASSWORD)
    found = resolver(tmp_path, entry).chart(token_registry.host + "/private/charts", "demo", "1.0.0")
    assert found.path.read_bytes() == chart_archive("demo", "1.0.0")


def test_wrong_credentials_are_refused_by_the_token_service(token_registry, token_pushed, tmp_path):
    entry = RegistryMirror(registry=token_registry.host, plain_http=True, username=USER, password="nope")
    with pytest.raises(SourceError, match=r"token service .* refused access .* with the configured credentials"):
        resolver(tmp_path, entry).chart(token_registry.host + "/private/charts", "demo", "1.0.0")


def test_an_anonymous_push_is_refused(token_registry):
    with httpx.Client() as client, pytest.raises(SourceError, match="HTTP 401"):
        push_chart(
            OciRegistry(token_registry.host, client, plain_http=True), "public/charts", chart_archive("demo", "3.0.0")
        )


def test_basic_auth_registry(basic_registry, tmp_path):
    with httpx.Client() as client:
        push_chart(
            OciRegistry(basic_registry.host, client, plain_http=True, username=USER, password=PASSWORD),
            "charts",
            chart_archive("demo", "1.0.0"),
        )
    with pytest.raises(SourceError, match="HTTP 401"):
        resolver(tmp_path, RegistryMirror(registry=basic_registry.host, plain_http=True)).chart(
            basic_registry.host + "/charts", "demo", "1.0.0"
        )
    entry = RegistryMirror(registry=basic_registry.host, plain_http=True, username=USER, password=PASSWORD)
    found = resolver(tmp_path, entry).chart(basic_registry.host + "/charts", "demo", "1.0.0")
    assert found.digest == sha(chart_archive("demo", "1.0.0"))


def test_a_manifest_that_is_not_a_helm_chart_is_refused(open_registry, tmp_path):
    with httpx.Client() as client:
        registry = OciRegistry(open_registry.host, client, plain_http=True)
        config = registry.push_blob("images/app", b"{}")
        manifest = {
            "schemaVersion": 2,
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config, "size": 2},
            "layers": [],
        }
        registry.push_manifest("images/app", "1.0.0", json.dumps(manifest).encode())
    with pytest.raises(SourceError, match="is not a Helm chart"):
        resolver(tmp_path, RegistryMirror(registry=open_registry.host, plain_http=True)).chart(
            open_registry.host + "/images", "app", "1.0.0"
        )
