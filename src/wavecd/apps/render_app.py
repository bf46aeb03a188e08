"""Rendering one Application: its sources fetched through the resolver, then each rendered in order.

Split in two so the expensive half can run in another process: `resolve_app` asks the resolver where
every source is (cheap, I/O through `sources`) and yields a picklable `RenderJob`; `run_job` renders it
(Helm or a manifest folder) and returns the objects in source order, before Argo CD's normalisation,
each with its origin: the source it came from and the file (and line, for a plain YAML file) in that
source's repository, which `wavecd lint` names. Helm's origin is its `# Source:` framing, read from the
part already split; a folder's is the file read. Kustomize and plugins yield no origin (the file declaring
the app stands in).
"""

from __future__ import annotations

import os
import posixpath
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from wavecd.apps.build_env import build_env
from wavecd.apps.directory_source import directory_objects_at
from wavecd.apps.errors import AppError
from wavecd.apps.helm_dependencies import with_dependencies
from wavecd.apps.helm_source import RenderSettings, helm_options, location_of, values_text
from wavecd.apps.jsonnet_source import JsonnetContext
from wavecd.apps.kustomize_charts import PulledChart
from wavecd.apps.kustomize_source import (
    KustomizeRun,
    RemoteLink,
    check_kustomize,
    find_tool,
    helm_enabled,
    kustomize_binary,
    kustomize_objects,
    locate_remotes,
)
from wavecd.apps.model import Application, AppSource
from wavecd.apps.plugin_source import discover_plugin, plugin_objects, select_plugin
from wavecd.apps.source_overrides import with_overrides
from wavecd.apps.source_type import explicit_type, file_type
from wavecd.apps.tool_run import ToolTimeout
from wavecd.apps.yamldocs import load_objects_at
from wavecd.core import Location, WavecdError
from wavecd.core.paths import lexically_inside
from wavecd.helm.errors import RenderTimeLimitExceeded
from wavecd.sources.boundary import check_file, check_folder

# (index of the app source, file relative to that source's repository, 1-based line or None): where a
# rendered object was written
Origin = tuple[int, str, int | None]
_SOURCE = re.compile(r"^# Source: [^/\n]+/(.+)$", re.MULTILINE)


class Resolver(Protocol):
    """The part of `wavecd.sources.SourceResolver` an app render needs."""

    def git_tree(self, repo_url: str, revision: str, needs: Sequence[str] = ()) -> Any: ...

    def chart(self, repo_url: str, chart: str, version: str) -> Any: ...

    def dependency_charts(self) -> Any: ...


@dataclass(frozen=True)
class ResolvedSource:
    """One source, located: `kind` is how it renders, `label` how the tree shows it."""

    source: AppSource
    kind: str  # "helm", "kustomize", "plugin", "directory" or "ref" (values only)
    label: str  # "oci-chart", "git-chart", "kustomize", "plugin", "directory", "ref"
    revision: str
    app_path: Path | None = None
    repo_root: Path | None = None
    worktree: bool = False
    chart_dir: Path | None = None  # a copy of the chart with its dependencies built, rendered instead of app_path
    trees: tuple[Path, ...] = ()  # kustomize: the repository, then the trees of its remote bases
    links: tuple[RemoteLink, ...] = ()  # kustomize: the remote bases, located in `trees`
    charts: tuple[PulledChart, ...] = ()  # kustomize: the `helmCharts` it would pull, fetched by wavecd
    tool: str = ""  # kustomize: its version; plugin: its name
    origin: Path | None = None  # git: the mapped folder `repo_root` was exported from (None: read in place)


@dataclass(frozen=True)
class RenderJob:
    """Everything rendering one Application needs, as plain picklable data."""

    app: Application
    sources: tuple[ResolvedSource, ...]
    refs: tuple[tuple[str, Path], ...]
    settings: RenderSettings

    @property
    def source_label(self) -> str:
        rendered = [s.label for s in self.sources if s.kind != "ref"]
        return rendered[0] if rendered else "ref"


@dataclass
class RenderOutput:
    objects: list[dict[str, Any]] = field(default_factory=list)
    origins: list[Origin | None] = field(default_factory=list)  # one per object
    warnings: list[str] = field(default_factory=list)
    error: str | None = None
    error_location: str | None = None
    # False for a failure that depends on the machine (the render time limit): a cache must not keep it
    cacheable: bool = True


