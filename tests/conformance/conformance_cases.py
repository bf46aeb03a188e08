"""The conformance cases and their recorded expectations, shared by the test, `tools/golden.py` and
`tools/conformance_report.py` so that all three agree on names, paths and normalisation.

A case is one `helm template` invocation run with `tests/conformance/` as working directory. Its expected
result for a mode (v3 = helm 3.17.2, v4 = helm 4.1.4, v4.2 = helm 4.2.2) is stored in
`expected/<mode>/<case>.{out,err,rc}`, recorded from the real helm binary, never from wavecd.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
CASES_FILE = HERE / "cases.yaml"
EXPECTED_DIR = HERE / "expected"
MODES = ("v3", "v4", "v4.2")

# Helm prints absolute paths in a few messages (e.g. a chart directory without Chart.yaml in v4); the
# recordings hold this placeholder instead, so they do not depend on where the repository is checked out.
DIR_PLACEHOLDER = "<CONFORMANCE_DIR>"


@dataclass(frozen=True)
class Case:
    """One `helm template` invocation; `args` are helm's arguments after `template`."""

    name: str
    args: tuple[str, ...]
    modes: tuple[str, ...]
    note: str = ""


@dataclass(frozen=True)
class Expected:
    """What real helm printed and returned for one case in one mode."""

    stdout: bytes
    stderr: bytes
    rc: int


def load_cases(path: Path = CASES_FILE) -> list[Case]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    cases: list[Case] = []
    seen: set[str] = set()
    for entry in raw:
        name = entry["name"]
        if name in seen:
            raise ValueError(f"{path}: duplicate case name {name!r}")
        seen.add(name)
        modes = tuple(entry.get("modes") or MODES)
        unknown = set(modes) - set(MODES)
        if unknown:
            raise ValueError(f"{path}: case {name!r} has unknown modes {sorted(unknown)}")
        cases.append(Case(name, tuple(str(a) for a in entry.get("args") or ()), modes, entry.get("note", "")))
    return cases


def case_mode_pairs(cases: list[Case]) -> list[tuple[Case, str]]:
    return [(case, mode) for case in cases for mode in case.modes]


def expected_path(mode: str, name: str, suffix: str) -> Path:
    """`expected/<mode>/<name><suffix>`; suffix is ".out", ".err" or ".rc"."""
    return EXPECTED_DIR / mode / f"{name}{suffix}"


def normalise(data: bytes) -> bytes:
    """Replace this checkout's absolute path with the placeholder (applied to helm's and wavecd's bytes)."""
    return data.replace(str(HERE).encode(), DIR_PLACEHOLDER.encode())


def read_expected(mode: str, name: str) -> Expected | None:
    try:
        stdout = expected_path(mode, name, ".out").read_bytes()
        stderr = expected_path(mode, name, ".err").read_bytes()
        rc = int(expected_path(mode, name, ".rc").read_text(encoding="ascii").strip())
    except FileNotFoundError:
        return None
    return Expected(stdout, stderr, rc)


def write_expected(mode: str, name: str, result: Expected) -> None:
    expected_path(mode, name, ".out").parent.mkdir(parents=True, exist_ok=True)
    expected_path(mode, name, ".out").write_bytes(result.stdout)
    expected_path(mode, name, ".err").write_bytes(result.stderr)
    expected_path(mode, name, ".rc").write_text(f"{result.rc}\n", encoding="ascii")


def first_line(data: bytes) -> bytes:
    """The first non-empty line: the error message a user reads first (the conformance bar for errors)."""
    for line in data.splitlines():
        if line.strip():
            return line
    return b""
