"""What `wavecd helm template` does once its flags are parsed: Helm's `helm template`, rendered by wavecd,
with helm's stdout and stderr.

Kept lean on purpose (no click, wavecd.helm imported when the render starts): a new process that renders a
chart reaches this module through `wavecd.cli.entry` without importing click, and its start-up time is part
of every render.
"""

from __future__ import annotations

import gc
import os
import sys
from typing import NamedTuple


def _split_commas(values: tuple[str, ...]) -> list[str]:
    """pflag StringSlice: each occurrence is a comma-separated list."""
    if not any(values):  # the usual case: no import of csv for nothing to split
        return []
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


def run_template(
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
    """Render CHART (the last of `args`) like `helm template [NAME] CHART`, with the flags' values as
    `wavecd.cli.helm_flags` parses them (or click, from the same table)."""
    deprecations = _notes_flag_warnings(notes_flags, helm_compat)

    def run() -> None:
        if deprecations:
            _write("stderr", deprecations)
        fetch = _Fetch(repo, chart_version, username, password, plain_http, dependency_update)
        from wavecd.core.errors import WavecdError
        from wavecd.helm.decoded_cache import keep_across_processes
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
        keep_across_processes()
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
