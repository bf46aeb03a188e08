"""A wavecd bug inside a template function is reported as one: never a manifest, never Helm's words.

Helm's functions (pkg/engine/funcs.go) fail in few ways: toYaml/toJson swallow a marshal error into "",
toToml returns the error's text, fromYaml/fromJson/fromToml put the parse error under an `Error` key. Any
other exception is a bug in wavecd's port of the function; it must end the render with exit status 1 and
an "internal error … please report" message, and nothing built from the broken call may be printed.
Each test breaks one function's implementation with an exception no Go code could raise.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml
from click.testing import CliRunner

from wavecd.apps.tree import TreeOptions, build_tree
from wavecd.cli.main import main
from wavecd.gotemplate import TemplateExecError, TemplateSet
from wavecd.gotemplate.errors import wavecd_bug
from wavecd.gotemplate.funcs import GoFunc, GoFuncError


class _Bug(Exception):
    """An exception no Go function returns: it stands for a bug in wavecd."""


def _chart(tmp_path: Path, template: str) -> Path:
    chart = tmp_path / "chart"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: chart\nversion: 0.1.0\n")
    (chart / "values.yaml").write_text("cfg:\n  replicas: 2\n")
    (chart / "templates" / "_helpers.tpl").write_text('{{ define "cfg" }}{{ toYaml .Values.cfg }}{{ end }}\n')
    (chart / "templates" / "cm.yaml").write_text(
        f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: built-from-the-call\ndata:\n  value: |\n    {template}\n"
    )
    return chart


def _break(monkeypatch: pytest.MonkeyPatch, target: str) -> None:
    def broken(*args: object, **kwargs: object) -> object:
        raise _Bug("wavecd bug in " + target)

    monkeypatch.setattr(target, broken)


BROKEN_FUNCTIONS = [
    ("{{ toYaml .Values.cfg }}", "wavecd.goyaml.writer.to_yaml"),
    ("{{ mustToYaml .Values.cfg }}", "wavecd.goyaml.writer.to_yaml"),
    ("{{ toYamlPretty .Values.cfg }}", "wavecd.goyaml.writer.to_yaml_pretty"),
    ("{{ toJson .Values.cfg }}", "wavecd.goyaml.gojson.marshal"),
    ('{{ (fromJson "{}").Error }}', "wavecd.goyaml.gojson.unmarshal"),
    ('{{ fromJsonArray "[]" }}', "wavecd.goyaml.gojson.unmarshal"),
    ('{{ (fromYaml "a: 1").Error }}', "wavecd.goyaml.reader.load"),
    ("{{ toToml .Values.cfg }}", "wavecd.goyaml.gotoml.marshal"),
    ('{{ (fromToml "a = 1").Error }}', "wavecd.goyaml.gotoml.unmarshal"),
    ("{{ .Files.AsConfig }}", "wavecd.goyaml.writer.to_yaml"),
    ('{{ include "cfg" . }}', "wavecd.goyaml.writer.to_yaml"),
    ('{{ tpl "{{ toYaml .Values.cfg }}" . }}', "wavecd.goyaml.writer.to_yaml"),
]


@pytest.mark.parametrize(("template", "target"), BROKEN_FUNCTIONS)
def test_a_bug_in_a_helm_function_is_an_internal_error_not_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, template: str, target: str
) -> None:
    chart = _chart(tmp_path, template)
    _break(monkeypatch, target)
    result = CliRunner().invoke(main, ["helm", "template", "rel", str(chart)])
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"Error: wavecd internal error while rendering {chart}: _Bug: wavecd bug in {target}"
        " (please report this wavecd bug)\n"
    )


def test_the_errors_go_returns_still_render_as_helm_renders_them(tmp_path: Path) -> None:
    """The narrowed catches keep Helm's behaviour for real marshal and parse errors."""
    chart = _chart(
        tmp_path, '{{ toYaml (float64 "NaN") | quote }} {{ (fromJson "{").Error }} {{ (fromYaml "a: [").Error }}'
    )
    result = CliRunner().invoke(main, ["helm", "template", "rel", str(chart)])
    assert result.exit_code == 0, result.stderr
    assert (
        '    "" unexpected end of JSON input error converting YAML to JSON: yaml: line 1: '
        "did not find expected node content\n" in result.stdout
    )


def _exec_error(funcs: dict[str, GoFunc], text: str) -> TemplateExecError:
    ts = TemplateSet(funcs)
    ts.parse("t", text)
    with pytest.raises(TemplateExecError) as info:
        ts.execute("t", {})
    return info.value


def test_go_errors_built_from_python_exceptions_are_not_bugs() -> None:
    """A function that reports a Go error raised from a Python one (a failed int parse) is Go's error."""

    def atoi(text: str) -> int:
        try:
            return int(text)
        except ValueError as exc:
            raise GoFuncError(f'strconv.Atoi: parsing "{text}": invalid syntax') from exc

    err = _exec_error({"atoi": GoFunc("atoi", atoi, ("string",))}, '{{ atoi "x" }}')
    assert wavecd_bug(err) is None


def test_a_bug_is_found_under_the_engines_wrapping() -> None:
    bug = _Bug("boom")

    def broken() -> str:
        raise bug

    funcs = {"broken": GoFunc("broken", broken)}
    assert wavecd_bug(_exec_error(funcs, "{{ broken }}")) is bug
    wrapped = GoFuncError("error calling include")
    wrapped.__cause__ = _exec_error(funcs, "{{ broken }}")
    assert wavecd_bug(wrapped) is bug


def test_in_a_tree_the_bug_costs_its_app_only_and_says_report_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    chart = _chart(tmp_path, "{{ toYaml .Values.cfg }}")
    (tmp_path / "plain").mkdir()
    (tmp_path / "plain" / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: plain\n")

    def app(name: str, path: str) -> dict:
        return {
            "apiVersion": "argoproj.io/v1alpha1",
            "kind": "Application",
            "metadata": {"name": name, "namespace": "argocd"},
            "spec": {
                "source": {"repoURL": "https://example.com/r.git", "targetRevision": "HEAD", "path": path},
                "destination": {"server": "https://kubernetes.default.svc", "namespace": "team"},
            },
        }

    (tmp_path / "apps").mkdir()
    (tmp_path / "apps" / "apps.yaml").write_text(yaml.safe_dump_all([app("chart", chart.name), app("plain", "plain")]))
    _break(monkeypatch, "wavecd.goyaml.writer.to_yaml")
    resolver = SimpleNamespace(
        git_tree=lambda url, revision, needs=(): SimpleNamespace(
            url=url, root=tmp_path, revision="HEAD", worktree=True, origin=None
        )
    )
    tree = build_tree(app("root", "apps"), resolver, options=TreeOptions(executor="serial"))
    broken = tree.node("chart")
    assert broken.error == (
        "internal error: _Bug: wavecd bug in wavecd.goyaml.writer.to_yaml (please report this wavecd bug)"
    )
    assert broken.manifests == []
    assert tree.node("plain").error is None
    assert [m["metadata"]["name"] for m in tree.node("plain").manifests] == ["plain"]
