"""Summarise how wavecd's `helm template` compares with real helm on the conformance cases.

Runs every case × mode of tests/conformance/cases.yaml through wavecd in-process (as the test does) and
prints, per mode: cases with identical stdout and exit status, how many of helm's failures wavecd matches
on the first error line (the bar) and on the whole stderr (the goal), crashes, and the passing total.
`--list` also names each failing case with the first thing that differs.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "conformance"))

import conformance_cases as cc  # noqa: E402
from conformance_runner import Verdict, judge, run_wavecd, use_hermetic_process_state  # noqa: E402


def first_difference(verdict: Verdict) -> str:
    if verdict.crash:
        return "python exception"
    if not verdict.rc:
        return "exit status"
    if not verdict.stdout:
        return "stdout"
    if not verdict.first_error_line:
        return "first error line"
    return "stderr (beyond the first line)"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--list", action="store_true", help="name every case that does not pass the bar")
    parser.add_argument("--mode", choices=cc.MODES, action="append", help="only these modes (default all)")
    args = parser.parse_args(argv)
    modes = args.mode or list(cc.MODES)
    use_hermetic_process_state()

    counts: dict[str, Counter[str]] = {mode: Counter() for mode in modes}
    failures: list[str] = []
    for case, mode in cc.case_mode_pairs(cc.load_cases()):
        if mode not in modes:
            continue
        expected = cc.read_expected(mode, case.name)
        tally = counts[mode]
        tally["cases"] += 1
        if expected is None:
            tally["unrecorded"] += 1
            continue
        verdict = judge(expected, run_wavecd(case, mode))
        tally["stdout+rc identical"] += verdict.stdout and verdict.rc
        tally["crash"] += verdict.crash
        tally["passed (bar)"] += verdict.passed
        tally["whole stderr identical"] += verdict.stderr
        if expected.rc != 0:
            tally["helm errors"] += 1
            tally["first error line match"] += verdict.first_error_line and verdict.rc
        if not verdict.passed:
            failures.append(f"{mode}/{case.name}: {first_difference(verdict)}")

    rows = [
        "cases",
        "passed (bar)",
        "stdout+rc identical",
        "helm errors",
        "first error line match",
        "whole stderr identical",
        "crash",
        "unrecorded",
    ]
    print(f"{'':26}" + "".join(f"{mode:>8}" for mode in modes))
    for row in rows:
        print(f"{row:26}" + "".join(f"{counts[mode][row]:>8}" for mode in modes))
    if args.list:
        print("\nnot passing:")
        for line in failures:
            print(f"  {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
