"""`render_chart`: the whole of `helm template` as a library call, in Helm's order of steps and errors.

The steps mirror `helm template` → `runInstall` → `Install.RunWithContext` → `renderResources`, so that the
first failing step is the one whose error Helm would print, with Helm's text. Errors raised while
rendering resources get Helm's `Use --debug flag …` hint, as Helm appends it once a release exists.
"""

from __future__ import annotations

import contextlib
import os
import posixpath
import re
from dataclasses import dataclass, field
from typing import Any

from wavecd.helm.chart import Chart
from wavecd.helm.coalesce import CoalesceError, coalesce_values
from wavecd.helm.compat import MODES, HelmCompat
from wavecd.helm.dependencies import is_compatible_range, missing_dependencies, process_dependencies
from wavecd.helm.engine import Renderable, RenderFailure, render_templates
from wavecd.helm.errors import DEBUG_HINT, HelmError
from wavecd.helm.helmlog import HelmLog
from wavecd.helm.loader import LoadError, load_chart
from wavecd.helm.manifests import ManifestError, sort_manifests
from wavecd.helm.objects import (
    Capabilities,
    Files,
    KubeVersion,
    KubeVersionError,
    chart_object,
    make_capabilities,
    parse_kube_version,
    release_object,
)
from wavecd.helm.output import ShowOnlyError, release_manifest, template_stdout
from wavecd.helm.time_limit import render_timeout
from wavecd.helm.user_values import UserValuesError, ValueOptions, merge_user_values
from wavecd.helm.values_path import NoValue, table

_RELEASE_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_RELEASE_NAME_ERROR = (
    "invalid release name, must match regex ^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$ "
    "and the length must not be longer than 53"
)


@dataclass
class RenderOptions:
    """The flags of `helm template` that change its output."""

    release_name: str | None = None
    namespace: str = "default"
    kube_version: str | None = None
    api_versions: list[str] = field(default_factory=list)
    include_crds: bool = False
    skip_crds: bool = False
    skip_tests: bool = False
    no_hooks: bool = False
    is_upgrade: bool = False
    show_only: list[str] = field(default_factory=list)
    skip_schema_validation: bool = False
    name_template: str | None = None
    generate_name: bool = False
    values: ValueOptions = field(default_factory=ValueOptions)
    helm_compat: str = "v4"
    render_timeout: float | None = None  # seconds; None: `time_limit.render_timeout`'s default


@dataclass
class RenderResult:
    """What `helm template` prints: its stdout and the warnings it writes to stderr."""

    stdout: str
    warnings: list[str] = field(default_factory=list)


def _fail(
    text: str, *, hint: bool = False, log: list[str] | None = None, context: list[str] | None = None
) -> HelmError:
    return HelmError("Error: " + text + (DEBUG_HINT if hint else ""), log_lines=log, context=context)


def _slog_error(msg: str, error: str) -> str:
    escaped = error.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'level=ERROR msg="{msg}" error="{escaped}"'


def render_chart(chart_path: str, options: RenderOptions) -> RenderResult:
    """Render like `helm template [NAME] CHART`; raise HelmError with Helm's stderr text on failure.

    Warnings Helm would have logged before failing come first in the error's `log_lines`.
    """
    warnings: list[str] = []
    try:
        return _render(chart_path, options, warnings)
    except HelmError as exc:
        exc.log_lines[:0] = warnings
        raise


def _locate(chart_path: str) -> None:
    """LocateChart for local paths; anything else would be a repository reference, which needs a network."""
    if os.path.exists(chart_path):
        return
    if os.path.isabs(chart_path) or chart_path.startswith("."):
        raise _fail(f'path "{chart_path}" not found')
    if "/" not in chart_path:
        raise _fail(f"non-absolute URLs should be in form of repo_name/path_to_chart, got: {chart_path}")
    if "://" in chart_path:
        raise _fail(f'path "{chart_path}" not found', context=["wavecd renders local charts only"])
    raise _fail(f"repo {chart_path.split('/', 1)[0]} not found")