def _needs(source: AppSource) -> list[str]:
    """What a git source reads of its repository, should git fail to give the whole commit: its folder,
    and the value and file-parameter files it names there (a glob by the folder it starts in; a `$ref`
    file lies in another source's tree; kustomize bases and Jsonnet imports are not known before the
    render, so those apps need the rest of the commit to be readable)."""
    if source.is_ref_only:
        return []
    needs = [posixpath.normpath(source.path or ".")]
    helm = source.helm
    for raw in (*helm.value_files, *(p for _, p in helm.file_parameters)) if helm is not None else ():
        if raw.startswith("$") or "://" in raw:
            continue
        path = posixpath.normpath(raw.lstrip("/") if raw.startswith("/") else posixpath.join(source.path, raw))
        literal = path.split("*")[0].split("?")[0].split("[")[0]
        if literal != path:
            path = posixpath.dirname(literal) or "."
        if path != ".." and not path.startswith("../"):
            needs.append(path)
    return needs


def _git_source(source: AppSource, resolver: Resolver, app: Application, settings: RenderSettings) -> ResolvedSource:
    tree = resolver.git_tree(source.repo_url, source.target_revision, _needs(source))
    root = Path(tree.root)
    if source.is_ref_only:
        return ResolvedSource(source, "ref", "ref", tree.revision, None, root, tree.worktree, origin=tree.origin)
    app_path = Path(os.path.normpath(root / source.path))
    where = location_of(app, source)
    if not lexically_inside(app_path, root):
        raise AppError(f"{source.path}: app path is outside the repository", location=where)
    check_file(root, app_path)
    if not app_path.exists():
        raise AppError(f"{source.path}: app path does not exist", location=where)
    if not app_path.is_dir():
        raise AppError(f"{source.path}: app path is not a directory", location=where)
    check_folder(root, app_path)
    source = with_overrides(source, app.name, app_path, where)
    allowed = settings.allow_exec
    kind = explicit_type(source) or (
        "plugin" if discover_plugin(settings.plugins, app_path, root, allowed) else file_type(app_path)
    )
    if kind == "kustomize":
        check_kustomize(settings.kustomize, source.kustomize, allowed)
        pull = helm_enabled(settings.kustomize.build_options)
        trees, links, charts = locate_remotes(app_path, root, resolver, pull_charts=pull)
        version = find_tool(*kustomize_binary(settings.kustomize, source.kustomize)).version
        return ResolvedSource(
            source,
            kind,
            "kustomize",
            tree.revision,
            app_path,
            root,
            tree.worktree,
            trees=trees,
            links=links,
            charts=charts,
            tool=version,
            origin=tree.origin,
        )
    if kind == "plugin":
        plugin = select_plugin(settings.plugins, source.plugin, app_path, root, allowed)
        return ResolvedSource(
            source, kind, "plugin", tree.revision, app_path, root, tree.worktree, tool=plugin.name, origin=tree.origin
        )
    label = "git-chart" if kind == "helm" else "directory"
    return ResolvedSource(source, kind, label, tree.revision, app_path, root, tree.worktree, origin=tree.origin)


def _within(where: Location, err: WavecdError) -> Location:
    """The source's location, narrowed to the file (relative to the source's folder) the error names."""
    if err.location is None or not err.location.file:
        return where
    return Location(
        app=where.app,
        repo=where.repo,
        revision=where.revision,
        file=posixpath.normpath(f"{where.file}/{err.location.file}") if where.file else err.location.file,
        line=err.location.line,
    )


def resolve_app(app: Application, resolver: Resolver, settings: RenderSettings) -> RenderJob:
    """Locate every source of `app`; raises a WavecdError naming the app and source that failed."""
    resolved = []
    for source in app.sources:
        try:
            if source.is_chart:
                chart = resolver.chart(source.repo_url, source.chart, source.target_revision)
                path = Path(chart.path)
                resolved.append(ResolvedSource(source, "helm", "oci-chart", chart.version, path, path.parent))
            else:
                item = _git_source(source, resolver, app, settings)
                resolved.append(with_dependencies(item, app, resolver, settings.helm_compat))
        except AppError as err:
            if err.location is not None and err.location.app:
                raise
            raise AppError(err.message, location=_within(location_of(app, source), err), context=err.context) from None
        except WavecdError as err:
            raise AppError(err.message, location=location_of(app, source), context=err.context) from None
    refs = tuple(
        ("$" + r.source.ref, r.repo_root)
        for r in resolved
        if app.multi_source and r.source.ref and r.repo_root is not None
    )
    return RenderJob(app, tuple(resolved), refs, settings)


Rendered = list[tuple[Origin | None, dict[str, Any]]]


