"""Outside programs run for a render are bounded (time, output, memory, the whole process group), and Argo CD's
`Envsubst` substitutes only its build variables, with Go's `os.Expand` rules."""

from __future__ import annotations

import os
import resource
import sys
import time
from pathlib import Path

import pytest

from wavecd.apps.build_env import envsubst
from wavecd.apps.errors import AppError
from wavecd.apps.tool_run import ToolFailed, ToolTimeout, run_tool


def assert_gone(pid_file: Path) -> None:
    """The process whose id the program wrote to `pid_file` is gone (killed with the program's group)."""
    child = int(pid_file.read_text())
    for _ in range(100):
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    pytest.fail("the program's own child outlived it")


def test_output_past_the_limit_stops_the_program_and_its_children(tmp_path):
    script = "sleep 60 & echo $! > child; exec yes"
    with pytest.raises(ToolFailed) as caught:  # not a timeout: stopped by the output limit
        run_tool(["sh", "-c", script], cwd=tmp_path, env=os.environ, output_limit=1000, timeout=60)
    assert caught.value.message.endswith("failed: its output passed the limit of 1000 bytes")
    assert_gone(tmp_path / "child")


def test_a_time_out_kills_what_the_program_started(tmp_path):
    script = "sleep 30 & echo $! > child; wait"
    with pytest.raises(ToolTimeout, match=r"`sh -c '.*'` failed timeout after 0.3s"):
        run_tool(["sh", "-c", script], cwd=tmp_path, env=os.environ, timeout=0.3)
    assert_gone(tmp_path / "child")


@pytest.mark.skipif(not hasattr(resource, "prlimit"), reason="the memory cap needs Linux's prlimit")
def test_a_program_past_the_memory_limit_fails(tmp_path, monkeypatch):
    monkeypatch.setenv("WAVECD_TOOL_MEMORY_MB", "512")
    grab = "import time; time.sleep(0.5); b = bytearray(1 << 30); print('allocated')"
    with pytest.raises(ToolFailed) as caught:
        run_tool([sys.executable, "-c", grab], cwd=tmp_path, env=os.environ, timeout=60)
    assert "failed exit status 1" in caught.value.message and "MemoryError" in caught.value.message
    monkeypatch.setenv("WAVECD_TOOL_MEMORY_MB", "0")  # no cap: the same program runs
    assert run_tool([sys.executable, "-c", grab], cwd=tmp_path, env=os.environ, timeout=60) == "allocated\n"


def test_a_bad_memory_setting_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("WAVECD_TOOL_MEMORY_MB", "lots")
    with pytest.raises(AppError, match="WAVECD_TOOL_MEMORY_MB='lots': expected a whole number of megabytes"):
        run_tool(["true"], cwd=tmp_path, env=os.environ)


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
