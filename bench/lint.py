"""How long does `wavecd lint` take? The staging example and the synthetic 1,000-app tree, each with an empty
render cache (cold: the walk dominates) and with the cache it left (warm: the rules and the plan), beside
`wavecd tree` on the same tree and cache, so the rules' own share shows. Runs are interleaved; medians of
wall-clock and CPU seconds (CPU counts the render's worker processes).

Usage: .venv/bin/python bench/lint.py [--runs 3] [--apps 1000]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from synthetic import synthetic_repo

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "staging"
WAVECD = ROOT / ".venv" / "bin" / "wavecd"
PYCACHE = Path(tempfile.gettempdir()) / "wavecd-bench-pycache"


def _run(args: list[str], cache: Path) -> tuple[float, float]:
    """Wall-clock and CPU seconds of one `wavecd` run; lint's exit 1 (an error finding) is a normal end."""
    env = {**os.environ, "WAVECD_CACHE_DIR": str(cache), "PYTHONPYCACHEPREFIX": str(PYCACHE)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    before, start = os.times(), time.perf_counter()
    result = subprocess.run([str(WAVECD), *args], env=env, capture_output=True, text=True)
    elapsed, after = time.perf_counter() - start, os.times()
    if result.returncode not in (0, 1):
        sys.exit(f"wavecd {' '.join(args)} failed:\n{result.stderr}")
    return elapsed, after.children_user + after.children_system - before.children_user - before.children_system


def _median(runs: list[tuple[float, float]]) -> str:
    return f"{statistics.median(r[0] for r in runs):6.2f} s ({statistics.median(r[1] for r in runs):5.2f} cpu)"


def measure(name: str, tree: Path, runs: int) -> None:
    commands = {"lint": ["lint", str(tree)], "tree": ["tree", str(tree), "-o", "json"]}
    cold: dict[str, list[tuple[float, float]]] = {key: [] for key in commands}
    warm: dict[str, list[tuple[float, float]]] = {key: [] for key in commands}
    for _ in range(runs):
        for key, args in commands.items():
            with tempfile.TemporaryDirectory() as cache:
                cold[key].append(_run(args, Path(cache)))
                warm[key].append(_run(args, Path(cache)))
    for key in commands:
        print(f"{name:14s} {key:5s} cold {_median(cold[key])}   warm {_median(warm[key])}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--apps", type=int, default=1000)
    options = parser.parse_args()
    measure("staging", EXAMPLE, options.runs)
    with tempfile.TemporaryDirectory() as folder:
        tree = synthetic_repo(Path(folder) / "tree", options.apps)
        measure(f"synthetic-{options.apps}", tree, options.runs)


if __name__ == "__main__":
    main()
