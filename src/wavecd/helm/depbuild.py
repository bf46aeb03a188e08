"""`helm dependency build` and `helm dependency update` of a chart folder, done into a copy.

Argo CD's repo-server runs `helm dependency build` when `helm template` fails because a dependency Chart.yaml
declares is not in `charts/`, and `helm template --dependency-update` runs `helm dependency update` in the
same case. Both are Helm's `downloader.Manager`: repository names resolved (`@name`/`alias:name`), then with
`build` the versions of `Chart.lock` when its digest matches the dependencies (else Helm's out-of-sync
error), without a lock file (or with `update`) the highest version each constraint accepts, and the archives
saved in `charts/`, replacing the outdated ones. Here the archives come from a `DependencyCharts` (wavecd's
`sources`, with its mirrors, credentials, cache and `--offline`), and the result is a copy of the chart in
the cache, named by the digest of everything in it: the user's folder is never written. Helm's error texts
are kept; this package never talks to a network itself.
"""

from __future__ import annotations

import copy
import gzip
import hashlib
import io
import os
import re
import shutil
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol

from wavecd.core import WavecdError
from wavecd.core.paths import is_inside, outside_link
from wavecd.core.private_files import cache_root, make_private_folder, restrict_tree
from wavecd.helm.chart import Chart, ChartFile, Dependency
from wavecd.helm.compat import HelmCompat
from wavecd.helm.dependencies import missing_dependencies
from wavecd.helm.loader import LoadError, load_archive_file, load_chart, load_files, read_dir

if TYPE_CHECKING:
    from wavecd.semver.constraints import Constraints

__all__ = [
    "DependencyBuildError",
    "DependencyCharts",
    "build_dependencies",
    "lock_digest",
    "needs_dependency_build",
]

Miss = Literal["chart", "version"]


class DependencyCharts(Protocol):
    """Where a dependency's archive comes from (wavecd's `sources`)."""

    def repository_named(self, name: str) -> str | None:
        """The URL of the repository wavecd.yaml names `name` (`@name`, `alias:name`), None if none does."""
        ...

    def fetch(self, repository: str, chart: str, version: str) -> tuple[str, str] | Miss:
        """(the version chosen, the local path of its archive) for the highest version of `chart` in
        `repository` that `version` (a version or a constraint) accepts; "chart" when the repository has no
        chart of that name, "version" when no version fits. Other failures raise a WavecdError."""
        ...


class DependencyBuildError(WavecdError):
    """A dependency could not be had; `message` is Helm's own text."""


@dataclass(frozen=True)
class _Saved:
    """An archive to put into `charts/` under `name`."""

    name: str
    path: Path


def needs_dependency_build(chart_dir: str, *, helm_major: int) -> bool:
    """Whether `helm template` of the chart folder would fail for a dependency missing from `charts/`: the
    only failure on which Argo CD builds dependencies. A chart that does not load is left to the render."""
    if not os.path.isdir(chart_dir) or not _declares_dependencies(chart_dir):
        return False
    if _all_present(chart_dir):
        return False
    try:
        chart = load_chart(chart_dir, helm_major=helm_major, warnings=[])
    except (LoadError, OSError):
        return False
    return bool(missing_dependencies(chart))


def _declares_dependencies(chart_dir: str) -> bool:
    """A cheap first look, so that the common chart without dependencies is never loaded twice."""
    for name in ("Chart.yaml", "requirements.yaml"):
        try:
            with open(os.path.join(chart_dir, name), "rb") as fh:
                if b"dependencies" in fh.read():
                    return True
        except OSError:
            continue
    return False


def _all_present(chart_dir: str) -> bool:
    """Whether `charts/` plainly holds every declared dependency (a folder `charts/<name>` or an archive
    `charts/<name>-<version>.tgz`), so that a chart with vendored dependencies is not loaded an extra time on
    every walk. Anything less plain is decided by loading the chart as Helm does."""
    from wavecd.helm.metadata import MetadataError, decode_metadata
    from wavecd.helm.values_io import ValuesError, read_yaml_document

    try:
        with open(os.path.join(chart_dir, "Chart.yaml"), "rb") as fh:
            document = read_yaml_document(fh.read())
        names = [d.name for d in decode_metadata(document).dependencies or [] if d is not None]
        present = os.listdir(os.path.join(chart_dir, "charts"))
    except (OSError, ValuesError, MetadataError, TypeError, AttributeError):
        return False
    if not names or os.path.exists(os.path.join(chart_dir, "requirements.yaml")):
        return False
    return all(
        name in present or any(re.fullmatch(re.escape(name) + r"-v?[0-9][^/]*\.tgz", p) for p in present)
        for name in names
    )


