"""The pure parts of chart fetching: Helm's version choice, registry challenges, the cache, folder
mirrors with constraints, and the registries entries of wavecd.yaml."""

from __future__ import annotations

import httpx
import pytest

from support.registries import chart_archive
from wavecd.core.private_files import cache_root
from wavecd.sources.cache import ChartCache, sha256_digest
from wavecd.sources.config import RegistryMirror, WavecdConfig, load_config
from wavecd.sources.errors import InvalidVersionError, NoTagsError, SourceError
from wavecd.sources.mirrors import matching_entries
from wavecd.sources.oci import OciRegistry
from wavecd.sources.ocicharts import chart_metadata, resolve_reference, split_repository
from wavecd.sources.registryauth import parse_challenge
from wavecd.sources.resolver import SourceResolver
from wavecd.sources.versions import is_digest, pick_version, tag_for_version, version_for_tag


@pytest.mark.parametrize(
    ("requested", "candidates", "chosen"),
    [
        ("", ["1.0.0", "2.0.0-rc.1", "1.5.0"], "1.5.0"),  # no version: newest stable
        ("1.0", ["1.0", "1.0.5"], "1.0"),  # the exact text wins over the constraint reading
        ("1.0", ["1.0.5", "1.0.2"], "1.0.5"),
        ("^2.0.0-0", ["2.0.0-rc.1", "1.9.0"], "2.0.0-rc.1"),
        (">=1", ["v1.2.0", "junk", "1.1.0"], "v1.2.0"),
        ("~3", ["1.0.0"], None),
        ("*", [], None),
    ],
)
def test_helms_version_choice(requested, candidates, chosen):
    assert pick_version(requested, candidates) == chosen


def test_registry_tags_must_be_strict_versions():
    assert pick_version(">=1", ["v2.0.0", "1.5", "1.2.0"], strict=True) == "1.2.0"
    with pytest.raises(SourceError, match="invalid chart version 'latest'"):
        pick_version("latest", ["latest", "1.0.0"], strict=True)  # Helm: not a semver tag, so not a match
    assert pick_version("latest", ["latest", "1.0.0"]) == "latest"  # an index entry matches verbatim


def test_an_invalid_constraint_is_a_source_error():
    with pytest.raises(InvalidVersionError, match="invalid chart version '=>>1'") as caught:
        pick_version("=>>1", ["1.0.0"])
    assert caught.value.version == "=>>1"


def test_plus_in_versions_becomes_underscore_in_tags():
    assert tag_for_version("1.0.0+build.7") == "1.0.0_build.7"
    assert version_for_tag("1.0.0_build.7") == "1.0.0+build.7"
    assert is_digest("sha256:" + "ab" * 32) and not is_digest("sha256:abc") and not is_digest("1.0.0")


@pytest.mark.parametrize(
    ("header", "scheme", "params"),
    [
        (
            'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",'
            'scope="repository:library/nginx:pull,push"',
            "bearer",
            {
                "realm": "https://auth.docker.io/token",
                "service": "registry.docker.io",
                "scope": "repository:library/nginx:pull,push",
            },
        ),
        ('Basic realm="Registry Realm"', "basic", {"realm": "Registry Realm"}),
        (
            "Bearer realm=https://public.ecr.aws/token/, service=public.ecr.aws,scope=aws",
            "bearer",
            {"realm": "https://public.ecr.aws/token/", "service": "public.ecr.aws", "scope": "aws"},
        ),
    ],
)
def test_www_authenticate_challenges_are_parsed(header, scheme, params):
    assert parse_challenge(header) == (scheme, params)


