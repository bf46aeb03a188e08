"""`wavecd sync -o json`: one JSON object per line, exactly each event's `to_json()`, nothing else on stdout."""

from __future__ import annotations

import io
import json
import socket

import pytest
from click.testing import CliRunner
from sync_events import failed_sync, resynced_sync
from sync_repo import write_failing_repo

from wavecd.cli.main import main
from wavecd.cli.progress import JsonLines
from wavecd.plan.errors import PlanError
from wavecd.sync.events import Summary

# The keys a consumer of `-o json` can rely on (README's events table); keys whose value is None are left out.
EXPECTED_KEYS = {
    "render": {"event", "apps", "errors", "seconds"},
    "plan": {"event", "root", "waves", "server", "kube_version", "dry_run"},
    "wave_started": {"event", "wave", "apps"},
    "app_started": {"event", "app", "wave", "resources", "steps"},
    "applied": {
        "event",
        "app",
        "wave",
        "resource_wave",
        "phase",
        "group",
        "kind",
        "namespace",
        "resource",
        "result",
        "message",
        "hook",
    },
    "pruned": {"event", "app", "wave", "resource_wave", "group", "kind", "namespace", "resource", "result", "message"},
    "hook_deleted": {"event", "app", "wave", "resource_wave", "kind", "namespace", "resource", "policy"},
    "waiting": {"event", "app", "wave", "resource_wave", "blockers", "elapsed"},
    "node": {
        "event",
        "app",
        "wave",
        "nodeclaim",
        "state",
        "node",
        "nodepool",
        "instance_type",
        "capacity_type",
        "zone",
    },
    "retry": {"event", "app", "wave", "attempt", "delay", "message"},
    "app_finished": {"event", "app", "wave", "health", "sync", "message", "blocking", "seconds"},
    "wave_finished": {"event", "wave", "health", "seconds"},
    "resync": {"event", "app", "wave", "reason"},
    "summary": {
        "event",
        "health",
        "phase",
        "message",
        "seconds",
        "apps",
        "stopped_at",
        "blocking",
        "dry_run",
        "exit_code",
    },
}
OPTIONAL = {"message", "hook", "blocking", "stopped_at", "wave", "resource_wave", "node", "zone"}


def json_lines(events) -> list[dict]:
    out = io.StringIO()
    emit = JsonLines(out)
    for event in events:
        emit(event)
    text = out.getvalue()
    assert text.endswith("\n")
    return [json.loads(line) for line in text.splitlines()]


def test_every_event_type_has_its_documented_keys():
    lines = json_lines(failed_sync()) + json_lines(resynced_sync())
    assert {line["event"] for line in lines} == set(EXPECTED_KEYS)
    for line in lines:
        keys = set(line)
        expected = EXPECTED_KEYS[line["event"]]
        assert keys <= expected, line
        assert expected - OPTIONAL <= keys, line


def test_wave_is_absent_for_the_root_app_and_the_render_and_plan_events():
    lines = json_lines(failed_sync())
    assert all("wave" not in line for line in lines if line["event"] in ("render", "plan"))
    assert all("wave" not in line for line in lines if line.get("app") == "root")
    assert all(isinstance(line["wave"], int) for line in lines if line.get("app") not in (None, "root"))


def test_values_left_unset_are_omitted_not_null():
    lines = json_lines(failed_sync())
    assert all(value is not None for line in lines for value in line.values())
    applied = next(line for line in lines if line["event"] == "applied" and line["app"] == "namespaces")
    assert "hook" not in applied and "message" not in applied


def test_the_last_line_is_the_summary():
    last = json_lines(failed_sync())[-1]
    assert last["event"] == "summary"
    assert (last["health"], last["phase"], last["exit_code"], last["stopped_at"]) == ("Degraded", "Failed", 1, 2)


# -- `wavecd sync -o json` when the sync cannot run to its end ------------------------------------------------------


