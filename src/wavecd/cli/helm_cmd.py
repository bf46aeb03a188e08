"""`wavecd helm template`: Helm's `helm template`, rendered by wavecd, with helm's stdout and stderr.

Kept lean on purpose (click and wavecd.helm only): its start-up time is part of every render.
"""

from __future__ import annotations

import gc
import os
import sys
from typing import NamedTuple

import click


def _split_commas(values: tuple[str, ...]) -> list[str]:
    """pflag StringSlice: each occurrence is a comma-separated list."""
    import csv

    out: list[str] = []
    for value in values:
        if value == "":
            continue
        out.extend(next(csv.reader([value])))
    return out


def _write(stream_name: str, text: str) -> None:
    """Exact bytes: Helm's output may carry bytes that are not UTF-8 (kept as surrogates)."""
    stream = sys.stdout if stream_name == "stdout" else sys.stderr
    stream.flush()
    stream.buffer.write(text.encode("utf-8", errors="surrogateescape"))
    stream.buffer.flush()


_NOTES_FLAG_DEPRECATION = "this flag has no effect for 'helm template' and will be removed in Helm 5"


def _notes_flag_warnings(notes_flags: tuple[str, ...], helm_compat: str) -> str:
    """The line Helm 4.2's flag parser prints for each use of a deprecated notes flag, in command-line order."""
    if not notes_flags:
        return ""
    from wavecd.helm.compat import MODES

    if not MODES[helm_compat].deprecates_notes_flags:
        return ""
    return "".join(f"Flag {flag} has been deprecated, {_NOTES_FLAG_DEPRECATION}\n" for flag in notes_flags)


@click.group()
def helm() -> None:
    """Helm charts rendered exactly as Helm renders them."""


