"""Run one conformance case through wavecd in-process and compare it with real helm's recording.

Shared by `test_conformance.py` and `tools/conformance_report.py`, so the test and the report judge a
case the same way.
"""

from __future__ import annotations

import os
import time
import traceback
from dataclasses import dataclass

import conformance_cases as cc


@dataclass(frozen=True)
class Actual:
    """What wavecd printed; `crash` holds a Python traceback if wavecd raised instead of reporting."""

    stdout: bytes
    stderr: bytes
    rc: int
    crash: str = ""


@dataclass(frozen=True)
class Verdict:
    """How wavecd's result compares with helm's, from the bar (rc, stdout, first error line) to the goal."""

    rc: bool
    stdout: bool
    first_error_line: bool
    stderr: bool
    crash: bool

    @property
    def passed(self) -> bool:
        """The conformance bar: same exit status and stdout; when helm fails, the same first stderr line."""
        return self.rc and self.stdout and self.first_error_line and not self.crash


def use_hermetic_process_state() -> None:
    """Match the recording environment of tools/golden.py (cwd and time zone); call once per process."""
    os.chdir(cc.HERE)
    os.environ["TZ"] = "UTC"
    time.tzset()


def run_wavecd(case: cc.Case, mode: str) -> Actual:
    """`wavecd helm template --helm-compat <mode> <args>` in-process; cwd must be tests/conformance/."""
    from click.testing import CliRunner

    from wavecd.cli.main import main

    result = CliRunner().invoke(main, ["helm", "template", "--helm-compat", mode, *case.args])
    crash = ""
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        crash = "".join(traceback.format_exception(result.exception))
    return Actual(cc.normalise(result.stdout_bytes), cc.normalise(result.stderr_bytes), result.exit_code, crash)


def judge(expected: cc.Expected, actual: Actual) -> Verdict:
    first_ok = expected.rc == 0 or cc.first_line(expected.stderr) == cc.first_line(actual.stderr)
    return Verdict(
        rc=expected.rc == actual.rc,
        stdout=expected.stdout == actual.stdout,
        first_error_line=first_ok,
        stderr=expected.stderr == actual.stderr,
        crash=bool(actual.crash),
    )