def lock_digest(requested: list[Dependency] | None, locked: list[Dependency] | None) -> str:
    """Helm's `resolver.HashReq`: sha256 of Go's JSON of `[requested, locked]` as `chart.Dependency` values."""
    text = f"[{_dependencies_json(requested)},{_dependencies_json(locked)}]"
    return "sha256:" + hashlib.sha256(text.encode("utf-8", errors="surrogateescape")).hexdigest()


def _dependencies_json(deps: list[Dependency] | None) -> str:
    """A Go slice of `*chart.Dependency`: `null` when nil, a nil element `null` too."""
    if deps is None:
        return "null"
    return "[" + ",".join("null" if d is None else _dependency_json(d) for d in deps) + "]"


def _dependency_json(dep: Dependency) -> str:
    """Go's JSON of one `chart.Dependency`: its fields in declaration order (a struct, not a map), the
    `omitempty` ones left out when empty."""
    from wavecd.goyaml.gojson import marshal

    fields: list[tuple[str, object]] = [("name", dep.name)]
    if dep.version:
        fields.append(("version", dep.version))
    fields.append(("repository", dep.repository))
    for key, value in (
        ("condition", dep.condition),
        ("tags", dep.tags),
        ("enabled", dep.enabled),
        ("import-values", dep.import_values),
        ("alias", dep.alias),
    ):
        if value:
            fields.append((key, value))
    return "{" + ",".join(f"{marshal(key)}:{marshal(value)}" for key, value in fields) + "}"


def build_dependencies(
    chart_dir: str,
    charts: DependencyCharts,
    compat: HelmCompat,
    *,
    update: bool = False,
    root: str | None = None,
    cache_dir: Path | None = None,
) -> str:
    """The folder of a copy of `chart_dir` with its dependencies in `charts/`, as `helm dependency build`
    (`update`: `helm dependency update`) leaves it. `file://` dependencies must stay inside `root` when given
    (the repository the chart was read from). Raises DependencyBuildError with Helm's text."""
    try:
        chart = load_chart(chart_dir, helm_major=compat.major, warnings=[])
    except LoadError as err:
        raise DependencyBuildError(str(err)) from None
    requested = copy.deepcopy(chart.metadata.dependencies or [])
    if not requested:
        return chart_dir
    legacy = chart.metadata.api_version == "v1"
    v2_digest = _v2_digest(requested) if legacy else None
    _resolve_repository_names(requested, charts, chart_dir, root)
    lock = None if update else _read_lock(chart)
    work = _Work(chart_dir, charts, compat, root)
    try:
        if lock is None:
            saved = work.update(requested)
        else:
            digest, locked = lock
            if lock_digest(requested, locked) != digest and not (legacy and v2_digest == digest):
                raise DependencyBuildError(_out_of_sync(legacy, compat))
            saved = work.download([d for d in locked or [] if d is not None])
        local = {d.name for d in requested if not d.repository}
        try:  # what the loader reads, within its limits
            files = read_dir(chart_dir, helm_major=compat.major, warnings=[])
        except LoadError as err:
            raise DependencyBuildError(str(err)) from None
        return str(_materialize(Path(chart_dir).name, files, saved, local, cache_dir or cache_root()))
    finally:
        for path in work.temporaries:
            path.unlink(missing_ok=True)


def _out_of_sync(legacy: bool, compat: HelmCompat) -> str:
    if legacy:
        return (
            "the lock file (requirements.lock) is out of sync with the dependencies file (requirements.yaml). "
            "Please update the dependencies"
        )
    hint = " with 'helm dependency update'" if compat.names_dependency_update else ""
    return (
        "the lock file (Chart.lock) is out of sync with the dependencies file (Chart.yaml). "
        f"Please update the dependencies{hint}"
    )