@helm.command("template", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("args", nargs=-1)
@click.option("-n", "--namespace", default="default", help="Namespace of the release (.Release.Namespace).")
@click.option("--kube-version", default="", help="Kubernetes version for Capabilities.KubeVersion.")
@click.option("-a", "--api-versions", multiple=True, help="Extra API versions for Capabilities.APIVersions.")
@click.option("--include-crds", is_flag=True, help="Include CRDs in the output.")
@click.option("--skip-crds", is_flag=True, help="Accepted for compatibility; no effect on the output.")
@click.option("--skip-tests", is_flag=True, help="Leave out test hooks.")
@click.option("--no-hooks", is_flag=True, help="Leave out all hooks.")
@click.option("--is-upgrade", is_flag=True, help="Set .Release.IsUpgrade instead of .Release.IsInstall.")
@click.option("-s", "--show-only", multiple=True, help="Only show manifests from matching templates.")
@click.option("--skip-schema-validation", is_flag=True, help="Do not validate values against schemas.")
@click.option("--name-template", default="", help="Template used to name the release.")
@click.option("-g", "--generate-name", is_flag=True, help="Generate the release name (with one argument).")
@click.option("-f", "--values", "value_files", multiple=True, help="Values files (repeatable, comma lists).")
@click.option("--set", "set_values", multiple=True, help="Set values (a=b,c.d=e).")
@click.option("--set-string", multiple=True, help="Set string values.")
@click.option("--set-json", multiple=True, help="Set JSON values.")
@click.option("--set-file", multiple=True, help="Set values from files.")
@click.option("--set-literal", multiple=True, help="Set one literal string value.")
@click.option("--release-name", is_flag=True, help="Accepted for compatibility (output-dir naming).")
@click.option("--repo", default="", help="Chart repository URL where to locate the requested chart.")
@click.option(
    "--version",
    "chart_version",
    default="",
    help="Chart version or constraint (for oci:// and --repo charts); default: the latest stable.",
)
@click.option(
    "--dependency-update",
    is_flag=True,
    help="Update dependencies missing from charts/ before rendering (into a cached copy, as helm dependency update).",
)
@click.option("--username", default="", help="Chart repository or registry username.")
@click.option("--password", default="", help="Chart repository or registry password.")
@click.option("--plain-http", is_flag=True, help="Use insecure HTTP connections for the chart download.")
# Both notes flags append to one list, so it keeps their command-line order.
@click.option(
    "--hide-notes",
    "notes_flags",
    flag_value="--hide-notes",
    multiple=True,
    help="Accepted for compatibility; no effect on the output (deprecated by Helm 4.2).",
)
@click.option(
    "--render-subchart-notes",
    "notes_flags",
    flag_value="--render-subchart-notes",
    multiple=True,
    help="Accepted for compatibility; no effect on the output (deprecated by Helm 4.2).",
)
@click.option(
    "--helm-compat",
    type=click.Choice(["v3", "v4", "v4.2"]),
    default="v4",
    show_default=True,
    help="Which Helm to reproduce: v4 (4.1.4), v4.2 (4.2.2, as Argo CD 3.5) or v3 (3.17.2).",
)
@click.option(
    "--render-timeout",
    default="",
    help="How long the chart's templates may run, as a Go duration (default: $WAVECD_RENDER_TIMEOUT, else 3m).",
)
def template(
    args: tuple[str, ...],
    namespace: str,
    kube_version: str,
    api_versions: tuple[str, ...],
    include_crds: bool,
    skip_crds: bool,
    skip_tests: bool,
    no_hooks: bool,
    is_upgrade: bool,
    show_only: tuple[str, ...],
    skip_schema_validation: bool,
    name_template: str,
    generate_name: bool,
    value_files: tuple[str, ...],
    set_values: tuple[str, ...],
    set_string: tuple[str, ...],
    set_json: tuple[str, ...],
    set_file: tuple[str, ...],
    set_literal: tuple[str, ...],
    release_name: bool,
    repo: str,
    chart_version: str,
    dependency_update: bool,
    username: str,
    password: str,
    plain_http: bool,
    notes_flags: tuple[str, ...],
    helm_compat: str,
    render_timeout: str,
) -> None:
    """Render CHART like `helm template [NAME] CHART`.

    CHART is a chart folder, a `.tgz`, `oci://host/path/chart[:tag|@digest]`, or a chart name in the
    Helm repository given by `--repo`.
    """
    deprecations = _notes_flag_warnings(notes_flags, helm_compat)

    def run() -> None:
        if deprecations:
            _write("stderr", deprecations)
        _template(
            args,
            namespace,
            kube_version,
            api_versions,
            include_crds,
            skip_crds,
            skip_tests,
            no_hooks,
            is_upgrade,
            show_only,
            skip_schema_validation,
            name_template,
            generate_name,
            value_files,
            set_values,
            set_string,
            set_json,
            set_file,
            set_literal,
            helm_compat,
            render_timeout,
            _Fetch(repo, chart_version, username, password, plain_http, dependency_update),
        )

    if not _whole_process():  # a test or a server calling us: leave the interpreter as it is
        run()
        return
    # The objects a render builds (parsed and compiled templates, values) live until the process ends: the
    # cyclic collector would only traverse them again and again, and tearing them down one by one at exit
    # takes as long (0.2 s each on large charts). So no collector, and a direct exit once the output is out.
    gc.disable()
    try:
        run()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        if isinstance(exc.code, str):
            sys.stderr.write(exc.code + "\n")
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


class _Fetch(NamedTuple):
    """The flags that say where a referenced (not local) chart comes from."""

    repo: str
    version: str
    username: str
    password: str
    plain_http: bool
    dependency_update: bool = False


def _locate(chart: str, fetch: _Fetch, helm_compat: str) -> str:
    """The chart to render: CHART itself when it is local, else the cached archive of the chart it references;
    with `--dependency-update`, a cached copy with the dependencies it missed."""
    located = _fetched(chart, fetch, helm_compat)
    if not fetch.dependency_update:
        return located
    from wavecd.cli.chart_ref import update_dependencies

    return update_dependencies(located, helm_compat)


def _fetched(chart: str, fetch: _Fetch, helm_compat: str) -> str:
    """CHART itself when it is local, else the cached archive of the chart it references."""
    if not fetch.repo and not chart.strip().startswith("oci://"):
        return chart
    from wavecd.cli.chart_ref import fetch_chart, is_reference, parse_reference

    if not is_reference(chart, fetch.repo, helm_compat):
        return chart
    ref = parse_reference(
        chart,
        fetch.repo,
        fetch.version,
        username=fetch.username,
        password=fetch.password,
        plain_http=fetch.plain_http,
        helm_compat=helm_compat,
    )
    path, warnings = fetch_chart(ref, helm_compat)
    if warnings:
        _write("stderr", "".join(w + "\n" for w in warnings))
    return path


def _whole_process() -> bool:
    """Whether this process was started as `wavecd helm template …` (not a test or a server calling us)."""
    return sys.argv[1:3] == ["helm", "template"]


def _template(
    args: tuple[str, ...],
    namespace: str,
    kube_version: str,
    api_versions: tuple[str, ...],
    include_crds: bool,
    skip_crds: bool,
    skip_tests: bool,
    no_hooks: bool,
    is_upgrade: bool,
    show_only: tuple[str, ...],
    skip_schema_validation: bool,
    name_template: str,
    generate_name: bool,
    value_files: tuple[str, ...],
    set_values: tuple[str, ...],
    set_string: tuple[str, ...],
    set_json: tuple[str, ...],
    set_file: tuple[str, ...],
    set_literal: tuple[str, ...],
    helm_compat: str,
    render_timeout: str,
    fetch: _Fetch,
) -> None:
    from wavecd.core.errors import WavecdError
    from wavecd.helm.errors import HelmError
    from wavecd.helm.render import RenderOptions, render_chart
    from wavecd.helm.time_limit import parse_render_timeout
    from wavecd.helm.user_values import ValueOptions

    if not args:
        _write(
            "stderr",
            'Error: "helm template" requires at least 1 argument\n\nUsage:  helm template [NAME] [CHART] [flags]\n',
        )
        sys.exit(1)
    if len(args) > 2:
        _write("stderr", f"Error: expected at most two arguments, unexpected arguments: {', '.join(args[2:])}\n")
        sys.exit(1)
    name, chart = (args[0], args[1]) if len(args) == 2 else (None, args[0])
    try:
        timeout = parse_render_timeout(render_timeout, "--render-timeout") if render_timeout else None
    except WavecdError as exc:
        _write("stderr", f"Error: {exc.render()}\n")
        sys.exit(exc.exit_code)
    options = RenderOptions(
        release_name=name,
        namespace=namespace,
        kube_version=kube_version or None,
        api_versions=_split_commas(api_versions),
        include_crds=include_crds,
        skip_crds=skip_crds,
        skip_tests=skip_tests,
        no_hooks=no_hooks,
        is_upgrade=is_upgrade,
        show_only=list(show_only),
        skip_schema_validation=skip_schema_validation,
        name_template=name_template or None,
        generate_name=generate_name,
        helm_compat=helm_compat,
        render_timeout=timeout,
        values=ValueOptions(
            value_files=_split_commas(value_files),
            json_values=list(set_json),
            values=list(set_values),
            string_values=list(set_string),
            file_values=list(set_file),
            literal_values=list(set_literal),
        ),
    )
    try:
        result = render_chart(_locate(chart, fetch, helm_compat), options)
    except HelmError as exc:
        _write("stderr", exc.stderr)
        sys.exit(exc.exit_code)
    except WavecdError as exc:
        _write("stderr", f"Error: {exc.render()}\n")
        sys.exit(exc.exit_code)
    except RecursionError:
        _write("stderr", "Error: rendering template failed: runtime error: stack overflow\n")
        sys.exit(1)
    except Exception as exc:  # a wavecd bug must still end in a clear message, never a traceback
        _write(
            "stderr",
            f"Error: wavecd internal error while rendering {chart}: {type(exc).__name__}: {exc}"
            " (please report this wavecd bug)\n",
        )
        sys.exit(1)
    if result.warnings:
        _write("stderr", "".join(w + "\n" for w in result.warnings))
    _write("stdout", result.stdout)
