"""What a kustomization reaches beyond its folder: local bases (which must stay inside the repository)
and remote bases (`https://…`, `github.com/…`, `git@…`), which wavecd reads only through the repository
mappings of `wavecd.yaml`, never over the network.

kustomize itself confines the files a kustomization loads to its own folder, but not the folders it
names under `resources`, `bases`, `components`, `generators`, `transformers` and `validators`:
`../../../..` may leave the repository. So before a
build, every kustomization reachable from the app's folder is read and each such entry checked; an entry
that is no local path and reads as a git URL is a remote base, to be served from a mapped repository.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wavecd.apps.errors import AppError
from wavecd.apps.kustomize_edit import find_kustomization
from wavecd.core import Location
from wavecd.core.paths import lexically_inside
from wavecd.goyaml import GoYamlError, load
from wavecd.sources.boundary import OutOfBoundsSymlinkError, check_file

__all__ = ["REFERENCE_FIELDS", "ChartPull", "RemoteBase", "parse_remote", "scan_kustomizations"]

# the kustomization fields whose entries may name a folder (a kustomization of its own) or a remote base
REFERENCE_FIELDS = ("resources", "bases", "components", "generators", "transformers", "validators")
_MAX_KUSTOMIZATIONS = 1000
_HOST_FIRST = re.compile(r"^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+(:[0-9]+)?/")


@dataclass(frozen=True)
class RemoteBase:
    """One remote entry: as written, in which kustomization (relative to its tree's root), and what it names."""

    entry: str
    file: str
    repo_url: str
    ref: str
    path: str


@dataclass(frozen=True)
class ChartPull:
    """A `helmCharts` entry kustomize would `helm pull` (`--enable-helm`): it names a `repo` and its chart is
    not in the chart home. `folder` is the kustomization's folder and `home` the chart home (`helmGlobals.chartHome`,
    default `charts`) relative to it; kustomize looks for the chart in `home/<name>-<version>/<name>`, or
    `home/<name>` when no version is given."""

    file: str
    folder: str
    home: str
    name: str
    repo: str
    version: str

    @property
    def target(self) -> str:
        """Where kustomize looks for the chart folder, relative to the tree's root."""
        untar = f"{self.name}-{self.version}" if self.version else ""
        return os.path.normpath(os.path.join(self.folder, self.home, untar, self.name))


def _chart_pulls(data: dict[str, Any], folder: Path, root: Path, shown: str) -> list[ChartPull]:
    """The `helmCharts` entries of one kustomization whose chart kustomize would have to pull."""
    charts, globals_ = data.get("helmCharts"), data.get("helmGlobals")
    home = globals_.get("chartHome") if isinstance(globals_, dict) else None
    home = home if isinstance(home, str) and home else "charts"
    pulls: list[ChartPull] = []
    for entry in charts if isinstance(charts, list) else []:
        if not isinstance(entry, dict) or not entry.get("repo") or not isinstance(entry.get("name"), str):
            continue
        relative = os.path.relpath(folder, root)
        pull = ChartPull(shown, relative, home, entry["name"], str(entry["repo"]), str(entry.get("version") or ""))
        target = root / pull.target
        if os.path.isabs(home) or not lexically_inside(target, root):
            raise AppError(
                f"{shown}: helmCharts {pull.name!r}: the chart home {home!r} must be a folder inside the repository",
                location=Location(file=shown),
            )
        if not target.is_dir():
            pulls.append(pull)
    return pulls


def parse_remote(entry: str) -> tuple[str, str, str] | None:
    """(repository URL, ref, path inside it) of a kustomize remote entry, or None when it is no git URL.

    Follows kustomize's `RepoSpec` forms: `host/org/repo[//path][?ref=…]`, `https://host/org/repo.git/path`,
    `git@host:org/repo//path`, `git::https://…`; `?version=` is a synonym of `?ref=`.
    """
    text = entry.removeprefix("git::")
    url, _, query = text.partition("?")
    ref = ""
    for part in query.split("&"):
        key, _, value = part.partition("=")
        if key in ("ref", "version") and value:
            ref = value
    scheme = ""
    match = re.match(r"^([a-z][a-z0-9+.-]*://)", url)
    if match:
        scheme = match.group(1)
        url = url[len(scheme) :]
    elif url.startswith("git@"):
        scheme, url = "git@", url[4:].replace(":", "/", 1)
    elif not _HOST_FIRST.match(url):
        return None
    if scheme and scheme not in ("https://", "http://", "ssh://", "git@", "file://"):
        return None
    if "//" in url:
        repo, _, path = url.partition("//")
    elif ".git/" in url or url.endswith(".git"):
        repo, _, path = url.partition(".git")
        path = path.lstrip("/")
    else:
        parts = url.split("/")
        if len(parts) < 3:
            return None
        repo, path = "/".join(parts[:3]), "/".join(parts[3:])
    repo = repo.removesuffix(".git").rstrip("/")
    if scheme == "git@":
        host, _, rest = repo.partition("/")
        return f"git@{host}:{rest}", ref, path.strip("/")
    return ("https://" if scheme in ("", "git@") else scheme) + repo, ref, path.strip("/")


def _read(path: Path, shown: str) -> dict[str, Any]:
    try:
        data = load(path.read_text(encoding="utf-8"), source=shown)
    except (OSError, UnicodeDecodeError) as err:
        raise AppError(f"{shown}: cannot read: {err}", location=Location(file=shown)) from None
    except GoYamlError as err:
        raise AppError(f"{shown}: {err.message}", location=Location(file=shown)) from None
    return data if isinstance(data, dict) else {}


def scan_kustomizations(start: Path, root: Path, pulls: list[ChartPull] | None = None) -> list[RemoteBase]:
    """Every remote base reachable from the kustomization in `start` through local folders of `root`;
    raises AppError for a local entry that leaves `root` (by its name or a symlink). With `pulls`, the
    `helmCharts` these kustomizations would pull are added to it."""
    remotes: list[RemoteBase] = []
    queued = {os.path.realpath(start)}  # each real folder read once, so a cycle of bases ends
    pending = [start]
    while pending:
        folder = pending.pop()
        kustomization = find_kustomization(folder)
        if kustomization is None:
            continue
        shown = kustomization.relative_to(root).as_posix()
        data = _read(kustomization, shown)
        if pulls is not None:
            pulls.extend(_chart_pulls(data, folder, root, shown))
        for field in REFERENCE_FIELDS:
            entries = data.get(field) or []
            for entry in entries if isinstance(entries, list) else []:
                if not isinstance(entry, str):
                    continue
                local = Path(os.path.normpath(folder / entry))
                if not local.exists():
                    remote = parse_remote(entry)
                    if remote is not None:
                        remotes.append(RemoteBase(entry, shown, *remote))
                    continue  # else kustomize reports the missing path itself
                if not lexically_inside(local, root):
                    raise AppError(
                        f"{shown}: {field} entry {entry!r} resolves outside the repository",
                        location=Location(file=shown),
                    )
                try:
                    check_file(root, local)
                except OutOfBoundsSymlinkError as err:
                    raise AppError(
                        f"{shown}: {field} entry {entry!r}: {err.message}", location=Location(file=shown)
                    ) from None
                if local.is_dir() and os.path.realpath(local) not in queued:
                    if len(queued) >= _MAX_KUSTOMIZATIONS:
                        raise AppError(f"more than {_MAX_KUSTOMIZATIONS} kustomizations reached from {start.name}")
                    queued.add(os.path.realpath(local))
                    pending.append(local)
    return remotes