def _v2_digest(requested: list[Dependency]) -> str:
    """`resolver.HashV2Req`, the digest Helm 2 wrote into requirements.lock, for apiVersion v1 charts."""
    text = '{"dependencies":' + _dependencies_json(requested) + "}"
    return "sha256:" + hashlib.sha256(text.encode("utf-8", errors="surrogateescape")).hexdigest()


def _read_lock(chart: Chart) -> tuple[str, list[Dependency] | None] | None:
    """(digest, dependencies) of the chart's Chart.lock (requirements.lock for v1), None without one. The
    dependencies are None when the key is absent or null: Go's nil slice, which the digest tells from `[]`."""
    from wavecd.helm.metadata import MetadataError, decode_metadata
    from wavecd.helm.values_io import ValuesError, read_yaml_document

    if chart.lock is None:
        return None
    try:
        document = read_yaml_document(chart.lock)
        if not isinstance(document, dict):
            raise ValuesError("the lock file is not a mapping")
        locked = decode_metadata({"dependencies": document.get("dependencies")}).dependencies
    except (ValuesError, MetadataError) as err:
        raise DependencyBuildError(f"cannot load Chart.lock: {err}") from None
    digest = document.get("digest")
    return (digest if isinstance(digest, str) else ""), locked


def _is_request_uri(text: str) -> bool:
    """Go's `url.ParseRequestURI` accepting `text`: an absolute URL (scheme:...) or an absolute path."""
    scheme, colon, _ = text.partition(":")
    return text.startswith("/") or bool(
        colon and scheme and scheme[0].isalpha() and all(c.isalnum() or c in "+-." for c in scheme)
    )


def _resolve_repository_names(
    requested: list[Dependency], charts: DependencyCharts, chart_dir: str, root: str | None
) -> None:
    """`Manager.resolveRepoNames`: `@name`/`alias:name` become the URL of that repository of wavecd.yaml;
    a name no repository has is Helm's "no repository definition" error. Any URL is a repository (wavecd
    needs no `helm repo add`)."""
    missing = []
    for dep in requested:
        repository = dep.repository
        if not repository or repository.startswith("oci://"):
            continue
        if repository.startswith("file://"):
            _local_path(repository, chart_dir, root)
            continue
        alias = next((repository[len(p) :] for p in ("@", "alias:") if repository.startswith(p)), None)
        url = charts.repository_named(alias) if alias is not None else None
        if url is not None:
            dep.repository = url
        elif alias is not None or not _is_request_uri(repository):
            missing.append(repository)
    if missing:
        message = f"no repository definition for {', '.join(missing)}. Please add them via 'helm repo add'"
        if any("//" not in r and not r.startswith(("@", "alias:")) for r in missing):
            message += (
                '\nNote that repositories must be URLs or aliases. For example, to refer to the "example"\n'
                'repository, use "https://charts.example.com/" or "@example" instead of\n'
                "\"example\". Don't forget to add the repo, too ('helm repo add')."
            )
        raise DependencyBuildError(
            message, context=["wavecd: a repository is named by the `name:` of a `registries` entry of wavecd.yaml"]
        )


def _local_path(repository: str, chart_dir: str, root: str | None) -> str:
    """`resolver.GetLocalPath`: relative to the chart folder, or absolute; it must exist, and (wavecd's
    rule for untrusted repositories) stay inside `root`, with every link in it: the folder is archived
    through its links, so one leading out would put any file of the machine into the chart."""
    path = repository.removeprefix("file://")
    full = os.path.abspath(path) if path.startswith("/") else os.path.join(chart_dir, path)
    if root is not None and not is_inside(full, root):
        raise DependencyBuildError(f"dependency {repository}: resolves to outside the repository")
    if not os.path.exists(full):
        raise DependencyBuildError(f"directory {full} not found")
    if root is not None and os.path.isdir(full):
        _check_links(repository, Path(root), Path(full))
    return full


def _check_links(repository: str, root: Path, folder: Path) -> None:
    """Argo CD's out-of-bounds symlink error for a link under a `file://` dependency that leads out."""
    try:
        link = outside_link(root, folder)
    except OSError as err:
        raise DependencyBuildError(f"dependency {repository}: {err.filename}: {err.strerror or err}") from None
    if link is not None:
        shown = os.path.relpath(link, root)
        raise DependencyBuildError(
            f"dependency {repository}: repository contains out-of-bounds symlinks. file: {shown} -> "
            f"{os.readlink(link)} (it leads outside the repository)"
        )


