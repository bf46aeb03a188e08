"""Rendering one Application: its sources fetched through the resolver, then each rendered in order.

Split in two so the expensive half can run in another process: `resolve_app` asks the resolver where
every source is (cheap, I/O through `sources`) and yields a picklable `RenderJob`; `run_job` renders it
(Helm or a manifest folder) and returns the objects in source order, before Argo CD's normalisation.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from wavecd.apps.directory_source import directory_objects
from wavecd.apps.errors import AppError
from wavecd.apps.helm_dependencies import with_dependencies
from wavecd.apps.helm_source import RenderSettings, helm_options, location_of, values_text
from wavecd.apps.model import Application, AppSource
from wavecd.apps.yamldocs import load_objects
from wavecd.core import Location, WavecdError
from wavecd.helm.errors import RenderTimeLimitExceeded
from wavecd.sources.boundary import check_file, check_folder

KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")


class Resolver(Protocol):
    """The part of `wavecd.sources.SourceResolver` an app render needs."""

    def git_tree(self, repo_url: str, revision: str) -> Any: ...

    def chart(self, repo_url: str, chart: str, version: str) -> Any: ...

    def dependency_charts(self) -> Any: ...


@dataclass(frozen=True)
class ResolvedSource:
    """One source, located: `kind` is how it renders, `label` how the tree shows it."""

    source: AppSource
    kind: str  # "helm", "directory" or "ref" (values only)
    label: str  # "oci-chart", "git-chart", "directory", "ref"
    revision: str
    app_path: Path | None = None
    repo_root: Path | None = None
    worktree: bool = False
    chart_dir: Path | None = None  # a copy of the chart with its dependencies built, rendered instead of app_path


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
    warnings: list[str] = field(default_factory=list)
    error: str | None = None
    error_location: str | None = None
    # False for a failure that depends on the machine (the render time limit): a cache must not keep it
    cacheable: bool = True


def _git_source(source: AppSource, resolver: Resolver, app: Application) -> ResolvedSource:
    tree = resolver.git_tree(source.repo_url, source.target_revision)
    root = Path(tree.root)
    if source.is_ref_only:
        return ResolvedSource(source, "ref", "ref", tree.revision, None, root, tree.worktree)
    app_path = Path(os.path.normpath(root / source.path))
    where = location_of(app, source)
    if not (str(app_path) + "/").startswith(str(root).rstrip("/") + "/"):
        raise AppError(f"{source.path}: app path is outside the repository", location=where)
    check_file(root, app_path)
    if not app_path.exists():
        raise AppError(f"{source.path}: app path does not exist", location=where)
    if not app_path.is_dir():
        raise AppError(f"{source.path}: app path is not a directory", location=where)
    check_folder(root, app_path)
    if source.other_tool:
        raise AppError(f"{source.other_tool} sources are not rendered by wavecd", location=where)
    explicit = [name for name, spec in (("helm", source.helm), ("directory", source.directory)) if spec is not None]
    if len(explicit) > 1:
        raise AppError("multiple application sources defined: Helm,Directory", location=where)
    if explicit:
        kind = explicit[0]
    elif (app_path / "Chart.yaml").is_file():
        kind = "helm"
    elif any((app_path / name).is_file() for name in KUSTOMIZATION_FILES):
        raise AppError("Kustomize sources are not rendered by wavecd", location=where)
    else:
        kind = "directory"
    label = "git-chart" if kind == "helm" else "directory"
    return ResolvedSource(source, kind, label, tree.revision, app_path, root, tree.worktree)


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
                item = _git_source(source, resolver, app)
                resolved.append(with_dependencies(item, app, resolver, settings.helm_compat))
        except AppError:
            raise
        except WavecdError as err:
            raise AppError(err.message, location=location_of(app, source), context=err.context) from None
    refs = tuple(
        ("$" + r.source.ref, r.repo_root)
        for r in resolved
        if app.multi_source and r.source.ref and r.repo_root is not None
    )
    return RenderJob(app, tuple(resolved), refs, settings)


def _render_helm(job: RenderJob, item: ResolvedSource) -> list[dict[str, Any]]:
    from wavecd.helm.render import render_chart

    assert item.app_path is not None and item.repo_root is not None
    helm = item.source.helm
    if helm is not None and (helm.values_object is not None or helm.values):
        # Argo CD writes `values`/`valuesObject` to a temporary file passed as the last --values.
        with tempfile.NamedTemporaryFile("w", suffix=".yaml", prefix="wavecd-values-", encoding="utf-8") as fh:
            fh.write(values_text(helm))
            fh.flush()
            return _helm_run(job, item, render_chart, Path(fh.name))
    return _helm_run(job, item, render_chart, None)


def _helm_run(
    job: RenderJob, item: ResolvedSource, render_chart: Any, values_file: Path | None
) -> list[dict[str, Any]]:
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
    return load_objects(result.stdout, f"{item.source.chart or item.source.path} (rendered)")


def run_job(job: RenderJob) -> RenderOutput:
    """Render every source of the job in order; the first failure becomes the output's error."""
    output = RenderOutput()
    for item in job.sources:
        if item.kind == "ref":
            continue
        try:
            if item.kind == "helm":
                output.objects.extend(_render_helm(job, item))
            else:
                assert item.app_path is not None
                output.objects.extend(directory_objects(item.app_path, item.source.directory))
        except WavecdError as err:
            where = location_of(job.app, item.source)
            if err.location is not None and err.location.file:
                where = Location(
                    app=where.app,
                    repo=where.repo,
                    revision=where.revision,
                    file=f"{where.file}/{err.location.file}",
                    line=err.location.line,
                )
            output.error = "\n".join([err.message, *err.context]).rstrip()
            output.cacheable = not isinstance(err, RenderTimeLimitExceeded)
            output.error_location = str(where)
            output.objects = []
            break
    return output
