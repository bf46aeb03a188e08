"""The charts kustomize would `helm pull` for `helmCharts` (`--enable-helm`), fetched by wavecd instead.

Argo CD's kustomize pulls a `helmCharts` entry that names a `repo` from the network, into the chart home
of the kustomization (`<chartHome>/<name>-<version>/<name>`), unless that folder is already there. wavecd
gives kustomize no network, so it fetches each such chart itself, as it fetches any chart (`sources`: the
folder mirrors and registry mirrors of `wavecd.yaml`, the cache, then the repository unless `--offline`),
and unpacks it in the temporary copy kustomize builds, exactly where kustomize would have pulled it: kustomize
then finds it and pulls nothing. The user's repository is never written: the copy keeps the repository's
symlinks, so a chart home that leads out of the copy through one (into the repository, or anywhere) is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any, Protocol

from wavecd.apps.errors import AppError
from wavecd.apps.kustomize_refs import ChartPull
from wavecd.core import Location, WavecdError
from wavecd.core.paths import writes_inside
from wavecd.helm.chart import ChartFile
from wavecd.helm.loader import LoadError, read_archive, read_dir

__all__ = ["PulledChart", "fetch_pulls", "place_charts"]


class ChartResolver(Protocol):
    def chart(self, repo_url: str, chart: str, version: str) -> Any: ...


@dataclass(frozen=True)
class PulledChart:
    """A chart fetched for a `helmCharts` entry of tree `in_tree` (numbered as the kustomize trees):
    `path` is its archive or folder, `digest` the archive's sha256 when known."""

    in_tree: int
    pull: ChartPull
    path: Path
    digest: str | None


def fetch_pulls(in_tree: int, pulls: list[ChartPull], resolver: ChartResolver) -> list[PulledChart]:
    """Each chart of `pulls` fetched through the resolver; a chart that cannot be had is an AppError naming
    the kustomization, the chart and its repository."""
    fetched: list[PulledChart] = []
    for pull in pulls:
        try:
            found = resolver.chart(pull.repo, pull.name, pull.version)
        except WavecdError as err:
            raise AppError(
                f"{pull.file}: helmCharts {pull.name!r} (repo {pull.repo}): {err.message}",
                location=Location(file=pull.file),
                context=[
                    "kustomize would pull this chart; wavecd fetches it through the registries of wavecd.yaml"
                    " (a folder mirror works offline) or puts it where kustomize looks: "
                    + pull.target.replace("\\", "/")
                ],
            ) from None
        fetched.append(PulledChart(in_tree, pull, Path(found.path), found.digest))
    return fetched


def _files(chart: PulledChart) -> list[ChartFile]:
    try:
        if chart.path.is_dir():
            return read_dir(str(chart.path))
        with chart.path.open("rb") as stream:
            return read_archive(stream)
    except (LoadError, OSError) as err:
        pull = chart.pull
        raise AppError(
            f"{pull.file}: helmCharts {pull.name!r} (repo {pull.repo}): cannot read the chart {chart.path.name}: {err}",
            location=Location(file=pull.file),
        ) from None


def place_charts(copies: list[Path], charts: tuple[PulledChart, ...]) -> None:
    """Each chart unpacked in its tree's copy where kustomize looks for it (`ChartPull.target`)."""
    for chart in charts:
        pull, target = chart.pull, copies[chart.in_tree] / chart.pull.target
        if not writes_inside(target, copies[chart.in_tree]):
            raise AppError(
                f"{pull.file}: helmCharts {pull.name!r}: the chart home {pull.home!r} leads outside the repository "
                f"through a symlink ({PurePath(pull.target).as_posix()}); wavecd unpacks a pulled chart only inside "
                "its copy of the repository"
            )
        if target.is_dir():
            continue  # two entries of the same chart and version: kustomize pulls it once too
        for item in _files(chart):
            path = target / item.name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(item.data)