class _Work:
    """The downloads of one build: `Resolver.Resolve` then `Manager.downloadAll`."""

    def __init__(self, chart_dir: str, charts: DependencyCharts, compat: HelmCompat, root: str | None):
        self.chart_dir = chart_dir
        self.charts = charts
        self.compat = compat
        self.root = root
        self.temporaries: list[Path] = []  # archives written for this build, removed after it

    def _constraint(self, dep: Dependency, quote: str = '"') -> Constraints:
        from wavecd.semver import SemverError, parse_constraints

        try:
            return parse_constraints(dep.version, lib=self.compat.semver_lib)
        except SemverError as err:
            raise DependencyBuildError(
                f"dependency {quote}{dep.name}{quote} has an invalid version/constraint format: {err.message}"
            ) from None

    def update(self, requested: list[Dependency]) -> list[_Saved]:
        """`helm dependency update`: each constraint resolved to the highest version that fits."""
        missing: list[str] = []
        saved: list[_Saved] = []
        for dep in requested:
            self._constraint(dep)
            if not dep.repository:
                _local_path(os.path.join("charts", dep.name), self.chart_dir, self.root)
                continue
            if dep.repository.startswith("file://"):
                fits, archived = self._local(dep, quote='"')
                if fits:
                    saved.append(archived)
                else:
                    missing.append(f'"{dep.name}" (repository "{dep.repository}", version "{dep.version}")')
                continue
            found = self.charts.fetch(dep.repository, dep.name, dep.version)
            if found == "chart":
                raise DependencyBuildError(f"{dep.name} chart not found in repo {dep.repository}")
            if found == "version":
                missing.append(f'"{dep.name}" (repository "{dep.repository}", version "{dep.version}")')
                continue
            saved.append(self._fetched(dep.name, *found))
        if missing:
            raise DependencyBuildError(
                f"can't get a valid version for {len(missing)} subchart(s): {', '.join(missing)}. Make sure a "
                "matching chart version exists in the repo, or change the version constraint in Chart.yaml"
            )
        return saved

    def download(self, locked: list[Dependency]) -> list[_Saved]:
        """`Manager.downloadAll` of the locked versions."""
        saved: list[_Saved] = []
        for dep in locked:
            if not dep.repository:
                self._check_vendored(dep)
            elif dep.repository.startswith("file://"):
                fits, archived = self._local(dep, quote="")
                if not fits:
                    raise DependencyBuildError(f"can't get a valid version for dependency {dep.name}")
                saved.append(archived)
            else:
                found = self.charts.fetch(dep.repository, dep.name, dep.version)
                if isinstance(found, str):
                    reason = "entry not found" if found == "chart" else "no matching version"
                    raise DependencyBuildError(
                        f"could not find : {reason}",
                        context=[f"Chart.lock: {dep.name} {dep.version} from {dep.repository}"],
                    )
                saved.append(self._fetched(dep.name, *found))
        return saved

    def _check_vendored(self, dep: Dependency) -> None:
        """A dependency without a repository must already be the folder `charts/<name>`, in its range."""
        from wavecd.semver import SemverError, parse_version

        path = os.path.join(self.chart_dir, "charts", dep.name)
        try:
            sub = load_chart(path, helm_major=self.compat.major, warnings=[])
        except LoadError as err:
            raise DependencyBuildError(f"unable to load chart '{path}': {err}") from None
        constraint = self._constraint(dep, quote="")
        try:
            version = parse_version(sub.metadata.version, lib=self.compat.semver_lib)
        except SemverError as err:
            raise DependencyBuildError(
                f"invalid version {dep.version} for dependency {dep.name}: {err.message}"
            ) from None
        if not constraint.check(version):
            raise DependencyBuildError(
                f"dependency {dep.name} at version {sub.metadata.version} does not satisfy the constraint {dep.version}"
            )

    def _local(self, dep: Dependency, quote: str) -> tuple[bool, _Saved]:
        """`tarFromLocalDir`: the `file://` chart archived, and whether its version is in the dependency's range."""
        from wavecd.semver import SemverError, parse_version

        sub, archived = self._archive_folder(_local_path(dep.repository, self.chart_dir, self.root))
        constraint = self._constraint(dep, quote=quote)
        try:
            return constraint.check(parse_version(sub.metadata.version, lib=self.compat.semver_lib)), archived
        except SemverError as err:
            raise DependencyBuildError(err.message) from None

    def _archive_folder(self, path: str) -> tuple[Chart, _Saved]:
        """A chart folder as `helm package` archives it (its own .helmignore applied), in a temporary file."""
        try:
            files = read_dir(path, helm_major=self.compat.major, warnings=[])
            sub = load_files(files, helm_major=self.compat.major, warnings=[])
        except LoadError as err:
            raise DependencyBuildError(str(err)) from None
        archive = _write_archive(sub.metadata.name, [(f.name, f.data) for f in files])
        self.temporaries.append(archive)
        return sub, _Saved(f"{sub.metadata.name}-{sub.metadata.version}.tgz", archive)

    def _fetched(self, name: str, version: str, path: str) -> _Saved:
        """A fetched dependency as `charts/<name>-<version>.tgz`; a mirror's unpacked folder is archived."""
        if os.path.isdir(path):
            return self._archive_folder(path)[1]
        return _Saved(f"{name}-{version}.tgz", Path(path))


