"""What a person reads during `wavecd sync`: one line per event when stdout is not a terminal, the live view's
current wave, and the final report of every app by wave."""

from __future__ import annotations

import io

from rich.console import Console
from sync_events import failed_sync, resynced_sync

from wavecd.cli.progress import SyncProgress, summary_line
from wavecd.core import ManualClock
from wavecd.sync.events import PlanReady, Summary, WaitingOn, WaveStarted


def plain_output(events) -> str:
    out = io.StringIO()
    with SyncProgress(out, clock=ManualClock()) as progress:
        for event in events:
            progress(event)
    return out.getvalue()


def test_plain_text_has_one_line_per_event_then_the_report():
    text = plain_output(failed_sync())
    body, report = text.split("\n\n")
    lines = body.splitlines()
    assert lines[0] == "rendered 4 apps in 0.4s"
    assert lines[1] == "  error: broken: values.yaml: line 3: mapping expected"
    assert lines[2] == "plan: root, then 4 apps in 3 waves; server http://127.0.0.1:6443 (Kubernetes v1.31.0)"
    assert "wave -1: namespaces" in lines
    assert "  namespaces: prune skipped Namespace old: prune disabled" in lines
    assert "  web: created PreSync hook Job web/migrate (sync-wave -1)" in lines
    assert "  web: hook deleted Job web/migrate (HookSucceeded)" in lines
    assert (
        "  web: sync-wave 0 waiting 3.0s on Deployment web/api (Progressing: 0 of 2 updated replicas are available)"
    ) in lines
    assert "  web: NodeClaim default-x7k2p launching (c6a.2xlarge, spot, nodepool default)" in lines
    assert (
        "  web: node ip-10-0-1-7.ec2.internal joined "
        "(NodeClaim default-x7k2p, c6a.2xlarge, spot, eu-west-1a, nodepool default)"
    ) in lines
    assert "  web: retry 1 in 5.0s: one or more objects failed to apply" in lines
    assert "wave 2: Degraded in 41.0s" in lines
    # The summary is not repeated: it ends the report.
    assert not any(line.startswith("Failed:") for line in lines)
    assert report.splitlines()[-2].startswith(
        "Failed: tree Degraded in 45.5s (2 Healthy, 1 Degraded, 1 Unknown, "
        "1 NotStarted); stopped at wave 2; blocking: Deployment web/api"
    )


def test_report_lists_every_planned_app_by_wave_with_what_blocked_it():
    report = plain_output(failed_sync()).split("\n\n")[1].splitlines()
    rows = [line.split() for line in report[1:6]]
    assert report[0].split() == ["WAVE", "APP", "HEALTH", "SYNC", "BLOCKING"]
    assert [row[:4] for row in rows] == [
        ["root", "root", "Healthy", "Synced"],
        ["-1", "namespaces", "Healthy", "Synced"],
        ["2", "web", "Degraded", "Failed"],
        ["2", "broken", "Unknown", "Failed"],
        ["5", "later", "NotStarted", "-"],
    ]
    assert report[3].endswith('Deployment web/api (Degraded: Deployment "api" exceeded its progress deadline)')
    assert report[4].endswith("values.yaml: line 3: mapping expected")


def test_a_run_that_ends_before_the_plan_prints_no_report():
    assert plain_output([]) == ""


def test_live_view_shows_the_current_wave_its_blockers_and_elapsed_time():
    clock = ManualClock()
    progress = SyncProgress(io.StringIO(), clock=clock)
    progress(PlanReady(root="root", waves=[{"wave": 3, "apps": ["web", "db"]}]))
    progress(WaveStarted(wave=3, apps=["web", "db"]))
    progress(
        WaitingOn(
            app="web",
            wave=3,
            resource_wave=0,
            elapsed=4.0,
            blockers=[
                {
                    "group": "apps",
                    "kind": "StatefulSet",
                    "namespace": "data",
                    "name": "pg",
                    "health": "Progressing",
                    "message": "1 of 3 pods ready",
                }
            ],
        )
    )
    clock.advance(75)
    console = Console(file=io.StringIO(), width=160, color_system=None)
    console.print(progress)
    shown = console.file.getvalue()
    assert "wave 3  (0 of 1 waves done)  1m15s" in shown
    assert "StatefulSet data/pg (Progressing: 1 of 3 pods ready)" in shown
    web, db = (next(line for line in shown.splitlines() if line.startswith(name)) for name in ("web", "db"))
    assert "waiting" in web and "pending" in db


def test_rich_mode_keeps_finished_waves_and_failures_above_the_live_area_and_ends_with_the_report():
    out = io.StringIO()
    with SyncProgress(out, clock=ManualClock(), live=True) as progress:
        for event in failed_sync():
            progress(event)
    shown = out.getvalue()
    assert "wave -1: Healthy in 2.5s: namespaces" in shown
    assert "wave 2: Degraded in 41.0s: web, broken" in shown
    assert "  web: node ip-10-0-1-7.ec2.internal joined (NodeClaim default-x7k2p" in shown  # provisioning scrolls
    assert "  web: Failed, Degraded in 40.0s: health gate failed" in shown
    assert "sync report" in shown
    report = shown[shown.index("sync report") :]
    assert "NotStarted" in report and "later" in report
    assert "Failed: tree Degraded in 45.5s" in report


def test_an_app_synced_again_after_the_last_wave_says_why_and_ends_with_its_second_result():
    body, report = plain_output(resynced_sync()).split("\n\n")
    assert "  mesh: sync again after the last wave: the cluster now serves monitoring.coreos.com/v1" in body
    assert "  mesh: created ServiceMonitor mesh/istiod" in body
    assert report.splitlines()[1:4] == [
        "root  root        Healthy  Synced",
        "-2    mesh        Healthy  Synced",
        "-1    prometheus  Healthy  Synced",
    ]


def test_summary_counts_apps_from_healthiest_to_least_healthy_as_argo_cd_ranks_them():
    summary = Summary(
        health="Degraded",
        phase="TimedOut",
        seconds=60.0,
        apps={"NotStarted": 1, "Degraded": 1, "Missing": 2, "Progressing": 1, "Suspended": 1, "Healthy": 3},
    )
    assert summary_line(summary) == (
        "TimedOut: tree Degraded in 1m00s (3 Healthy, 1 Suspended, 1 Progressing, 2 Missing, 1 Degraded, 1 NotStarted)"
    )
