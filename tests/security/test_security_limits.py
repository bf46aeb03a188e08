"""Limits on work: a recursive `tpl`, an `include` cycle over many names and templates that run without end
stop with a clear error, in bounded memory and threads, never at Python's recursion limit, the C stack's
end or a machine's memory.

Each attack is a chart the test writes. The renders that could exhaust the machine run in a subprocess
whose address space is limited (RLIMIT_AS), so a regression fails the test instead of the machine; the
subprocess timeout is only a safety net, never what a test asserts on.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

from wavecd.gotemplate import TemplateSet
from wavecd.gotemplate import runtime as rt
from wavecd.gotemplate.errors import ExecutionStopped, StackExhausted, TimeLimitExceeded

GIB = 1 << 30
GO_STACK_OVERFLOW = "runtime: goroutine stack exceeds 1000000000-byte limit"
URL = "https://example.com/limits.git"

# Runs `wavecd` with its address space limited to argv[1] bytes (the rest of argv is wavecd's).
LIMITED_WAVECD = textwrap.dedent(
    """
    import resource, sys
    limit = int(sys.argv[1])
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    sys.argv = ["wavecd", *sys.argv[2:]]
    from wavecd.cli.main import main
    main()
    """
)


def wavecd_limited(*args: str, memory: int = 2 * GIB, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", LIMITED_WAVECD, str(memory), *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **(env or {})},
        check=False,
    )


def write_chart(folder: Path, templates: dict[str, str], values: str = "") -> Path:
    (folder / "templates").mkdir(parents=True)
    (folder / "Chart.yaml").write_text(f"apiVersion: v2\nname: {folder.name}\nversion: 0.1.0\n")
    (folder / "values.yaml").write_text(values)
    for name, text in templates.items():
        (folder / "templates" / name).write_text(text)
    return folder


def recursive_tpl_chart(folder: Path) -> Path:
    """A value whose template calls `tpl` on itself: Helm recurses until Go's runtime kills it."""
    return write_chart(folder, {"cm.yaml": "x: {{ tpl .Values.a . }}\n"}, values="a: '{{ tpl .Values.a . }}'\n")


def exponential_chart(folder: Path, depth: int = 40) -> Path:
    """t0 includes t1 twice, t1 includes t2 twice, …: 2**depth includes, each one cheap and shallow."""
    defines = [
        f'{{{{- define "t{i}" }}}}{{{{ include "t{i + 1}" . }}}}{{{{ include "t{i + 1}" . }}}}{{{{ end }}}}'
        for i in range(depth)
    ]
    defines.append(f'{{{{- define "t{depth}" }}}}x{{{{ end }}}}')
    return write_chart(
        folder,
        {"_helpers.tpl": "\n".join(defines) + "\n", "cm.yaml": 'x: {{ include "t0" . | len }}\n'},
    )


def assert_no_crash(done: subprocess.CompletedProcess) -> None:
    assert done.returncode > 0, f"killed by signal {-done.returncode}" if done.returncode < 0 else "succeeded"
    assert "Traceback" not in done.stderr and "RecursionError" not in done.stderr
    assert "MemoryError" not in done.stderr and "can't start new thread" not in done.stderr


@pytest.mark.parametrize("mode", ["v3", "v4", "v4.2"])
def test_a_recursive_tpl_ends_with_gos_stack_overflow_text_in_bounded_memory(tmp_path, mode):
    chart = recursive_tpl_chart(tmp_path / "rtpl")
    done = wavecd_limited("helm", "template", "rel", str(chart), "--helm-compat", mode)
    assert_no_crash(done)
    # Helm 4 dies with Go's fatal error (Helm 3.17 exhausts memory first): its first line, its status
    assert done.returncode == 2
    assert done.stderr.splitlines()[:2] == [GO_STACK_OVERFLOW, "fatal error: stack overflow"]
    assert "tpl nested more than 1000 levels deep" in done.stderr
    assert done.stdout == ""


