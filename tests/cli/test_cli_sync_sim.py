"""`wavecd sync … --sim` end to end: the real engine syncing into an in-process simulated cluster."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess

import httpx
import pytest
from click.testing import CliRunner
from sync_repo import write_failing_repo

from support.gitops import Child, deployment, latest_tag_rollout, write_repo
from support.paths import STAGING, wavecd_command
from wavecd.cli.main import main


def sync(*args: str):
    result = CliRunner().invoke(main, ["sync", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def events(stdout: str) -> list[dict]:
    return [json.loads(line) for line in stdout.splitlines()]


@pytest.mark.slow
def test_staging_rolls_out_wave_by_wave_and_ends_healthy():
    # The limit turns a stalled rollout into a failure (exit 3) instead of a test that never ends.
    result = sync(str(STAGING), "--sim", "--timeout", "1h", "-o", "json")
    assert result.exit_code == 0, result.stderr
    lines = events(result.stdout)
    assert lines[0]["event"] == "render" and lines[0]["errors"] == []
    assert lines[1]["event"] == "plan" and lines[1]["root"] == "root-staging"
    started = [line["wave"] for line in lines if line["event"] == "wave_started"]
    assert started == sorted(set(started)) and started[0] == -10 and started[-1] == 17
    assert started == [w["wave"] for w in lines[1]["waves"]]
    summary = lines[-1]
    assert summary["event"] == "summary"
    assert (summary["health"], summary["phase"], summary["exit_code"]) == ("Healthy", "Succeeded", 0)
    assert summary["apps"] == {"Healthy": lines[0]["apps"]}
    assert all("wave" not in line for line in lines if line.get("app") == "root-staging")
    # The services' waves need more than the cluster's own node: they wait while Karpenter's nodes launch.
    waits = [
        (line["wave"], blocker["message"])
        for line in lines
        if line["event"] == "waiting" and line["app"].startswith("staging-")
        for blocker in line["blockers"]
    ]
    pending = {wave for wave, message in waits if " is Pending: 0/" in message and "Insufficient cpu" in message}
    assert pending and pending <= {10, 11, 12}


@pytest.mark.slow
def test_staging_with_a_policy_waits_on_capacity_then_stops_at_the_wave_kyverno_refuses(tmp_path):
    # The recipe of docs/sim.md: an Enforce ClusterPolicy added to the chart of wave -6 refuses the loadtest-webs
    # Deployments (wave 15) after the services' waves waited for Karpenter's nodes and passed.
    shutil.copytree(STAGING.parent, tmp_path / "examples", symlinks=True)
    policy = """\
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: require-team-label
spec:
  validationFailureAction: Enforce
  rules:
    - name: team-label
      match:
        any:
          - resources:
              kinds: [Deployment]
              namespaces: [loadtest-webs]
      validate:
        message: "loadtest Deployments need a team label"
        pattern:
          metadata:
            labels:
              team: "?*"