def test_the_cache_stores_by_content_and_remembers_versions(tmp_path):
    cache = ChartCache(tmp_path)
    data = chart_archive("demo", "1.0.0")
    digest, path = cache.put(data)
    assert digest == sha256_digest(data) and path.read_bytes() == data
    assert cache.put(data, digest) == (digest, path)
    cache.remember("oci://reg.io/charts/", "demo", "1.0.0+b", digest)
    assert cache.lookup("reg.io/charts", "demo", "1.0.0+b") == (digest, path)
    assert cache.versions("reg.io/charts", "demo") == ["1.0.0+b"]
    assert cache.lookup("reg.io/charts", "other", "1.0.0+b") is None
    assert not [p for p in tmp_path.rglob(".*")]  # no temporary files left behind
    with pytest.raises(SourceError, match="digest mismatch"):
        cache.put(b"other bytes", digest)
    with pytest.raises(SourceError, match="only sha256"):
        cache.path_for("md5:abc")


def test_a_cache_reference_whose_archive_is_gone_is_a_miss(tmp_path):
    cache = ChartCache(tmp_path)
    digest, path = cache.put(b"x")
    cache.remember("r", "c", "1.0.0", digest)
    path.unlink()
    assert cache.lookup("r", "c", "1.0.0") is None


def test_folder_mirrors_answer_constraints_with_the_highest_version(tmp_path):
    folder = tmp_path / "mirror" / "charts"
    folder.mkdir(parents=True)
    for version in ("1.0.0", "1.2.0", "2.0.0-rc.1"):
        (folder / f"demo-{version}.tgz").write_bytes(chart_archive("demo", version))
    (folder / "demo-extra-9.0.0.tgz").write_bytes(b"another chart")
    (folder / "demo").mkdir()
    (folder / "demo" / "Chart.yaml").write_text("name: demo\nversion: 1.1.0\n")
    config = WavecdConfig(registries=(RegistryMirror(registry="reg.io", mirror=tmp_path / "mirror"),))
    resolver = SourceResolver(config, offline=True, cache_dir=tmp_path / "cache")
    assert resolver.chart("reg.io/charts", "demo", "^1").path == folder / "demo-1.2.0.tgz"
    assert resolver.chart("reg.io/charts", "demo", "~1.1").path == folder / "demo"
    assert resolver.chart("reg.io/charts", "demo", "").version == "1.2.0"
    assert resolver.chart("reg.io/charts", "demo", ">=2.0.0-0").version == "2.0.0-rc.1"
    with pytest.raises(SourceError, match="not available offline"):
        resolver.chart("reg.io/charts", "demo", "^9")


def test_the_longest_registries_prefix_comes_first():
    entries = (
        RegistryMirror(registry="ghcr.io"),
        RegistryMirror(registry="ghcr.io/grafana"),
        RegistryMirror(registry="ghcr.io/gra"),
    )
    matched = matching_entries(entries, "oci://ghcr.io/grafana/helm-charts")
    assert [(e.registry, rest) for e, rest in matched] == [
        ("ghcr.io/grafana", "helm-charts"),
        ("ghcr.io", "grafana/helm-charts"),
    ]


def test_registries_entries_read_url_credentials_and_plain_http(tmp_path):
    path = tmp_path / "wavecd.yaml"
    path.write_text(
        "registries:\n  - registry: public.ecr.aws\n    url: 127.0.0.1:5000/ecr\n"
        "    username: u\n    password: p\n    plainHTTP: true\n"
    )
    (entry,) = load_config(path).registries
    assert (entry.url, entry.username, entry.password, entry.plain_http, entry.mirror) == (
        "127.0.0.1:5000/ecr",
        "u",
        "p",
        True,
        None,
    )


def test_oci_locations_and_chart_metadata():
    assert split_repository("oci://public.ecr.aws/karpenter/") == ("public.ecr.aws", "karpenter")
    assert split_repository("127.0.0.1:5000") == ("127.0.0.1:5000", "")
    with pytest.raises(SourceError, match="not an OCI registry location"):
        split_repository("/charts")
    assert chart_metadata(chart_archive("demo", "1.2.3"))["version"] == "1.2.3"
    with pytest.raises(SourceError, match="not a valid chart archive"):
        chart_metadata(b"not a tarball")