def test_a_recursive_tpl_in_an_include_cycle_also_stops(tmp_path):
    chart = write_chart(
        tmp_path / "mixed",
        {
            "_helpers.tpl": '{{- define "a" }}{{ tpl .Values.a . }}{{ end }}',
            "cm.yaml": 'x: {{ include "a" . }}\n',
        },
        values="a: '{{ include \"a\" . }}'\n",
    )
    done = wavecd_limited("helm", "template", "rel", str(chart))
    assert_no_crash(done)
    # each name is included once per level, so Helm's include guard (1000 of one name) never fires first
    assert done.stderr.splitlines()[0] == GO_STACK_OVERFLOW


CONFORMANCE = Path(__file__).parents[1] / "conformance"


def include_ring_chart(folder: Path, names: int) -> Path:
    """`link0` includes `link1`, …, the last includes `link0`: Helm's guard ends the ring."""
    defines = [
        f'{{{{- define "link{i}" }}}}{{{{ include "link{(i + 1) % names}" . }}}}{{{{- end }}}}' for i in range(names)
    ]
    return write_chart(
        folder, {"_helpers.tpl": "\n".join(defines) + "\n", "cm.yaml": 'x: {{ include "link0" . | quote }}\n'}
    )


def test_an_include_cycle_over_8_names_prints_helms_whole_error_in_bounded_memory():
    # every level's error text holds the inner ones: helm 4.1.4 keeps 6.5 GB of text for this chart
    done = wavecd_limited("helm", "template", "rel", str(CONFORMANCE / "charts" / "err-include-cycle"), memory=GIB)
    assert_no_crash(done)
    assert done.returncode == 1
    assert done.stderr == (CONFORMANCE / "expected" / "v4" / "err-include-cycle.err").read_text()


@pytest.mark.parametrize("mode", ["v3", "v4"])
def test_an_include_cycle_over_16_names_ends_with_helms_nested_reference_error_in_bounded_memory(tmp_path, mode):
    chart = include_ring_chart(tmp_path / "ring", 16)
    done = wavecd_limited("helm", "template", "rel", str(chart), "--helm-compat", mode, memory=GIB)
    assert_no_crash(done)
    assert done.returncode == 1
    first = done.stderr.splitlines()[0]
    assert first.startswith(
        'Error: template: ring/templates/cm.yaml:1:6: executing "ring/templates/cm.yaml" at <include "link0" .>: '
        "error calling include: template: ring/templates/_helpers.tpl:1:24: "
        'executing "link0" at <include "link1" .>: error calling include: '
    )
    assert first.endswith(
        'executing "link15" at <include "link0" .>: error calling include: '
        "rendering template has a nested reference name: link0: unable to execute template"
    )
    # Helm refuses the include of a name already nested more than 1000 times: 1001 rounds of the ring
    # (the recording of 8 names has 8 * 1001 + 1 `error calling include`)
    assert first.count("error calling include") == 16 * 1001 + 1


def test_helm_4s_trace_of_an_error_16000_includes_deep_is_printed_in_bounded_memory(tmp_path):
    # 16 names include each other, 16000 levels deep, then a nil pointer: every link is a template error,
    # so Helm 4 prints each as a trace (helm 4.1.4 takes 7.7 GB for half this depth)
    depth = 16000
    defines = [
        f'{{{{- define "link{i}" }}}}{{{{ if lt (int .n) {depth} }}}}'
        f'{{{{ include "link{(i + 1) % 16}" (dict "n" (add1 .n)) }}}}'
        "{{ else }}{{ .x.y.z }}{{ end }}{{- end }}"
        for i in range(16)
    ]
    chart = write_chart(
        tmp_path / "deep",
        {"_helpers.tpl": "\n".join(defines) + "\n", "cm.yaml": 'x: {{ include "link0" (dict "n" 0) }}\n'},
    )
    done = wavecd_limited("helm", "template", "rel", str(chart), memory=GIB)
    assert_no_crash(done)
    lines = done.stderr.splitlines()
    assert lines[:6] == [
        "Error: deep/templates/cm.yaml:1:6",
        '  executing "deep/templates/cm.yaml" at <include "link0" (dict "n" 0)>:',
        "    error calling include:",
        "deep/templates/_helpers.tpl:1:50",
        '  executing "link0" at <include "link1" (dict "n" (add1 .n))>:',
        "    error calling include:",
    ]
    assert lines[-4:] == [
        '  executing "link0" at <.x.y.z>:',
        "    nil pointer evaluating interface {}.y",
        "",
        "Use --debug flag to render out invalid YAML",
    ]
    assert lines.count("    error calling include:") == depth + 1


