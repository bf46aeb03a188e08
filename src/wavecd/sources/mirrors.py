"""Charts found in folder mirrors: `<mirror>/<rest>/<chart>-<version>.tgz` or an unpacked `<chart>/`,
and which `registries` entries of wavecd.yaml apply to a `repoURL` at all."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from wavecd.sources.config import RegistryMirror
from wavecd.sources.resolver import ChartSource
from wavecd.sources.versions import is_digest, pick_version


def strip_scheme(url: str) -> str:
    for prefix in ("oci://", "https://", "http://"):
        if url.startswith(prefix):
            return url[len(prefix) :]
    return url


def matching_entries(mirrors: tuple[RegistryMirror, ...], repo_url: str) -> list[tuple[RegistryMirror, str]]:
    """(entry, rest of the repoURL below its prefix) for every entry whose `registry` is a prefix of
    `repo_url`, longest prefix first."""
    wanted = strip_scheme(repo_url).rstrip("/")
    candidates = []
    for mirror in mirrors:
        prefix = strip_scheme(mirror.registry).rstrip("/")
        if prefix and (wanted == prefix or wanted.startswith(prefix + "/")):
            candidates.append((len(prefix), mirror, wanted[len(prefix) :].lstrip("/")))
    return [(mirror, rest) for _, mirror, rest in sorted(candidates, key=lambda c: -c[0])]


def find_in_mirrors(mirrors: tuple[RegistryMirror, ...], repo_url: str, chart: str, version: str) -> ChartSource | None:
    """The chart in the folder mirror of the longest matching prefix; a constraint picks the highest
    matching version the folder holds (Helm's rule)."""
    if is_digest(version):
        return None
    for mirror, rest in matching_entries(mirrors, repo_url):
        if mirror.mirror is None:
            continue
        folder = mirror.mirror / rest if rest else mirror.mirror
        archive = folder / f"{chart}-{version}.tgz"
        if archive.is_file():
            return ChartSource(repo_url, chart, version, archive, origin="mirror")
        unpacked = folder / chart
        unpacked_version = _chart_version(unpacked)
        if unpacked_version == version:
            return ChartSource(repo_url, chart, version, unpacked, origin="mirror")
        offered = _archived_versions(folder, chart)
        if unpacked_version is not None:
            offered[unpacked_version] = unpacked
        picked = pick_version(version, list(offered))
        if picked is not None:
            return ChartSource(repo_url, chart, picked, offered[picked], origin="mirror")
    return None


def _archived_versions(folder: Path, chart: str) -> dict[str, Path]:
    """`<chart>-<version>.tgz` files in a folder, by version (a chart named `a` must not claim `a-b-1.0.0.tgz`)."""
    pattern = re.compile(re.escape(chart) + r"-(v?[0-9][^/]*)\.tgz")
    found = {}
    try:
        names = [entry.name for entry in folder.iterdir()]
    except OSError:
        return {}
    for name in names:
        match = pattern.fullmatch(name)
        if match:
            found[match.group(1)] = folder / name
    return found


def _chart_version(folder: Path) -> str | None:
    try:
        metadata = yaml.load((folder / "Chart.yaml").read_text(), Loader=yaml.CSafeLoader)
    except (OSError, yaml.YAMLError):
        return None
    return str(metadata.get("version")) if isinstance(metadata, dict) else None
