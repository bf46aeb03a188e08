"""Finding a chart at a version: folder mirror, then registry mirror, then cache, then its real home.

Each step that downloads stores the archive in the content-addressed cache and remembers it under
the `repoURL` the Application wrote, so a later `--offline` run finds it whatever served it.
A constraint (`1.x`, `>=2`) is only answered from the cache when offline: online, the registry or
index decides, because a newer matching version may have been published since.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import httpx

from wavecd.semver import SemverError, parse_version
from wavecd.sources.cache import ChartCache
from wavecd.sources.config import RegistryMirror
from wavecd.sources.errors import ChartArchiveError, ChartFetchError, RequestError, SourceError, VersionNotFoundError
from wavecd.sources.helmrepo import HelmRepository
from wavecd.sources.mirrors import find_in_mirrors, matching_entries
from wavecd.sources.oci import OciRegistry
from wavecd.sources.ocicharts import chart_metadata, pull_chart, resolve_reference, split_repository
from wavecd.sources.resolver import ChartSource
from wavecd.sources.versions import is_digest, pick_version


def is_helm_http(url: str) -> bool:
    """`http(s)://` is a classic chart repository; anything else (`host/path`, `oci://…`) is OCI."""
    return url.startswith(("https://", "http://"))


def is_exact(version: str) -> bool:
    """A request that names one archive (a digest or a version, as Helm reads `--version`), so the
    cache may answer it online too."""
    if is_digest(version):
        return True
    try:
        parse_version(version)
    except SemverError:
        return False
    return True


def _located(err: SourceError, where: str) -> SourceError:
    """`err` with `where` before its message; an archive Helm cannot load keeps its type and cause, which
    `wavecd helm template` words as Helm does."""
    if isinstance(err, ChartArchiveError):
        return ChartArchiveError(f"{where}: {err.message}", cause=err.cause)
    return SourceError(f"{where}: {err.message}")


@dataclass(frozen=True)
class _Location:
    url: str
    entry: RegistryMirror | None


class ChartFetcher:
    """Fetches charts for one `SourceResolver`: one HTTP client, one cache, one offline switch."""

    def __init__(self, registries: tuple[RegistryMirror, ...], cache: ChartCache, *, offline: bool = False):
        self.registries = registries
        self.cache = cache
        self.offline = offline
        self._client: httpx.Client | None = None
        self._oci: dict[tuple[str, bool, str | None], OciRegistry] = {}
        self._helm: dict[tuple[str, str | None], HelmRepository] = {}

    @property
    def client(self) -> httpx.Client:
        if self._client is None:
            self._client = httpx.Client(follow_redirects=True, timeout=httpx.Timeout(60.0, connect=10.0))
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def chart(self, repo_url: str, chart: str, version: str) -> ChartSource:
        found = find_in_mirrors(self.registries, repo_url, chart, version)
        if found is not None:
            return found
        tried = ["folder mirrors"]
        problems: list[SourceError] = []
        entries = matching_entries(self.registries, repo_url)
        if not self.offline:
            for entry, rest in entries:
                if entry.url:
                    mirror_url = entry.url.rstrip("/") + (f"/{rest}" if rest else "")
                    tried.append(f"registry mirror {mirror_url}")
                    try:
                        return self._download(repo_url, _Location(mirror_url, entry), chart, version)
                    except SourceError as err:
                        problems.append(err)
        tried.append("the cache")
        if self.offline or is_exact(version):
            cached = self._from_cache(repo_url, chart, version)
            if cached is not None:
                return cached
        if self.offline:
            raise SourceError(
                f"chart {chart} {version or '(latest)'} from {repo_url} is not available offline: "
                "not in any folder mirror of wavecd.yaml and not in the cache",
                context=[
                    f"looked in: {', '.join(tried)} ({self.cache.root})",
                    "run once without --offline to fill the cache, or add a folder mirror",
                ],
            )
        credentials = next((entry for entry, _ in entries if not entry.url), None)
        try:
            return self._download(repo_url, _Location(repo_url, credentials), chart, version)
        except SourceError as err:
            # A mirror that answered "no such chart or version" says more than an origin it stands in for
            # that cannot be reached (a name only the mirror serves).
            answered = next((p for p in problems if isinstance(p, VersionNotFoundError)), None)
            reason = answered if answered is not None and isinstance(err, RequestError) else err
            raise ChartFetchError(
                repo_url,
                chart,
                version,
                reason,
                context=[*err.context, *(f"registry mirror: {problem.message}" for problem in problems)],
            ) from None

    def _from_cache(self, repo_url: str, chart: str, version: str) -> ChartSource | None:
        if self.offline and not is_digest(version):
            version = pick_version(version, self.cache.versions(repo_url, chart)) or ""
            if not version:
                return None
        hit = self.cache.lookup(repo_url, chart, version)
        if hit is None:
            return None
        digest, path = hit
        if is_digest(version):
            version = str(chart_metadata(path.read_bytes()).get("version", version))
        return ChartSource(repo_url, chart, version, path, digest=digest, origin="cache")

    def _download(self, repo_url: str, location: _Location, chart: str, version: str) -> ChartSource:
        """Fetch from `location`, store by digest, and remember the version under `repo_url`."""
        if is_helm_http(location.url):
            resolved, digest, path = self._download_from_index(location, chart, version)
        else:
            resolved, digest, path = self._download_from_registry(location, chart, version)
            if is_digest(version):
                self.cache.remember(repo_url, chart, version, digest)
        self.cache.remember(repo_url, chart, resolved, digest)
        origin = "registry" if location.url == repo_url else "registry mirror"
        return ChartSource(repo_url, chart, resolved, path, digest=digest, origin=origin)

    def _download_from_index(self, location: _Location, chart: str, version: str) -> tuple[str, str, Path]:
        entry = location.entry
        repository = self._helm_repository(location.url, *(entry.username, entry.password) if entry else (None, None))
        picked = repository.select(chart, version)
        expected = f"sha256:{picked.digest}" if picked.digest else None
        cached = self.cache.get(expected) if expected else None
        if expected and cached is not None:  # the index names an archive the cache holds: no download
            return picked.version, expected, cached
        data = repository.download(chart, picked)
        try:
            digest, path = self.cache.put(data, expected)
        except SourceError as err:
            raise _located(err, f"chart {chart} {picked.version} from {location.url}") from None
        return picked.version, digest, path

    def _download_from_registry(self, location: _Location, chart: str, version: str) -> tuple[str, str, Path]:
        entry = location.entry
        host, path_in_registry = split_repository(location.url)
        registry = self._oci_registry(
            host, bool(entry and entry.plain_http), *(entry.username, entry.password) if entry else (None, None)
        )
        name = f"{path_in_registry}/{chart}".lstrip("/")
        reference, resolved = resolve_reference(registry, name, version)
        data, layer_digest = pull_chart(registry, name, reference)
        try:
            digest, path = self.cache.put(data, layer_digest)
        except SourceError as err:
            raise _located(err, f"chart {host}/{name}@{reference}") from None
        if is_digest(reference):
            resolved = str(chart_metadata(data).get("version", resolved))
        return resolved, digest, path

    def _helm_repository(self, url: str, username: str | None, password: str | None) -> HelmRepository:
        key = (url, username)
        if key not in self._helm:
            self._helm[key] = HelmRepository(url, self.client, username=username, password=password)
        return self._helm[key]

    def _oci_registry(self, host: str, plain_http: bool, username: str | None, password: str | None) -> OciRegistry:
        key = (host, plain_http, username)
        if key not in self._oci:
            self._oci[key] = OciRegistry(host, self.client, plain_http=plain_http, username=username, password=password)
        return self._oci[key]