def test_gos_template_depth_limit_is_reached_within_bounded_memory_and_threads(tmp_path):
    chart = write_chart(
        tmp_path / "deep", {"cm.yaml": '{{ define "a" }}{{ template "a" . }}{{ end }}{{ template "a" . }}\n'}
    )
    done = wavecd_limited("helm", "template", "rel", str(chart))
    assert_no_crash(done)
    # what helm 4.1.4 prints for this chart (checked by hand; Go's maxExecDepth)
    assert done.stderr.splitlines()[:3] == [
        "Error: deep/templates/cm.yaml:1:28",
        '  executing "a" at <{{template "a" .}}>:',
        "    exceeded maximum template depth (100000)",
    ]


def test_nested_calls_past_the_hop_threads_bound_stop_as_a_stack_overflow(monkeypatch):
    monkeypatch.setattr(rt, "MAX_HOPS", 2)
    ts = TemplateSet({})
    ts.parse("t", '{{ define "a" }}{{ template "a" . }}{{ end }}{{ template "a" . }}')
    with pytest.raises(ExecutionStopped) as stopped:
        ts.execute("t", None)
    assert isinstance(stopped.value.error, StackExhausted)
    assert stopped.value.error.message.splitlines()[0] == GO_STACK_OVERFLOW


def test_an_exponential_include_chain_stops_at_the_render_time_limit(tmp_path):
    chart = exponential_chart(tmp_path / "expo")
    done = wavecd_limited("helm", "template", "rel", str(chart), "--render-timeout", "1s")
    assert_no_crash(done)
    assert done.returncode == 1
    assert done.stderr.splitlines()[0] == (
        "Error: rendering the chart's templates took longer than the render time limit (1s)"
    )


def test_the_render_time_limit_comes_from_the_environment_when_no_flag_gives_it(tmp_path):
    chart = exponential_chart(tmp_path / "expo")
    done = wavecd_limited("helm", "template", "rel", str(chart), env={"WAVECD_RENDER_TIMEOUT": "500ms"})
    assert done.stderr.splitlines()[0].endswith("took longer than the render time limit (0.5s)")


def test_a_long_range_is_stopped_by_the_time_limit_while_it_runs():
    ts = TemplateSet({}, go_version=(1, 24))
    ts.parse("t", "{{ range 100000000 }}{{ end }}")  # one range, no nested call: checked as it iterates
    with rt.time_limit(0.2), pytest.raises(ExecutionStopped) as stopped:
        ts.execute("t", None)
    assert isinstance(stopped.value.error, TimeLimitExceeded)


def test_the_time_limit_reaches_the_hop_threads_of_a_deep_execution():
    ts = TemplateSet({}, go_version=(1, 24))
    # past HOP_LEVEL nested calls, the long range runs on a hop thread
    deep = '{{ if . }}{{ template "d" (slice . 1) }}{{ else }}{{ range 100000000 }}{{ end }}{{ end }}'
    ts.parse("t", f'{{{{ define "d" }}}}{deep}{{{{ end }}}}{{{{ template "d" .levels }}}}')
    with rt.time_limit(0.2), pytest.raises(ExecutionStopped) as stopped:
        ts.execute("t", {"levels": list(range(rt.HOP_LEVEL + 10))})
    assert isinstance(stopped.value.error, TimeLimitExceeded)


