"""A chart's dependencies fetched for `helm dependency build`, through the same `SourceResolver` as charts.

`wavecd.helm.depbuild` decides what Helm would fetch; this answers it: a dependency's repository is a Helm
repository, an OCI registry or a `registries` entry of wavecd.yaml named by `@name`, and its archive comes
from a folder mirror, a registry mirror, the content-addressed cache or the repository itself (only the
first three with `--offline`), exactly as an Application's chart does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from wavecd.sources.config import RegistryMirror
from wavecd.sources.errors import ChartFetchError, ChartNotInIndexError, SourceError, VersionNotFoundError
from wavecd.sources.resolver import ChartSource

__all__ = ["DependencyCharts"]


class DependencyCharts:
    """`wavecd.helm.depbuild.DependencyCharts` over `SourceResolver.chart` and wavecd.yaml's `registries`."""

    def __init__(self, fetch: Callable[[str, str, str], ChartSource], registries: tuple[RegistryMirror, ...]):
        self._fetch = fetch
        self._registries = registries

    def repository_named(self, name: str) -> str | None:
        """The `registry` of the entry called `name`; one without a scheme is an OCI registry (`oci://`)."""
        for entry in self._registries:
            if entry.name == name:
                url = entry.registry
                return url if "://" in url else "oci://" + url
        return None

    def fetch(self, repository: str, chart: str, version: str) -> tuple[str, str] | Literal["chart", "version"]:
        try:
            found = self._fetch(repository, chart, version)
        except SourceError as err:
            reason = err.reason if isinstance(err, ChartFetchError) else err
            if isinstance(reason, ChartNotInIndexError):
                return "chart"
            if isinstance(reason, VersionNotFoundError):
                return "version"
            raise
        return found.version, str(found.path)
