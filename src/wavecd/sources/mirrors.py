"""Charts found in folder mirrors: `<mirror>/<rest>/<chart>-<version>.tgz` or an unpacked `<chart>/`."""

from __future__ import annotations

from pathlib import Path

import yaml

from wavecd.sources.config import RegistryMirror
from wavecd.sources.resolver import ChartSource


def _strip_scheme(url: str) -> str:
    for prefix in ("oci://", "https://", "http://"):
        if url.startswith(prefix):
            return url[len(prefix) :]
    return url


def find_in_mirrors(mirrors: tuple[RegistryMirror, ...], repo_url: str, chart: str, version: str) -> ChartSource | None:
    """The longest registry prefix of `repo_url` with a folder mirror holding that chart at that version."""
    wanted = _strip_scheme(repo_url).rstrip("/")
    candidates = []
    for mirror in mirrors:
        prefix = _strip_scheme(mirror.registry).rstrip("/")
        if mirror.mirror is not None and (wanted == prefix or wanted.startswith(prefix + "/")):
            candidates.append((len(prefix), mirror, wanted[len(prefix) :].lstrip("/")))
    for _, mirror, rest in sorted(candidates, key=lambda c: -c[0]):
        folder = mirror.mirror / rest if rest else mirror.mirror
        archive = folder / f"{chart}-{version}.tgz"
        if archive.is_file():
            return ChartSource(repo_url, chart, version, archive)
        unpacked = folder / chart
        if _chart_version(unpacked) == version:
            return ChartSource(repo_url, chart, version, unpacked)
    return None


def _chart_version(folder: Path) -> str | None:
    try:
        metadata = yaml.load((folder / "Chart.yaml").read_text(), Loader=yaml.CSafeLoader)
    except (OSError, yaml.YAMLError):
        return None
    return str(metadata.get("version")) if isinstance(metadata, dict) else None
