"""How fast `wavecd helm template` renders a real chart, next to real helm (`make bench`).

Chart: kube-prometheus-stack from the realworld cache (tools/realworld/realworld.py extracts and vendors
it) when present, else the seed's java-service, else a conformance chart. Timings (median of --runs):

* helm v4 / v3: `helm template` as a new process (skipped when tools/realhelm cannot provide helm);
* wavecd cold, empty cache: a new process with an empty wavecd cache folder (WAVECD_CACHE_DIR and
  XDG_CACHE_HOME point at a fresh directory);
* wavecd cold, filled cache: a new process reusing the cache folder a previous run filled;
* wavecd warm: the second and later renders inside one process (what a long-running server pays).

With `--baseline DIR` (a checkout of an earlier wavecd, e.g. a `git worktree add --detach` of main) the
two cold rows are also timed for that wavecd, and every new-process row takes its turn run by run, so a
change of load on the shared machine shifts them all alike.

Each row gives median wall seconds and median CPU seconds (user + system; the steadier figure when other
processes share the machine), and both as ratios to helm v4.

Also says whether wavecd's stdout equals helm's for the same invocation.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

import realhelm  # noqa: E402

KPS = Path("charts/prometheus-community+helm-charts/charts/kube-prometheus-stack")
SEED_CHART = ROOT / "examples/staging/common-charts/apps/java-service"
FALLBACK_CHART = ROOT / "tests/conformance/charts/deps"
WAVECD = [sys.executable, "-c", "from wavecd.cli.entry import main; main()"]
# an older checkout may predate cli/entry.py (then its `wavecd` script ran the click group itself)
BASELINE_WAVECD = [
    sys.executable,
    "-c",
    "try:\n    from wavecd.cli.entry import main\nexcept ImportError:\n    from wavecd.cli.main import main\nmain()",
]


def pick_charts() -> list[Path]:
    """kube-prometheus-stack (when the realworld cache has it) and the seed's java-service."""
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "wavecd" / "realworld"
    found = [c for c in (cache / KPS, SEED_CHART) if (c / "Chart.yaml").is_file()]
    return found or [pick_chart()]


def pick_chart() -> Path:
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "wavecd" / "realworld"
    for candidate in (cache / KPS, SEED_CHART, FALLBACK_CHART):
        if (candidate / "Chart.yaml").is_file():
            return candidate
    raise SystemExit("no chart to render: run tools/realworld/realworld.py --repo prometheus-community first")


def with_bytecode(env: dict[str, str]) -> dict[str, str]:
    """Let wavecd's processes import from .pyc files as an installed wavecd does (a shell that sets
    PYTHONDONTWRITEBYTECODE would otherwise make every run compile every module), kept outside the tree."""
    env = dict(env, PYTHONPYCACHEPREFIX=str(PYCACHE))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


PYCACHE = Path(tempfile.gettempdir()) / "wavecd-bench-pycache"
LOCAL_HELM = Path("/opt/realhelm")


class Timing(NamedTuple):
    """Median wall seconds and median CPU seconds (user + system) of the timed runs. CPU time is the
    steadier figure on a shared machine: other processes stretch wall time far more."""

    wall: float
    cpu: float


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed_process(cmd: list[str], env: dict[str, str], cwd: Path) -> tuple[Timing, bytes, int]:
    if cmd[0] == sys.executable:
        env = with_bytecode(env)
    cpu_before, start = _children_cpu(), time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, env=env, cwd=cwd, check=False)
    return Timing(time.perf_counter() - start, _children_cpu() - cpu_before), done.stdout, done.returncode


class Process(NamedTuple):
    """A row timed as a new process: its command, extra environment and whether each run starts with an
    empty wavecd cache folder (else the runs share one that a first, untimed run filled)."""

    label: str
    cmd: list[str]
    env: dict[str, str]
    fresh_cache: bool


def interleaved(rows: list[Process], runs: int, cwd: Path) -> dict[str, tuple[Timing, list[bytes], int]]:
    """Each row's median wall and CPU time, every run's stdout and its last exit status. The rows take turns
    run by run, so a change of load on the shared machine shifts them all alike."""
    times: dict[str, list[Timing]] = {row.label: [] for row in rows}
    outs: dict[str, list[bytes]] = {row.label: [] for row in rows}
    codes: dict[str, int] = {}
    with contextlib.ExitStack() as stack:
        shared = {row.label: stack.enter_context(tempfile.TemporaryDirectory(prefix="wavecd-bench-")) for row in rows}

        def env_of(row: Process, cache: str) -> dict[str, str]:
            return dict(os.environ, **row.env, WAVECD_CACHE_DIR=cache, XDG_CACHE_HOME=cache, TZ="UTC")

        for row in rows:
            if not row.fresh_cache:
                timed_process(row.cmd, env_of(row, shared[row.label]), cwd)
        for _ in range(runs):
            for row in rows:
                with tempfile.TemporaryDirectory(prefix="wavecd-bench-empty-") as empty:
                    cache = empty if row.fresh_cache else shared[row.label]
                    elapsed, out, codes[row.label] = timed_process(row.cmd, env_of(row, cache), cwd)
                times[row.label].append(elapsed)
                outs[row.label].append(out)
    return {label: (_median(times[label]), outs[label], codes[label]) for label in times}


