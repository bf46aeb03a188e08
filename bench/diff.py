"""How fast is `wavecd diff` for a one-file change? The synthetic trees of 100 and 1,000 apps (`synthetic.py`)
committed to a git repository, one app's ConfigMaps file changed, then `wavecd diff ROOT` run as CI would run
it — against the 2 s goal of issue 14 for the 100-app tree (argocd-diff-preview: 60–100 s a run).

Two changes, each cold (an empty cache) and warm (the cache one identical run left):

* `worktree`: the change uncommitted, `--from HEAD` against the working tree (a developer before pushing);
* `commits`: the change committed, `--from HEAD~1 --to HEAD` (a pull request's base and head).

Runs are interleaved (cold and warm, worktree and commits, in turn), and each figure is the median of
`--runs`, wall-clock seconds with the CPU seconds of the process beside them.

Usage: .venv/bin/python bench/diff.py [--sizes 100,1000] [--runs 5] [--quick]
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

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import synthetic_repo

ROOT = Path(__file__).resolve().parents[1]
WAVECD = ROOT / ".venv" / "bin" / "wavecd"
PYCACHE = Path(tempfile.gettempdir()) / "wavecd-bench-pycache"
GOAL = 2.0


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=bench", "-c", "user.email=bench@example.com", *args], cwd=repo, check=True)


def _run(repo: Path, cache: Path, args: list[str]) -> tuple[float, float]:
    env = {**os.environ, "WAVECD_CACHE_DIR": str(cache), "PYTHONPYCACHEPREFIX": str(PYCACHE)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    before = os.times()
    start = time.perf_counter()
    done = subprocess.run([str(WAVECD), "diff", str(repo), *args, "-o", "json"], env=env, capture_output=True)
    wall = time.perf_counter() - start
    after = os.times()
    if done.returncode != 1:
        sys.exit(f"wavecd diff {' '.join(args)} exited {done.returncode}, expected 1:\n{done.stderr.decode()}")
    return wall, after.children_user + after.children_system - before.children_user - before.children_system


def _repo(folder: Path, apps: int) -> tuple[Path, Path]:
    """(the repository with the change committed, a clone whose working tree holds it uncommitted)."""
    committed = synthetic_repo(folder / "committed", apps)
    _git(committed, "init", "-q", "-b", "main")
    _git(committed, "add", "-A")
    _git(committed, "commit", "-q", "-m", "tree")
    _git(folder, "clone", "-q", str(committed), str(folder / "worktree"))
    for repo in (committed, folder / "worktree"):
        changed = repo / "services" / "svc-0000" / "configmaps.yaml"
        changed.write_text(changed.read_text().replace("LOG_LEVEL: info", "LOG_LEVEL: debug", 1))
    _git(committed, "commit", "-q", "-am", "svc-0000: debug logs")
    return committed, folder / "worktree"


def measure(apps: int, runs: int) -> dict[str, list[tuple[float, float]]]:
    results: dict[str, list[tuple[float, float]]] = {}
    with tempfile.TemporaryDirectory() as scratch:
        committed, worktree = _repo(Path(scratch), apps)
        cases = {
            "worktree": (worktree, ["--from", "HEAD"]),
            "commits": (committed, ["--from", "HEAD~1", "--to", "HEAD"]),
        }
        warm_caches = {name: Path(scratch) / f"cache-{name}" for name in cases}
        for name, (repo, args) in cases.items():
            _run(repo, warm_caches[name], args)  # fills the warm cache
        for _ in range(runs):
            for name, (repo, args) in cases.items():
                with tempfile.TemporaryDirectory() as cold:
                    results.setdefault(f"{name} cold", []).append(_run(repo, Path(cold), args))
                results.setdefault(f"{name} warm", []).append(_run(repo, warm_caches[name], args))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100,1000")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="100 apps, 3 runs")
    options = parser.parse_args()
    sizes = [100] if options.quick else [int(s) for s in options.sizes.split(",")]
    runs = 3 if options.quick else options.runs
    print(f"wavecd diff of a one-file change (median of {runs}; wall s, CPU s in brackets; goal {GOAL:.0f} s)")
    print(f"{'apps':>6}  {'case':<15} {'wall':>7} {'cpu':>8}  goal")
    for apps in sizes:
        for case, timings in measure(apps, runs).items():
            wall = statistics.median(t[0] for t in timings)
            cpu = statistics.median(t[1] for t in timings)
            verdict = "met" if wall < GOAL else "missed"
            print(f"{apps:>6}  {case:<15} {wall:7.2f} ({cpu:6.2f})  {verdict}")


if __name__ == "__main__":
    main()