def test_tag_lists_follow_link_pagination():
    """docker-registry 2.8 never pages, so the Link header (as ghcr.io sends it) is simulated here."""
    pages = {
        "/v2/charts/demo/tags/list?n=2": (["1.0.0", "1.1.0"], '</v2/charts/demo/tags/list?n=2&last=1.1.0>; rel="next"'),
        "/v2/charts/demo/tags/list?n=2&last=1.1.0": (["2.0.0"], ""),
    }

    def answer(request: httpx.Request) -> httpx.Response:
        tags, link = pages[request.url.raw_path.decode()]
        return httpx.Response(200, json={"name": "charts/demo", "tags": tags}, headers={"Link": link} if link else {})

    with httpx.Client(transport=httpx.MockTransport(answer)) as client:
        assert OciRegistry("reg.io", client).tags("charts/demo", page_size=2) == ["1.0.0", "1.1.0", "2.0.0"]


def test_a_registry_repository_without_tags_is_helms_error():
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json={"name": "charts/demo", "tags": []}))
    with httpx.Client(transport=transport) as client, pytest.raises(NoTagsError) as caught:
        resolve_reference(OciRegistry("reg.io", client), "charts/demo", "^1")
    assert caught.value.message == "unable to locate any tags in provided repository: oci://reg.io/charts/demo"
    assert caught.value.repository == "oci://reg.io/charts/demo"


def test_the_cache_lives_under_wavecd_cache_dir_when_set(monkeypatch, tmp_path):
    monkeypatch.setenv("WAVECD_CACHE_DIR", str(tmp_path / "elsewhere"))
    assert cache_root() == tmp_path / "elsewhere"
    assert SourceResolver(WavecdConfig()).cache_dir == tmp_path / "elsewhere"
    monkeypatch.delenv("WAVECD_CACHE_DIR")
    assert cache_root().parts[-2:] == (".cache", "wavecd")


def test_an_unwritable_cache_is_a_clear_error(tmp_path):
    (tmp_path / "charts").write_text("a file where the cache wants a folder")
    with pytest.raises(SourceError, match="cannot write to the cache at"):
        ChartCache(tmp_path).put(b"data")


def test_a_tag_list_that_is_not_json_is_a_clear_error():
    transport = httpx.MockTransport(lambda request: httpx.Response(200, text="<html>"))
    with httpx.Client(transport=transport) as client, pytest.raises(SourceError, match="not the expected JSON"):
        OciRegistry("reg.io", client).tags("charts/demo")


def test_a_challenge_without_scope_asks_for_the_repository_and_the_token_is_reused():
    """As public.ecr.aws and others answer: the token request needs a scope the client derives itself."""
    seen: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(f"{request.url.host}{request.url.raw_path.decode()} {request.headers.get('Authorization', '-')}")
        if request.url.host == "auth.example":
            return httpx.Response(200, json={"access_token": "t0k"})
        if request.headers.get("Authorization") != "Bearer t0k":
            return httpx.Response(
                401, headers={"WWW-Authenticate": 'Bearer realm="https://auth.example/token",service="reg.example"'}
            )
        return httpx.Response(200, json={"tags": ["1.0.0"]})

    with httpx.Client(transport=httpx.MockTransport(answer)) as client:
        registry = OciRegistry("docker.io", client)
        assert registry.base == "https://registry-1.docker.io"
        assert registry.tags("library/demo") == ["1.0.0"]
        assert registry.tags("library/demo") == ["1.0.0"]
    assert seen == [
        "registry-1.docker.io/v2/library/demo/tags/list -",
        "auth.example/token?service=reg.example&scope=repository%3Alibrary%2Fdemo%3Apull -",
        "registry-1.docker.io/v2/library/demo/tags/list Bearer t0k",
        "registry-1.docker.io/v2/library/demo/tags/list Bearer t0k",
    ]