def _median(times: list[Timing]) -> Timing:
    return Timing(statistics.median(t.wall for t in times), statistics.median(t.cpu for t in times))


def same_output(helm_runs: list[bytes], ours: bytes) -> bool:
    """Equal outside the lines where the reference's own runs disagree (random passwords, generated certs)."""
    reference = helm_runs[0].split(b"\n")
    mine = ours.split(b"\n")
    if len(mine) != len(reference):
        return False
    unstable = {
        i for run in helm_runs[1:] for i, (a, b) in enumerate(zip(reference, run.split(b"\n"), strict=False)) if a != b
    }
    return all(a == b for i, (a, b) in enumerate(zip(reference, mine, strict=True)) if i not in unstable)


def median_in_process(args: list[str], runs: int, cwd: Path) -> Timing:
    """Render once to warm up, then time further renders in this same process."""
    from click.testing import CliRunner

    from wavecd.cli.main import main

    runner = CliRunner()

    def render() -> None:
        runner.invoke(main, ["helm", *args])

    previous = Path.cwd()
    os.chdir(cwd)
    try:
        render()
        times = []
        for _ in range(runs):
            cpu_before, start = time.process_time(), time.perf_counter()
            render()
            times.append(Timing(time.perf_counter() - start, time.process_time() - cpu_before))
    finally:
        os.chdir(previous)
    return _median(times)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs per row (at least 2)")
    parser.add_argument("--chart", type=Path, help="render this chart instead of the default choice")
    parser.add_argument(
        "--baseline",
        type=Path,
        help="also time the wavecd of this checkout (e.g. `git worktree add --detach /tmp/base main`), interleaved",
    )
    options = parser.parse_args(argv)
    options.runs = max(options.runs, 2)
    for mode in ("v4", "v3"):  # the reference binaries of this machine, when present
        local = LOCAL_HELM / f"helm-{mode}"
        if local.is_file() and f"WAVECD_HELM_{mode.upper()}" not in os.environ:
            os.environ[f"WAVECD_HELM_{mode.upper()}"] = str(local)
    charts = [options.chart] if options.chart else pick_charts()
    for n, chart in enumerate(charts):
        if n:
            print()
        bench_chart(chart.resolve(), options.runs, options.baseline and options.baseline.resolve())
    return 0


def bench_chart(chart: Path, runs: int, baseline: Path | None) -> None:
    """Print the table of one chart."""
    options = argparse.Namespace(runs=runs)
    cwd = chart.parent
    template_args = ["template", "release", chart.name, "--namespace", "bench", "--include-crds"]
    print(f"chart: {chart}\nruns: {options.runs} (median)\n")

    processes: list[Process] = []
    for mode in ("v4", "v3"):
        helm = realhelm.try_helm_path(mode)
        if helm is None:
            print(f"helm {mode}: unavailable (no npm/network and no WAVECD_HELM_{mode.upper()}); skipped")
            continue
        processes.append(Process(f"helm {mode} (new process)", [str(helm), *template_args], {}, False))
    wavecd_args = ["helm", "template", "--helm-compat", "v4", *template_args[1:]]
    versions = [("wavecd", WAVECD, {})]
    if baseline is not None:
        versions.append(("baseline", BASELINE_WAVECD, {"PYTHONPATH": str(baseline / "src")}))
    for name, cmd, env in versions:
        processes.append(Process(f"{name} cold, empty cache", [*cmd, *wavecd_args], env, True))
        processes.append(Process(f"{name} cold, filled cache", [*cmd, *wavecd_args], env, False))
    measured = interleaved(processes, options.runs, cwd)
    rows = [(label, timing) for label, (timing, _, _) in measured.items()]
    rows.append(("wavecd warm (same process)", median_in_process(wavecd_args[1:], options.runs, cwd)))
    helm_out = {
        mode: measured[f"helm {mode} (new process)"][1]
        for mode in ("v4", "v3")
        if f"helm {mode} (new process)" in measured
    }
    _, our_runs, rc = measured["wavecd cold, empty cache"]

    base = rows[0][1] if "v4" in helm_out else None
    ratios = f"{'× helm v4':>12}{'CPU × v4':>12}" if base else ""
    print(f"{'':30}{'seconds':>10}{'CPU s':>10}{ratios}")
    for label, timing in rows:
        ratio = f"{timing.wall / base.wall:>12.2f}{timing.cpu / base.cpu:>12.2f}" if base else ""
        print(f"{label:30}{timing.wall:>10.3f}{timing.cpu:>10.3f}{ratio}")
    if "v4" in helm_out:
        same = "identical" if rc == 0 and same_output(helm_out["v4"], our_runs[-1]) else "DIFFERENT"
        print(f"\nwavecd stdout vs helm v4: {same} (ignoring lines that differ between helm's own runs)")
    if baseline is not None:
        _, base_runs, base_rc = measured["baseline cold, empty cache"]
        same = "identical" if base_rc == rc and same_output(our_runs, base_runs[-1]) else "DIFFERENT"
        print(f"wavecd stdout vs baseline: {same} (ignoring lines that differ between wavecd's own runs)")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