def _write_archive(chart_name: str, files: list[tuple[str, bytes]]) -> Path:
    """A byte-stable `.tgz` of `files` under `<chart_name>/`, in a temporary file the build then copies."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, data in files:
            info = tarfile.TarInfo(f"{chart_name}/{name}")
            info.size, info.mode = len(data), 0o644
            tar.addfile(info, io.BytesIO(data))
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", mtime=0) as gz:
        gz.write(raw.getvalue())
    handle, name = tempfile.mkstemp(prefix="wavecd-dep-", suffix=".tgz")
    with os.fdopen(handle, "wb") as fh:
        fh.write(out.getvalue())
    return Path(name)


def _digest_of(name: str, files: list[ChartFile], saved: list[_Saved]) -> str:
    """The name of a built copy: the chart's folder name (the copy is `<digest>/<name>`, so two folders
    with the same files are two copies), every file of the chart and every archive put into its `charts/`."""
    digest = hashlib.sha256(b"wavecd-built-chart-2\0" + name.encode("utf-8", "surrogateescape") + b"\0")
    for item in files:
        digest.update(item.name.encode("utf-8", "surrogateescape") + b"\0" + hashlib.sha256(item.data).digest())
    for dep in saved:
        digest.update(b"\1" + dep.name.encode() + b"\0" + hashlib.sha256(dep.path.read_bytes()).digest())
    return digest.hexdigest()


def _materialize(name: str, files: list[ChartFile], saved: list[_Saved], local: set[str], cache_dir: Path) -> Path:
    """The built copy: the files Helm's loader reads from the chart folder (its .helmignore applied, within
    its size limits), then `Manager.safeMoveDeps` on `charts/`: the new archives in, and the archives of other
    versions (any chart archive that is not a local dependency) out."""
    try:
        key = _digest_of(name, files, saved)
        folder = cache_dir / "built-charts" / key
        built = folder / name
        if built.is_dir():
            return built
        make_private_folder(folder.parent)
        staging = Path(tempfile.mkdtemp(prefix=f".{key}.", dir=folder.parent))
        try:
            for item in files:
                target = staging / name / item.name
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(item.data)
            _move_dependencies(staging / name / "charts", saved, local)
            restrict_tree(staging)
            try:  # atomic: a reader sees no copy or a whole one; a build that lost the race keeps the winner's
                staging.rename(folder)
            except OSError:
                if not built.is_dir():
                    raise
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    except OSError as err:
        raise DependencyBuildError(f"cannot build the chart's dependencies in the cache {cache_dir}: {err}") from None
    return built


def _move_dependencies(charts: Path, saved: list[_Saved], local: set[str]) -> None:
    if charts.exists() and not charts.is_dir():
        raise DependencyBuildError(f'"{charts}" is not a directory')
    charts.mkdir(exist_ok=True)
    fresh = {item.name for item in saved}
    for entry in sorted(charts.iterdir()):
        if entry.name in fresh or not entry.is_file():
            continue
        try:
            name = load_archive_file(str(entry), warnings=[]).name
        except (LoadError, OSError):
            continue  # "Could not verify … for deletion (Skipping)"
        if name not in local:
            entry.unlink()
    for item in saved:
        shutil.copyfile(item.path, charts / item.name)
