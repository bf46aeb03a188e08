"""The flags of `wavecd helm template`, in one table, and a parser for the plain command lines among them.

click builds the command from `TEMPLATE_FLAGS` (`wavecd.cli.helm_cmd`); `parse_template_args` reads the
same table without importing click, so a new `wavecd helm template` process skips click's import (a tenth
of a filled-cache render). It accepts only what it reads exactly as click does: separate or `--name=value`
long options, separate short ones, known names, each single-valued flag once, a valid `--helm-compat`.
For anything else (`--help`, an unknown or repeated flag, `-nvalue`, `--`, a value starting with `-`, a
missing value) it returns None and click parses the line, with click's messages.
"""

from __future__ import annotations

from typing import Any, NamedTuple

__all__ = ["TEMPLATE_FLAGS", "Flag", "parse_template_args"]


class Flag(NamedTuple):
    """One option. `kind`: "value" (one string), "many" (repeatable, a tuple in order), "switch" (a boolean)
    or "note" (appends its own long name to `param`'s tuple: the notes flags keep their command-line order)."""

    param: str
    names: tuple[str, ...]
    kind: str
    default: str | bool | tuple[str, ...]
    help: str
    choices: tuple[str, ...] = ()


_NOTES_HELP = "Accepted for compatibility; no effect on the output (deprecated by Helm 4.2)."

TEMPLATE_FLAGS: tuple[Flag, ...] = (
    Flag("namespace", ("-n", "--namespace"), "value", "default", "Namespace of the release (.Release.Namespace)."),
    Flag("kube_version", ("--kube-version",), "value", "", "Kubernetes version for Capabilities.KubeVersion."),
    Flag("api_versions", ("-a", "--api-versions"), "many", (), "Extra API versions for Capabilities.APIVersions."),
    Flag("include_crds", ("--include-crds",), "switch", False, "Include CRDs in the output."),
    Flag("skip_crds", ("--skip-crds",), "switch", False, "Accepted for compatibility; no effect on the output."),
    Flag("skip_tests", ("--skip-tests",), "switch", False, "Leave out test hooks."),
    Flag("no_hooks", ("--no-hooks",), "switch", False, "Leave out all hooks."),
    Flag("is_upgrade", ("--is-upgrade",), "switch", False, "Set .Release.IsUpgrade instead of .Release.IsInstall."),
    Flag("show_only", ("-s", "--show-only"), "many", (), "Only show manifests from matching templates."),
    Flag(
        "skip_schema_validation",
        ("--skip-schema-validation",),
        "switch",
        False,
        "Do not validate values against schemas.",
    ),
    Flag("name_template", ("--name-template",), "value", "", "Template used to name the release."),
    Flag("generate_name", ("-g", "--generate-name"), "switch", False, "Generate the release name (with one argument)."),
    Flag("value_files", ("-f", "--values"), "many", (), "Values files (repeatable, comma lists)."),
    Flag("set_values", ("--set",), "many", (), "Set values (a=b,c.d=e)."),
    Flag("set_string", ("--set-string",), "many", (), "Set string values."),
    Flag("set_json", ("--set-json",), "many", (), "Set JSON values."),
    Flag("set_file", ("--set-file",), "many", (), "Set values from files."),
    Flag("set_literal", ("--set-literal",), "many", (), "Set one literal string value."),
    Flag("release_name", ("--release-name",), "switch", False, "Accepted for compatibility (output-dir naming)."),
    Flag("repo", ("--repo",), "value", "", "Chart repository URL where to locate the requested chart."),
    Flag(
        "chart_version",
        ("--version",),
        "value",
        "",
        "Chart version or constraint (for oci:// and --repo charts); default: the latest stable.",
    ),
    Flag(
        "dependency_update",
        ("--dependency-update",),
        "switch",
        False,
        "Update dependencies missing from charts/ before rendering (into a cached copy, as helm dependency update).",
    ),
    Flag("username", ("--username",), "value", "", "Chart repository or registry username."),
    Flag("password", ("--password",), "value", "", "Chart repository or registry password."),
    Flag("plain_http", ("--plain-http",), "switch", False, "Use insecure HTTP connections for the chart download."),
    Flag("notes_flags", ("--hide-notes",), "note", (), _NOTES_HELP),
    Flag("notes_flags", ("--render-subchart-notes",), "note", (), _NOTES_HELP),
    Flag(
        "helm_compat",
        ("--helm-compat",),
        "value",
        "v4",
        "Which Helm to reproduce: v4 (4.1.4), v4.2 (4.2.2, as Argo CD 3.5) or v3 (3.17.2).",
        ("v3", "v4", "v4.2"),
    ),
    Flag(
        "render_timeout",
        ("--render-timeout",),
        "value",
        "",
        "How long the chart's templates may run, as a Go duration (default: $WAVECD_RENDER_TIMEOUT, else 3m).",
    ),
)

_BY_NAME = {name: flag for flag in TEMPLATE_FLAGS for name in flag.names}


def parse_template_args(argv: list[str]) -> dict[str, Any] | None:
    """The keyword arguments of `run_template` for the words after `helm template`, or None when the line
    is one that click must parse (see the module's docstring)."""
    params: dict[str, Any] = {flag.param: flag.default for flag in TEMPLATE_FLAGS}
    appended: dict[str, list[str]] = {f.param: [] for f in TEMPLATE_FLAGS if f.kind in ("many", "note")}
    given: set[str] = set()
    positional: list[str] = []
    words = iter(argv)
    for word in words:
        if not word.startswith("-"):
            positional.append(word)
            continue
        name, eq, value = word.partition("=") if word.startswith("--") else (word, "", "")
        flag = _BY_NAME.get(name)
        if flag is None:
            return None
        if flag.kind in ("switch", "note"):
            if eq:
                return None
            if flag.kind == "switch":
                params[flag.param] = True
            else:
                appended[flag.param].append(flag.names[-1])
            continue
        if not eq:
            value = next(words, "-")
            if value.startswith("-"):
                return None
        if flag.choices and value not in flag.choices:
            return None
        if flag.kind == "many":
            appended[flag.param].append(value)
        elif flag.param in given:
            return None
        else:
            given.add(flag.param)
            params[flag.param] = value
    params.update((param, tuple(values)) for param, values in appended.items())
    params["args"] = tuple(positional)
    return params
