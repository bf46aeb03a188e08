"""`wavecd helm template` in a new process parses a plain command line without click
(`wavecd.cli.helm_flags`): every line it accepts must give exactly the values click gives, and every line
it declines must be one click parses (or rejects) itself."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from tests.support.paths import wavecd_command

from wavecd.cli.helm_cmd import helm
from wavecd.cli.helm_flags import parse_template_args

ACCEPTED = [
    [],
    ["chart"],
    ["release", "chart"],
    ["release", "chart", "--namespace", "bench", "--include-crds"],
    ["-n", "ns", "release", "./chart", "--kube-version=1.30.0", "-a", "v1,x/v1", "--api-versions", "y/v2"],
    ["r", "c", "-f", "a.yaml,b.yaml", "--values=c.yaml", "--set", "a=1", "--set=b=2", "--set-string", "c=x"],
    ["r", "c", "--set-json", '{"a":1}', "--set-file", "k=f.txt", "--set-literal", "k=a,b"],
    ["c", "-g", "--name-template", "x-{{ .Release.Name }}", "--skip-tests", "--no-hooks", "--is-upgrade"],
    ["r", "c", "-s", "templates/a.yaml", "--show-only", "templates/b.yaml", "--skip-crds", "--skip-schema-validation"],
    ["r", "c", "--hide-notes", "--render-subchart-notes", "--hide-notes", "--helm-compat", "v4.2"],
    ["r", "c", "--helm-compat=v3", "--render-timeout", "10s", "--release-name", "--include-crds", "--include-crds"],
    ["r", "c", "--repo", "https://x", "--version", "^1.0", "--username", "u", "--password", "p", "--plain-http"],
    ["r", "c", "--dependency-update", "--namespace="],
    ["r", "c", "--set", "a=-1", "extra"],
]

DECLINED = [
    ["--help"],
    ["-h"],
    ["r", "c", "--unknown"],
    ["r", "c", "-nbench"],
    ["r", "c", "-n=bench"],
    ["r", "c", "--namespace", "a", "-n", "b"],
    ["r", "c", "--namespace"],
    ["r", "c", "--set", "-x"],
    ["r", "c", "--include-crds=true"],
    ["r", "c", "--helm-compat", "v5"],
    ["r", "--", "-c"],
    ["-", "c"],
    ["r", "c", "-gn", "x"],
]


def _click_params(argv: list[str]) -> dict[str, object]:
    command = helm.commands["template"]
    with command.make_context("template", list(argv)) as ctx:
        return dict(ctx.params)


@pytest.mark.parametrize("argv", ACCEPTED, ids=" ".join)
def test_an_accepted_line_gives_what_click_gives(argv):
    assert parse_template_args(argv) == _click_params(argv)


@pytest.mark.parametrize("argv", DECLINED, ids=" ".join)
def test_other_lines_are_left_to_click(argv):
    assert parse_template_args(argv) is None


def test_a_new_process_renders_with_neither_click_nor_a_difference(tmp_path):
    chart = tmp_path / "c"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: c\nversion: 0.1.0\n")
    (chart / "templates" / "cm.yaml").write_text("kind: ConfigMap\nname: {{ .Release.Name }}-{{ .Values.a }}\n")
    args = ["helm", "template", "x", str(chart), "--set", "a=1", "--helm-compat", "v4.2", "--hide-notes"]
    fast = subprocess.run(wavecd_command(*args), capture_output=True, text=True, check=False)
    assert (fast.returncode, fast.stdout) == (0, "---\n# Source: c/templates/cm.yaml\nkind: ConfigMap\nname: x-1\n")
    assert fast.stderr.startswith("Flag --hide-notes has been deprecated")
    traced = subprocess.run(
        [sys.executable, "-X", "importtime", *wavecd_command(*args)[1:]], capture_output=True, text=True, check=False
    )
    lines = traced.stderr.splitlines()
    imported = {line.rsplit("|", 1)[-1].strip() for line in lines if line.startswith("import time")}
    assert "wavecd.helm.render" in imported
    assert "click" not in imported


def test_a_closed_pipe_ends_in_silence_as_click_ends_it(tmp_path):
    # the reader is gone before the render writes (`wavecd helm template … | true`): click's main exits 1 with
    # nothing on stderr, and so must the fast path (it printed a BrokenPipeError traceback)
    chart = tmp_path / "c"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: c\nversion: 0.1.0\n")
    (chart / "templates" / "cm.yaml").write_text("kind: ConfigMap\nmetadata:\n  name: cm\n")
    process = subprocess.Popen(
        wavecd_command("helm", "template", "x", str(chart)), stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()
    stderr = process.stderr.read().decode()
    assert (process.wait(), stderr) == (1, "")


def test_a_render_from_a_filled_template_cache_imports_none_of_what_only_a_first_render_needs(tmp_path):
    # a small chart's render from a filled cache costs little more than its imports, so what only parsing,
    # writing the cache or functions the chart never calls need is imported when first needed
    chart = tmp_path / "c"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: c\nversion: 0.1.0\n")
    (chart / "templates" / "cm.yaml").write_text(
        "kind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\n  annotations:\n    helm.sh/hook: pre-install\n"
    )
    command = wavecd_command("helm", "template", "x", str(chart))
    env = {**os.environ, "WAVECD_CACHE_DIR": str(tmp_path / "cache"), "TZ": "UTC"}
    first = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    traced = subprocess.run(
        [sys.executable, "-X", "importtime", *command[1:]], capture_output=True, text=True, env=env, check=False
    )
    assert (traced.returncode, traced.stdout) == (first.returncode, first.stdout)
    assert "kind: ConfigMap" in traced.stdout
    lines = traced.stderr.splitlines()
    imported = {line.rsplit("|", 1)[-1].strip() for line in lines if line.startswith("import time")}
    assert "wavecd.helm.render" in imported
    cold_only = {
        "csv",  # --api-versions and --values lists
        "tempfile",  # writing a cache entry
        "zoneinfo",  # a named time zone
        "wavecd.gotemplate.parser",  # parsing a template text
        "wavecd.semver.constraints",  # semverCompare, a kubeVersion constraint
        "wavecd.common.health",  # Argo CD's vocabulary beyond the annotation keys
        "wavecd.core.clock",
        "wavecd.goyaml.pretty",  # toYamlPretty
    }
    assert imported & cold_only == set()
