"""wavecd's `helm template` against real helm's recorded output, case by case and mode by mode.

The bar: the same exit status and byte-identical stdout; when helm fails, the same first stderr line.
Whole-stderr equality is the goal: it is recorded as the `stderr_exact` property of each test (and counted
by tools/conformance_report.py) rather than asserted.
"""

from __future__ import annotations

import time

import conformance_cases as cc
import pytest
from conformance_runner import judge, run_wavecd

pytestmark = pytest.mark.conformance

PAIRS = cc.case_mode_pairs(cc.load_cases())


@pytest.fixture
def recording_environment(monkeypatch):
    """The working directory and time zone tools/golden.py recorded helm with."""
    monkeypatch.chdir(cc.HERE)
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def _show(data: bytes, limit: int = 3000) -> str:
    text = data.decode("utf-8", errors="backslashreplace")
    return text if len(text) <= limit else text[:limit] + f"\n… ({len(text) - limit} more characters)"


@pytest.mark.parametrize(("case", "mode"), PAIRS, ids=[f"{mode}-{case.name}" for case, mode in PAIRS])
def test_matches_real_helm(case: cc.Case, mode: str, recording_environment, record_property) -> None:
    expected = cc.read_expected(mode, case.name)
    assert expected is not None, f"no recording for {mode}/{case.name}: run `make golden`"
    actual = run_wavecd(case, mode)
    verdict = judge(expected, actual)
    record_property("stderr_exact", verdict.stderr)

    assert not actual.crash, f"wavecd raised instead of reporting an error:\n{actual.crash}"
    assert actual.rc == expected.rc, (
        f"exit status {actual.rc}, helm {expected.rc}\nwavecd stderr:\n{_show(actual.stderr)}\n"
        f"helm stderr:\n{_show(expected.stderr)}"
    )
    if not verdict.stdout:
        assert actual.stdout.decode("utf-8", "backslashreplace") == expected.stdout.decode("utf-8", "backslashreplace")
        pytest.fail("stdout differs in bytes that are not valid UTF-8")
    if expected.rc != 0:
        assert _show(cc.first_line(actual.stderr)) == _show(cc.first_line(expected.stderr))
