"""Classic Helm chart repositories over HTTP(S): `index.yaml`, version choice, chart download.

The version is chosen as Helm's repo index `Get` chooses it (see `versions.pick_version`); the
archive is checked against the index's digest when the index gives one. Credentials go to the
repository's own host only, as Helm does unless told to pass them everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx
import yaml

from wavecd.sources.download import read_archive_body
from wavecd.sources.errors import (
    ChartNotInIndexError,
    IndexUnavailableError,
    NotInIndexError,
    RequestError,
    SourceError,
)
from wavecd.sources.versions import pick_version


@dataclass(frozen=True)
class IndexEntry:
    """One chart version as the repository's index lists it."""

    version: str
    urls: tuple[str, ...]
    digest: str | None  # sha256 hex of the archive, when the index records it


class HelmRepository:
    """One chart repository at `url` (the folder that holds `index.yaml`)."""

    def __init__(self, url: str, client: httpx.Client, *, username: str | None = None, password: str | None = None):
        self.url = url.rstrip("/")
        self._client = client
        self._auth = httpx.BasicAuth(username, password or "") if username else None
        self._index: dict[str, list[IndexEntry]] | None = None

    def _auth_for(self, url: str) -> httpx.BasicAuth | None:
        return self._auth if urlsplit(url)[:2] == urlsplit(self.url)[:2] else None

    def _get(self, url: str, what: str) -> httpx.Response:
        try:
            response = self._client.get(url, auth=self._auth_for(url))
        except httpx.HTTPError as err:
            raise RequestError(f"Helm repository {self.url}: cannot fetch {what}: {err}", status=None) from None
        return self._checked(response, what)

    def _checked(self, response: httpx.Response, what: str) -> httpx.Response:
        if response.status_code != 200:
            hint = " (check the registries entry's username and password)" if response.status_code in (401, 403) else ""
            raise RequestError(
                f"Helm repository {self.url}: cannot fetch {what}: HTTP {response.status_code}{hint}",
                status=response.status_code,
            )
        return response

    def index(self) -> dict[str, list[IndexEntry]]:
        """The repository's charts and their versions, read once per instance."""
        if self._index is None:
            try:
                response = self._get(self.url + "/index.yaml", "index.yaml")
            except RequestError as err:
                raise IndexUnavailableError(err.message, repository=self.url, status=err.status) from None
            self._index = parse_index(response.content, self.url)
        return self._index

    def select(self, chart: str, version: str) -> IndexEntry:
        """The index entry Helm's `Get` picks; a miss is reported in `helm pull --repo`'s words."""
        entries = self.index().get(chart) or []
        picked = pick_version(version, [entry.version for entry in entries]) if entries else None
        if picked is None:
            what = f'chart "{chart}"' + (f' version "{version}"' if version else "")
            kind = NotInIndexError if entries else ChartNotInIndexError
            raise kind(f"{what} not found in {self.url} repository", repository=self.url, chart=chart, version=version)
        return next(entry for entry in entries if entry.version == picked)

    def download(self, chart: str, entry: IndexEntry) -> bytes:
        """The archive, streamed and refused once larger than any loadable chart (`read_archive_body`)."""
        if not entry.urls:
            raise SourceError(f'chart "{chart}" version "{entry.version}" has no downloadable URLs')
        url = resolve_chart_url(self.url, entry.urls[0])
        what = f"chart {chart} {entry.version}"
        try:
            with self._client.stream("GET", url, auth=self._auth_for(url)) as response:
                return read_archive_body(self._checked(response, what), f"Helm repository {self.url}: {what}")
        except httpx.HTTPError as err:
            raise RequestError(f"Helm repository {self.url}: cannot fetch {what}: {err}", status=None) from None


def resolve_chart_url(repo_url: str, chart_url: str) -> str:
    """An index `urls` entry against the repository URL (Helm's `ResolveReferenceURL`: the repository
    URL is treated as a folder, so relative entries land inside it)."""
    return urljoin(repo_url.rstrip("/") + "/", chart_url)


def parse_index(data: bytes, source: str) -> dict[str, list[IndexEntry]]:
    """The `entries` of an `index.yaml` (YAML or JSON), skipping malformed versions as Helm does."""
    try:
        document: Any = yaml.load(data, Loader=yaml.CSafeLoader)
    except yaml.YAMLError as err:
        raise SourceError(f"Helm repository {source}: index.yaml is not valid YAML: {err}") from None
    if not isinstance(document, dict) or not document:
        raise SourceError(f"Helm repository {source}: index.yaml is empty or not a mapping")
    if not document.get("apiVersion"):
        raise SourceError(f"Helm repository {source}: index.yaml has no apiVersion")
    entries = document.get("entries") or {}
    if not isinstance(entries, dict):
        raise SourceError(f"Helm repository {source}: index.yaml entries must be a mapping")
    charts: dict[str, list[IndexEntry]] = {}
    for name, versions in entries.items():
        found = []
        for item in versions if isinstance(versions, list) else []:
            if not isinstance(item, dict) or item.get("version") in (None, ""):
                continue
            urls = item.get("urls") or []
            digest = item.get("digest")
            found.append(
                IndexEntry(
                    version=str(item["version"]),
                    urls=tuple(str(u) for u in urls) if isinstance(urls, list) else (),
                    digest=str(digest) if digest else None,
                )
            )
        charts[str(name)] = found
    return charts