def _repository_prefix(item: ResolvedSource) -> str | None:
    """What turns a path relative to the app's folder into one relative to its repository (`""` or
    `folder/`); None for a chart from a registry, which is in no repository of the user's."""
    if item.label == "oci-chart" or item.app_path is None or item.repo_root is None:
        return None
    folder = item.app_path.relative_to(item.repo_root).as_posix()
    return "" if folder == "." else f"{folder}/"


def _render_helm(job: RenderJob, item: ResolvedSource, index: int) -> Rendered:
    from wavecd.helm.render import render_chart

    assert item.app_path is not None and item.repo_root is not None
    helm = item.source.helm
    if helm is not None and (helm.values_object is not None or helm.values):
        # Argo CD writes `values`/`valuesObject` to a temporary file passed as the last --values.
        with tempfile.NamedTemporaryFile("w", suffix=".yaml", prefix="wavecd-values-", encoding="utf-8") as fh:
            fh.write(values_text(helm))
            fh.flush()
            return _helm_run(job, item, index, render_chart, Path(fh.name))
    return _helm_run(job, item, index, render_chart, None)


def _helm_run(
    job: RenderJob, item: ResolvedSource, index: int, render_chart: Any, values_file: Path | None
) -> Rendered:
    assert item.app_path is not None and item.repo_root is not None
    options = helm_options(
        job.app,
        item.source,
        app_path=item.app_path,
        repo_root=item.repo_root,
        refs=dict(job.refs),
        settings=job.settings,
        values_file=values_file,
    )
    result = render_chart(str(item.chart_dir or item.app_path), options)
    rendered: Rendered = []
    prefix = _repository_prefix(item)
    template: str | None = None  # a template yielding several documents frames only the first
    for _line, part, obj in load_objects_at(result.stdout, f"{item.source.chart or item.source.path} (rendered)"):
        framed = _SOURCE.search(part) if prefix is not None else None
        if prefix is not None and framed is not None:
            template = prefix + framed.group(1).rstrip("\r")
        rendered.append(((index, template, None) if template else None, obj))
    return rendered


def _render_tool(job: RenderJob, item: ResolvedSource, index: int) -> Rendered:
    """A source rendered by something other than wavecd's Helm engine: kustomize, a plugin, a folder."""
    assert item.app_path is not None and item.repo_root is not None
    env = build_env(job.app, item.source, item.revision)
    if item.kind == "kustomize":
        settings = job.settings
        built = kustomize_objects(
            KustomizeRun(
                job.app,
                item.source,
                item.revision,
                item.app_path,
                item.trees,
                item.links,
                settings.kustomize,
                settings.kube_version,
                settings.api_versions,
                settings.helm_compat,
                item.charts,
            )
        )
        return [(None, obj) for obj in built]
    if item.kind == "plugin":
        plugin = next(p for p in job.settings.plugins if p.name == item.tool)
        generated = plugin_objects(plugin, item.source, item.app_path, item.repo_root, env, job.settings)
        return [(None, obj) for obj in generated]
    jsonnet = JsonnetContext(item.repo_root, env, job.settings.timeout)
    read = directory_objects_at(item.app_path, item.source.directory, jsonnet)
    prefix = _repository_prefix(item) or ""
    return [((index, prefix + file, line), obj) for file, line, obj in read]


def _in_user_folders(text: str, job: RenderJob) -> str:
    """`text` with each exported tree's cache path replaced by the user's folder it was read from: a
    missing values file is looked for in the user's repository, not in wavecd's cache."""
    for item in job.sources:
        if item.origin is not None and item.repo_root is not None:
            text = text.replace(str(item.repo_root), str(item.origin))
    return text


def run_job(job: RenderJob) -> RenderOutput:
    """Render every source of the job in order; the first failure becomes the output's error."""
    output = RenderOutput()
    for index, item in enumerate(job.sources):  # one per `job.app.sources`, in order
        if item.kind == "ref":
            continue
        try:
            render = _render_helm if item.kind == "helm" else _render_tool
            rendered = render(job, item, index)
            output.objects.extend(obj for _origin, obj in rendered)
            output.origins.extend(origin for origin, _obj in rendered)
        except WavecdError as err:
            where = _within(location_of(job.app, item.source), err)
            output.error = _in_user_folders("\n".join([err.message, *err.context]).rstrip(), job)
            output.cacheable = not isinstance(err, (RenderTimeLimitExceeded, ToolTimeout))
            output.error_location = str(where)
            output.objects, output.origins = [], []
            break
    return output
