"""Outside programs run for a render are bounded (time, output, the whole process group), and Argo CD's
`Envsubst` substitutes only its build variables, with Go's `os.Expand` rules."""

from __future__ import annotations

import os
import time

import pytest

from wavecd.apps.build_env import envsubst
from wavecd.apps.tool_run import ToolFailed, ToolTimeout, run_tool


def test_output_past_the_limit_stops_the_program(tmp_path):
    started = time.monotonic()
    with pytest.raises(ToolFailed, match="its output passed the limit of 1000 bytes"):
        run_tool(["yes"], cwd=tmp_path, env=os.environ, output_limit=1000, timeout=30)
    assert time.monotonic() - started < 20  # stopped, not run to its time limit


def test_a_time_out_kills_what_the_program_started(tmp_path):
    script = "sleep 30 & echo $! > child; wait"
    with pytest.raises(ToolTimeout, match=r"`sh -c '.*'` failed timeout after 0.3s"):
        run_tool(["sh", "-c", script], cwd=tmp_path, env=os.environ, timeout=0.3)
    child = int((tmp_path / "child").read_text())
    for _ in range(100):
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    pytest.fail("the program's own child outlived the time limit")


def test_a_failure_shows_the_command_and_stderr(tmp_path):
    with pytest.raises(ToolFailed) as caught:
        run_tool(["sh", "-c", f"echo 'bad in {tmp_path}' >&2; exit 4"], cwd=tmp_path, env=os.environ, hide=tmp_path)
    assert caught.value.message.endswith("failed exit status 4: bad in .")


def test_a_missing_program_is_an_error_not_a_traceback(tmp_path):
    with pytest.raises(ToolFailed, match="no-such-program"):
        run_tool(["no-such-program"], cwd=tmp_path, env=os.environ)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("$ARGOCD_APP_NAME-${ARGOCD_APP_NAMESPACE}", "app-ns"),
        ("$UNKNOWN|${HOME}", "|"),  # only the build variables: never the process environment
        ("cost $$5", "cost $5"),
        ("a${}b", "ab"),
        ("trailing $", "trailing $"),
        ("$-x", "x"),
        ("100% $ sure", "100% $ sure"),
    ],
)
def test_envsubst_follows_go_os_expand(text, expected):
    assert envsubst(text, {"ARGOCD_APP_NAME": "app", "ARGOCD_APP_NAMESPACE": "ns"}) == expected