def _render(chart_path: str, options: RenderOptions, warnings: list[str]) -> RenderResult:
    compat = MODES[options.helm_compat]
    kube: KubeVersion | None = None
    if options.kube_version:
        try:
            kube = parse_kube_version(options.kube_version, compat)
        except KubeVersionError as exc:
            raise _fail(f"invalid kube version '{options.kube_version}': {exc}") from None
    name = _release_name(options)
    _locate(chart_path)
    try:
        user_values = merge_user_values(options.values, helm_major=compat.major)
    except UserValuesError as exc:
        raise _fail(str(exc)) from None
    try:
        chart = load_chart(chart_path, helm_major=compat.major, warnings=warnings)
    except LoadError as exc:
        raise _fail(str(exc)) from None
    if chart.metadata.type not in ("", "application"):
        raise _fail(f"{chart.metadata.type} charts are not installable")
    if chart.metadata.deprecated:
        warnings.append(
            "WARNING: This chart is deprecated" if compat.major < 4 else 'level=WARN msg="this chart is deprecated"'
        )
    missing = missing_dependencies(chart)
    if missing:
        lead = "an error occurred" if compat.major >= 4 else "An error occurred"
        q = compat.dependency_build_quote
        raise _fail(
            f"{lead} while checking for chart dependencies. You may need to run {q}helm dependency build{q} to "
            f"fetch missing dependencies: found in Chart.yaml, but missing in charts/ directory: {', '.join(missing)}"
        )
    _check_release_name(name, compat)
    try:
        process_dependencies(chart, user_values, HelmLog(compat.major, warnings), compat)
    except CoalesceError as exc:
        if compat.major >= 4:
            raise _fail(
                f"chart dependencies processing failed: {exc}",
                log=[_slog_error("chart dependencies processing failed", str(exc))],
            ) from None
        raise _fail(str(exc)) from None
    caps = make_capabilities(compat, kube, options.api_versions)
    values = _render_values(chart, user_values, options, compat, HelmLog(compat.major, warnings))
    values_type = _values_type(compat)
    top = values_type(
        {
            "Chart": chart_object(chart, compat),
            "Capabilities": caps,
            "Release": release_object(name, options.namespace, options.is_upgrade),
            "Values": values_type(values),
        }
    )
    stdout = _render_resources(chart, top, caps, options, compat, warnings)
    return RenderResult(stdout=stdout, warnings=warnings)


def _values_type(compat: HelmCompat) -> type[dict[str, Any]]:
    """Helm's `Values` map type (`chartutil.Values` / `common.Values`, with its methods): the type of `.`,
    `.Values` and `.Template`, which `typeOf` and Go's error texts name. A subchart gets a copy, as Go's
    table lookup does not share the parent's map type."""
    from wavecd.helm.objects import values_type

    return values_type(compat)


def _release_name(options: RenderOptions) -> str:
    if options.release_name is not None:
        if options.generate_name:
            raise _fail("cannot set --generate-name and also specify a name")
        if options.name_template:
            raise _fail("cannot set --name-template and also specify a name")
        return options.release_name
    if options.name_template:
        return _template_name(options.name_template)
    return "release-name"


def _template_name(name_template: str) -> str:
    """TemplateName: the --name-template text executed with Sprig and no data."""
    from wavecd.gotemplate import TemplateExecError, TemplateParseError, TemplateSet
    from wavecd.gotemplate.errors import wavecd_bug
    from wavecd.sprig import sprig_functions

    ts = TemplateSet(sprig_functions(), name="name-template")
    try:
        ts.parse("name-template", name_template)
        return ts.execute("name-template", None)
    except (TemplateParseError, TemplateExecError) as exc:
        bug = wavecd_bug(exc)
        if bug is not None:
            raise bug from None
        raise _fail(exc.message) from None