def test_an_invalid_render_time_limit_is_refused_with_gos_duration_error(tmp_path):
    chart = write_chart(tmp_path / "plain", {"cm.yaml": "x: 1\n"})
    done = wavecd_limited("helm", "template", "rel", str(chart), "--render-timeout", "3 minutes")
    assert done.returncode != 0
    assert done.stderr.splitlines()[0] == 'Error: --render-timeout: time: invalid duration "3 minutes"'


def application(name: str, path: str) -> dict:
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": {"name": name, "namespace": "argocd"},
        "spec": {
            "project": "default",
            "source": {"repoURL": URL, "targetRevision": "main", "path": path},
            "destination": {"server": "https://kubernetes.default.svc", "namespace": "team"},
        },
    }


def tree_repo(tmp_path: Path, render: str) -> Path:
    """A root app with two chart apps, one of them the exponential chain, and a wavecd.yaml `render:`."""
    repo = tmp_path / "repo"
    exponential_chart(repo / "charts" / "expo")
    write_chart(repo / "charts" / "fine", {"cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: fine\n"})
    (repo / "apps").mkdir()
    apps = [application("runaway", "charts/expo"), application("fine", "charts/fine")]
    (repo / "apps" / "apps.yaml").write_text(yaml.safe_dump_all(apps))
    (tmp_path / "root.yaml").write_text(yaml.safe_dump(application("root", "apps")))
    (tmp_path / "wavecd.yaml").write_text(f"root: root.yaml\nrender: {render}\n")
    return repo


@pytest.mark.parametrize("executor", ["serial", "process"])
def test_the_tree_names_the_app_whose_render_ran_past_wavecd_yamls_limit(tmp_path, executor):
    repo = tree_repo(tmp_path, "{timeout: 1s}")
    done = wavecd_limited(
        "tree",
        str(tmp_path / "root.yaml"),
        "--repo",
        f"{URL}={repo}",
        "--worktree",
        "--executor",
        executor,
        "-o",
        "json",
        env={"WAVECD_CACHE_DIR": str(tmp_path / "cache")},
    )
    assert_no_crash(done)
    nodes = {n["name"]: n for n in json.loads(done.stdout)}
    assert nodes["fine"]["error"] is None
    runaway = nodes["runaway"]
    assert runaway["error"].startswith(
        "Error: rendering the chart's templates took longer than the render time limit (1s)"
    )
    assert runaway["errorLocation"].startswith("app runaway")


def test_a_render_stopped_by_the_time_limit_is_not_kept_in_the_render_cache(tmp_path):
    repo = tree_repo(tmp_path, "{timeout: 1s}")
    args = ["tree", str(tmp_path / "root.yaml"), "--repo", f"{URL}={repo}", "--worktree", "-o", "json"]
    env = {"WAVECD_CACHE_DIR": str(tmp_path / "cache")}
    wavecd_limited(*args, env=env)
    # the same inputs (the same digest) with another limit: rendered again, not the first error from the cache
    (tmp_path / "wavecd.yaml").write_text("root: root.yaml\nrender: {timeout: 2s}\n")
    again = wavecd_limited(*args, env=env)
    nodes = {n["name"]: n for n in json.loads(again.stdout)}
    assert "(2s)" in nodes["runaway"]["error"]


def test_a_wavecd_yaml_render_timeout_must_be_a_go_duration(tmp_path):
    repo = tree_repo(tmp_path, "{timeout: 90}")
    done = wavecd_limited("tree", str(tmp_path / "root.yaml"), "--repo", f"{URL}={repo}", "--worktree")
    assert done.returncode != 0
    assert f'{tmp_path / "wavecd.yaml"}: render.timeout: time: missing unit in duration "90"' in done.stderr