"""
    staging = tmp_path / "examples" / STAGING.name
    templates = staging / "common-charts/infra/karpenter-config/templates"
    (templates / "require-team.yaml").write_text(policy)
    result = sync(str(staging), "--sim", "--timeout", "1h", "-o", "json")
    assert result.exit_code == 1, result.stderr
    lines = events(result.stdout)
    finished = {line["app"]: line for line in lines if line["event"] == "app_finished"}
    assert all(line["health"] == "Healthy" for line in finished.values() if line.get("wave", 99) <= 12)
    assert lines[-1]["stopped_at"] == 15
    assert 'admission webhook "validate.kyverno.svc-fail" denied the request' in lines[-1]["blocking"]["message"]
    waits = [b["message"] for line in lines if line["event"] == "waiting" for b in line["blockers"]]
    assert any(" is Pending: 0/" in m for m in waits)


def test_a_failing_wave_stops_the_rollout_with_exit_status_1(tmp_path):
    repo = write_failing_repo(tmp_path / "repo")
    result = sync(str(repo), "--sim")
    assert result.exit_code == 1, result.stderr
    assert "  web: created Deployment web/api" in result.stdout
    assert "later: " not in result.stdout.split("\n\n")[0]  # nothing of wave 2 was applied
    report = result.stdout.split("\n\n")[-1].splitlines()
    assert report[2].split()[:4] == ["1", "web", "Degraded", "Failed"]
    assert "Deployment web/api" in report[2]
    assert report[3].split() == ["2", "later", "NotStarted", "-"]
    assert report[4].startswith("Failed: tree Degraded") and "stopped at wave 1" in report[4]


def test_an_app_that_cannot_render_is_reported_first_and_fails_at_its_wave(tmp_path):
    repo = write_failing_repo(tmp_path / "repo", broken_later=True)
    result = sync(str(repo), "--sim", "-o", "json")
    assert result.exit_code == 1, result.stderr
    lines = events(result.stdout)
    assert [e["app"] for e in lines[0]["errors"]] == ["later"]
    finished = {line["app"]: line for line in lines if line["event"] == "app_finished"}
    assert (finished["web"]["health"], finished["web"]["sync"]) == ("Healthy", "Synced")
    assert (finished["later"]["wave"], finished["later"]["sync"]) == (2, "Failed")
    assert lines[-1]["stopped_at"] == 2


def test_timeout_exits_3_with_a_summary():
    result = sync(str(STAGING), "--sim", "--timeout", "5s", "-o", "json")
    assert result.exit_code == 3, result.stderr
    summary = events(result.stdout)[-1]
    assert (summary["event"], summary["phase"], summary["exit_code"]) == ("summary", "TimedOut", 3)


@pytest.mark.slow
def test_ctrl_c_stops_at_a_safe_point_exits_130_and_still_summarises():
    command = wavecd_command("sync", str(STAGING), "--sim", "--sim-speed", "1", "-o", "json")
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env) as proc:
        assert proc.stdout is not None
        seen = []
        for line in proc.stdout:
            seen.append(json.loads(line))
            if seen[-1]["event"] == "wave_started":
                proc.send_signal(signal.SIGINT)
                break
        seen.extend(json.loads(line) for line in proc.stdout)
        assert proc.wait(timeout=60) == 130, proc.stderr.read() if proc.stderr else ""
    assert seen[-1]["event"] == "summary" and seen[-1]["phase"] == "Interrupted"
    assert [line["wave"] for line in seen if line["event"] == "wave_started"] == [-10]


def test_an_enforce_policy_of_an_early_wave_stops_the_rollout_at_the_wave_it_refuses(tmp_path):
    # Kyverno's CRD at wave -8 and an Enforce ClusterPolicy at wave -7, as the seed lays them out; the sim
    # marks the policy Ready, then refuses the wave-11 Deployment whose image uses the `latest` tag.
    repo = write_repo(tmp_path / "repo", latest_tag_rollout())
    result = sync(str(repo), "--sim", "--timeout", "10m", "-o", "json")
    assert result.exit_code == 1, result.stderr
    lines = events(result.stdout)
    finished = {line["app"]: line for line in lines if line["event"] == "app_finished"}
    assert {app: finished[app]["health"] for app in ("kyverno-crds", "kyverno-policies", "catalog")} == {
        "kyverno-crds": "Healthy",
        "kyverno-policies": "Healthy",
        "catalog": "Healthy",
    }
    assert (finished["api"]["wave"], finished["api"]["sync"]) == (11, "Failed")
    assert (
        'admission webhook "validate.kyverno.svc-fail" denied the request: \n\n'
        "resource Deployment/shop/api was blocked due to the following policies \n\n"
        "disallow-latest-tag:\n"
        "  autogen-validate-image-tag: 'validation error: latest is not allowed. rule autogen-validate-image-tag "
        "failed at path /spec/template/spec/containers/0/image/'\n"
    ) in finished["api"]["message"]
    assert "after" not in finished
    assert lines[-1]["stopped_at"] == 11


def test_sim_process_runs_the_cluster_in_a_child_that_is_gone_when_the_sync_ends(tmp_path):
    repo = write_repo(tmp_path / "repo", [Child("web", [deployment("api")], wave=1)])
    result = sync(str(repo), "--sim", "--sim-process", "-o", "json")
    assert result.exit_code == 0, result.stderr
    lines = events(result.stdout)
    assert lines[-1]["health"] == "Healthy"
    assert [(e["kind"], e["result"]) for e in lines if e["event"] == "applied" and e["app"] == "web"] == [
        ("Namespace", "created"),
        ("Deployment", "created"),
    ]
    # the child's kubeconfig named a server that is gone with it
    server = next(e["server"] for e in lines if e["event"] == "plan")
    with pytest.raises(OSError):
        socket.create_connection((httpx.URL(server).host, httpx.URL(server).port), timeout=2).close()


def test_sim_process_needs_sim():
    result = sync(".", "--sim-process")
    assert result.exit_code == 2
    assert "--sim-process needs --sim" in result.stderr