def _check_release_name(name: str, compat: HelmCompat) -> None:
    if name and len(name) <= 53 and _RELEASE_NAME.match(name):
        return
    text = f'release name "{name}": {_RELEASE_NAME_ERROR}' if name else "no name provided"
    if compat.major >= 4:
        raise _fail(f"release name check failed: {text}", log=[_slog_error("release name check failed", text)])
    raise _fail(text)


def _render_values(
    chart: Chart, user_values: dict[str, Any], options: RenderOptions, compat: HelmCompat, log: HelmLog
) -> Any:
    try:
        values = coalesce_values(chart, user_values, log, compat.drops_default_nulls)
    except CoalesceError as exc:
        raise _fail(str(exc)) from None
    if not options.skip_schema_validation:
        from wavecd.helm.schema import validate_chart_values

        problems = validate_chart_values(chart, values, helm_major=compat.major)
        if problems:
            raise _fail("values don't meet the specifications of the schema(s) in the following chart(s):\n" + problems)
    return values


def collect_templates(
    chart: Chart, parent: dict[str, Any], out: dict[str, Renderable], compat: HelmCompat
) -> dict[str, Any]:
    """recAllTpls: the per-chart contexts and every renderable template of the tree."""
    subcharts: dict[str, Any] = {}
    values_type = _values_type(compat)
    ctx: dict[str, Any] = values_type(
        {
            "Chart": chart_object(chart, compat),
            "Files": Files.of(chart.files),
            "Release": parent["Release"],
            "Capabilities": parent["Capabilities"],
            "Values": values_type(),
            "Subcharts": subcharts,
        }
    )
    if chart.is_root:
        ctx["Values"] = parent["Values"]
    else:
        with contextlib.suppress(NoValue):
            ctx["Values"] = values_type(table(parent, "Values." + chart.name))
    for child in chart.dependencies:
        subcharts[child.name] = collect_templates(child, ctx, out, compat)
    prefix = chart.full_path()
    base = posixpath.join(prefix, "templates")
    library = chart.is_library
    for t in chart.templates:
        if library and not posixpath.basename(t.name).startswith("_"):
            continue
        out[posixpath.join(prefix, t.name)] = Renderable(t.data.decode("utf-8", errors="surrogateescape"), ctx, base)
    return ctx


def _render_resources(
    chart: Chart,
    top: dict[str, Any],
    caps: Capabilities,
    options: RenderOptions,
    compat: HelmCompat,
    warnings: list[str],
) -> str:
    kube_req = chart.metadata.kube_version
    if kube_req and not is_compatible_range(kube_req, caps.KubeVersion.String(), compat.semver_lib):
        shown = caps.KubeVersion.Version if compat.major >= 4 else caps.KubeVersion.String()
        raise _fail(f"chart requires kubeVersion: {kube_req} which is incompatible with Kubernetes {shown}", hint=True)
    templates: dict[str, Renderable] = {}
    collect_templates(chart, top, templates, compat)
    try:
        files = render_templates(compat, templates, render_timeout(options.render_timeout))
    except RenderFailure as exc:
        raise _fail(exc.text, hint=True) from None
    files = {k: v for k, v in files.items() if not k.endswith("NOTES.txt")}
    from wavecd.helm.heads import head_parser

    try:
        log = HelmLog(compat.major, warnings)
        hooks, manifests = sort_manifests(
            files, compat.install_order, head_parser(compat), log, compat.keeps_trailing_whitespace
        )
    except ManifestError as exc:
        raise _fail(str(exc), hint=True) from None
    crds = [(path, f.data) for path, f in chart.crd_objects()] if options.include_crds else []
    manifest = release_manifest(crds, manifests)
    try:
        return template_stdout(
            manifest,
            hooks,
            no_hooks=options.no_hooks,
            skip_tests=options.skip_tests,
            show_only=options.show_only,
            keep_trailing_whitespace=compat.keeps_trailing_whitespace,
        )
    except ShowOnlyError as exc:
        raise _fail(str(exc)) from None
