"""`wavecd sync` on bad input: exit status 2 and one `Error: …` line on stderr, never a traceback, and nothing
on stdout (so `-o json` consumers never read a half line)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from wavecd.cli.main import main


def run(*args: str):
    result = CliRunner().invoke(main, ["sync", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def error_line(result) -> str:
    lines = result.stderr.splitlines()
    assert lines and lines[0].startswith("Error: "), result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


def test_missing_root(tmp_path):
    result = run(str(tmp_path / "nowhere"), "--sim", "-o", "json")
    assert result.exit_code == 2
    assert "does not exist" in error_line(result)
    assert result.stdout == ""


def test_broken_wavecd_yaml(tmp_path):
    (tmp_path / "wavecd.yaml").write_text("root: [unclosed\n")
    result = run(str(tmp_path), "--sim", "-o", "json")
    assert result.exit_code == 2
    assert "wavecd.yaml" in result.stderr
    error_line(result)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("-1s", "must be positive"),
        ("0s", "must be positive"),
        ("abc", 'time: invalid duration "abc"'),
        ("1x", 'time: invalid duration "1x"'),
        ("90", 'time: missing unit in duration "90"'),
    ],
)
def test_bad_timeout(tmp_path, value, expected):
    result = run(str(tmp_path), "--sim", "--timeout", value, "-o", "json")
    assert result.exit_code == 2
    line = error_line(result)
    assert line.startswith(f"Error: --timeout {value!r}: ") and expected in line
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        (["--sim", "--kubeconfig", "kc"], "cannot be combined with --kubeconfig or --context"),
        (["--sim", "--context", "prod"], "cannot be combined with --kubeconfig or --context"),
        (["--sim-speed", "10"], "--sim-speed needs --sim"),
        (["--sim", "--sim-speed", "0"], "must be positive"),
    ],
)
def test_conflicting_target_flags(tmp_path, flags, expected):
    result = run(str(tmp_path), *flags)
    assert result.exit_code == 2
    assert expected in error_line(result)


def test_a_missing_kubeconfig_is_reported_before_anything_is_printed(tmp_path):
    result = run("examples/staging", "--kubeconfig", str(tmp_path / "missing"), "-o", "json")
    assert result.exit_code == 2
    assert f"stat {tmp_path / 'missing'}: no such file or directory" in error_line(result)
    assert result.stdout == ""


def test_no_kubeconfig_anywhere_is_bad_input(tmp_path, monkeypatch):
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "gone"))
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    result = run("examples/staging", "-o", "json")
    assert result.exit_code == 2
    assert "no kubeconfig found" in error_line(result)
    assert result.stdout == ""


def test_an_unknown_context_is_reported_before_the_tree_renders(tmp_path):
    kubeconfig = tmp_path / "config"
    kubeconfig.write_text(
        "clusters: [{name: c, cluster: {server: 'http://127.0.0.1:1'}}]\n"
        "contexts: [{name: staging, context: {cluster: c}}]\n"
    )
    # ROOT does not exist either: the kubeconfig is checked first, as it costs nothing to read.
    result = run(str(tmp_path / "nowhere"), "--kubeconfig", str(kubeconfig), "--context", "prod", "-o", "json")
    assert result.exit_code == 2
    assert error_line(result) == "Error: context was not found for specified context: prod"
    assert "contexts: staging" in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("value", ["2s", "0.5", "abc"])
def test_a_wave_delay_that_is_not_whole_seconds_is_refused(tmp_path, monkeypatch, value):
    monkeypatch.setenv("ARGOCD_SYNC_WAVE_DELAY", value)
    result = run(str(tmp_path), "--sim", "-o", "json")
    assert result.exit_code == 2
    assert error_line(result) == f"Error: ARGOCD_SYNC_WAVE_DELAY={value!r}: expected whole seconds, such as 0 or 5"
    assert result.stdout == ""


def test_a_root_that_cannot_be_synced_is_refused_before_anything_starts(tmp_path, monkeypatch):
    monkeypatch.setenv("WAVECD_CACHE_DIR", str(tmp_path / "cache"))
    (tmp_path / "root.yaml").write_text(
        "apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata: {name: envs, namespace: argocd}\n"
        "spec:\n  generators: [{nope: {}}]\n  template: {metadata: {name: x}, spec: {}}\n"
    )

    result = run(str(tmp_path / "root.yaml"), "--sim", "-o", "json")

    assert result.exit_code == 2
    assert error_line(result).startswith("Error: ROOT ApplicationSet envs cannot be synced: ")
    assert result.stdout == ""