@pytest.fixture
def closed_port_kubeconfig(tmp_path):
    """A kubeconfig whose server refuses connections: a port that was free a moment ago."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    path = tmp_path / "kubeconfig"
    path.write_text(
        f"clusters: [{{name: c, cluster: {{server: 'http://127.0.0.1:{port}'}}}}]\n"
        "contexts: [{name: here, context: {cluster: c}}]\ncurrent-context: here\n"
    )
    return path


@pytest.fixture
def repo(tmp_path):
    return write_failing_repo(tmp_path / "repo", broken_later=True)


def sync_json(repo, kubeconfig, *extra: str):
    result = CliRunner().invoke(main, ["sync", str(repo), "--kubeconfig", str(kubeconfig), "-o", "json", *extra])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.stderr
    return result, [json.loads(line) for line in result.stdout.splitlines()]


def test_an_unreachable_cluster_ends_with_the_summary(repo, closed_port_kubeconfig):
    result, lines = sync_json(repo, closed_port_kubeconfig)
    assert result.exit_code == 1
    assert [line["event"] for line in lines] == ["render", "summary"]
    summary = lines[-1]
    assert (summary["phase"], summary["exit_code"]) == ("Failed", result.exit_code)
    assert "was refused" in summary["message"]
    assert summary["apps"] == {"NotStarted": lines[0]["apps"]}


def test_a_plan_that_fails_after_the_render_ends_with_a_summary(repo, closed_port_kubeconfig, monkeypatch):
    def broken_plan(tree):
        raise PlanError("metadata.annotations of Application web must be a mapping")

    monkeypatch.setattr("wavecd.operations.root_sync.plan_tree", broken_plan)
    result, lines = sync_json(repo, closed_port_kubeconfig)
    assert result.exit_code == 1
    assert [line["event"] for line in lines] == ["render", "summary"]
    summary = lines[-1]
    assert (summary["health"], summary["phase"], summary["exit_code"]) == ("Unknown", "Failed", 1)
    assert summary["message"] == "metadata.annotations of Application web must be a mapping"
    assert summary["apps"] == {"NotStarted": 3}
    assert result.stderr.splitlines()[0] == "Error: metadata.annotations of Application web must be a mapping"


def test_a_wavecd_bug_is_one_error_line_and_the_summary_says_so(repo, closed_port_kubeconfig, monkeypatch):
    def broken_engine(*args, **kwargs):
        raise KeyError("wave")

    monkeypatch.setattr("wavecd.operations.root_sync.sync_tree", broken_engine)
    result, lines = sync_json(repo, closed_port_kubeconfig)
    assert result.exit_code == 1
    summary = lines[-1]
    assert (summary["event"], summary["health"], summary["exit_code"]) == ("summary", "Unknown", 1)
    assert summary["message"] == "internal error: KeyError: 'wave' (please report this wavecd bug)"
    assert result.stderr == f"Error: {summary['message']}\n"


def test_the_engines_summary_is_not_repeated_when_it_fails_afterwards(repo, closed_port_kubeconfig, monkeypatch):
    def engine_failing_after_its_summary(plan, client, render, *, emit, **kwargs):
        emit(Summary(health="Degraded", phase="Failed", message="wave 1 failed", apps={"Degraded": 3}, exit_code=1))
        raise RuntimeError("closing the pool")

    monkeypatch.setattr("wavecd.operations.root_sync.sync_tree", engine_failing_after_its_summary)
    result, lines = sync_json(repo, closed_port_kubeconfig)
    assert result.exit_code == 1
    assert [line["event"] for line in lines] == ["render", "summary"]
    assert lines[-1]["message"] == "wave 1 failed"


def test_ctrl_c_before_the_sync_starts_ends_with_an_interrupted_summary(repo, closed_port_kubeconfig, monkeypatch):
    def interrupted(tree):
        raise KeyboardInterrupt

    monkeypatch.setattr("wavecd.operations.root_sync.plan_tree", interrupted)
    result, lines = sync_json(repo, closed_port_kubeconfig)
    assert result.exit_code == 130
    summary = lines[-1]
    assert (summary["event"], summary["phase"], summary["exit_code"]) == ("summary", "Interrupted", 130)


def test_the_text_report_ends_with_the_outcome_too(repo, closed_port_kubeconfig, monkeypatch):
    def broken_plan(tree):
        raise PlanError("no plan today")

    monkeypatch.setattr("wavecd.operations.root_sync.plan_tree", broken_plan)
    result = CliRunner().invoke(main, ["sync", str(repo), "--kubeconfig", str(closed_port_kubeconfig)])
    assert result.exit_code == 1
    outcome, message = result.stdout.splitlines()[-2:]
    assert outcome.startswith("Failed: tree Unknown in ") and outcome.endswith(" (3 NotStarted)")
    assert message == "  no plan today"
