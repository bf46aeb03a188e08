"""`wavecd sync -o json`: one JSON object per line, exactly each event's `to_json()`, nothing else on stdout."""

from __future__ import annotations

import io
import json

from sync_events import failed_sync, resynced_sync

from wavecd.cli.progress import JsonLines

# The keys a consumer of `-o json` can rely on (README's events table); keys whose value is None are left out.
EXPECTED_KEYS = {
    "render": {"event", "apps", "errors", "seconds"},
    "plan": {"event", "root", "waves", "server", "kube_version", "dry_run"},
    "wave_started": {"event", "wave", "apps"},
    "app_started": {"event", "app", "wave", "resources", "steps"},
    "applied": {"event", "app", "wave", "resource_wave", "phase", "group", "kind", "namespace", "resource",
                "result", "message", "hook"},
    "pruned": {"event", "app", "wave", "resource_wave", "group", "kind", "namespace", "resource", "result",
               "message"},
    "hook_deleted": {"event", "app", "wave", "resource_wave", "kind", "namespace", "resource", "policy"},
    "waiting": {"event", "app", "wave", "resource_wave", "blockers", "elapsed"},
    "retry": {"event", "app", "wave", "attempt", "delay", "message"},
    "app_finished": {"event", "app", "wave", "health", "sync", "message", "blocking", "seconds"},
    "wave_finished": {"event", "wave", "health", "seconds"},
    "resync": {"event", "app", "wave", "reason"},
    "summary": {"event", "health", "phase", "message", "seconds", "apps", "stopped_at", "blocking", "dry_run",
                "exit_code"},
}
OPTIONAL = {"message", "hook", "blocking", "stopped_at", "wave", "resource_wave"}


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
