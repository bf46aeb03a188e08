"""How fast does `wavecd sync` roll a tree out, and how does the time grow with the tree?

Usage: .venv/bin/python bench/sync.py [--sizes 10,100,300,1000] [--speed 100] [--quick]
                                      [--baseline DIR [--runs 3]]
       .venv/bin/python bench/sync.py --profile 1000 [--seconds 60] [--top 25]

`--baseline DIR` measures every workload in DIR too (a checkout of an earlier commit, e.g.
`git worktree add --detach ../base main`), interleaved with this tree, `--runs` times each, and prints
the medians side by side; with `--sim-process` too, this tree is also measured with the sim in a process
of its own (as `wavecd sync --sim --sim-process`). Sizes up to 10000 apps (x 20 objects) are accepted;
at 10,000 apps a run takes tens of minutes on a loaded 2-core machine.

Two workloads, each synced into a fresh in-process simulated cluster:

* the staging example (examples/staging: 46 rendered apps, 19 tree waves);
* a synthetic tree: a root app declaring N Applications over 5 tree waves, each a folder of 20 plain
  manifests (8 ConfigMaps, 4 Secrets, 3 Services, 2 Deployments, a ServiceAccount, a Role, a RoleBinding)
  in one of 10 namespaces the apps create (`CreateNamespace=true`).

What is zeroed and what is not: the simulated controllers' delays are zero (`Rules(scale=0)`: a Deployment's
pods are Ready as soon as the controller thread gets to them). The sync's own waits are kept (Argo CD's 2 s
between waves, the health gate's 1 s poll) but run on a clock `--speed` times faster than real time, shared
by the sim and the sync. So "sim s" is the time the sync believes it took (its Summary), and wall seconds are
mostly CPU: rendering, HTTP round trips and the sim serving them in the same process.

Each measurement runs in a child process, so its peak RSS is its own. `--profile N` runs the N-app sync once
under cProfile, every thread on its own CPU time (so waiting for the GIL or a socket counts nowhere), and
prints CPU seconds by package and the top functions.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import itertools
import json
import math
import os
import pstats
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

from synthetic import synthetic_repo

from wavecd.apps.session import TreeRequest, open_session
from wavecd.core import Clock, Event, RealClock
from wavecd.kube import KubeClient
from wavecd.plan import plan_tree
from wavecd.sim import SimCluster
from wavecd.sim.process import sim_process
from wavecd.sim.timing import Rules
from wavecd.sync.events import ResourceApplied, Summary, WaitingOn
from wavecd.sync.settings import ClusterFacts, SyncSettings
from wavecd.sync.tree_sync import sync_tree

ROOT = Path(__file__).resolve().parents[1]
PODS_PER_APP = 2  # the synthetic tree's Deployments, one replica each
PODS_PER_NODE = 50  # of the 58 an m5.2xlarge sim node takes
MAX_CLI_NODES = 100  # what `wavecd sim serve --nodes` accepts
EXAMPLE = ROOT / "examples" / "staging"
STAGING = "staging"


class MeteredClock:
    """The shared clock, counting the sync's sleeps (wave delays, health polls, retries) and the simulated
    seconds they asked for, summed over the threads that slept (parallel apps overlap)."""

    def __init__(self, clock: Clock):
        self.clock = clock
        self.sleeps = 0
        self.slept = 0.0
        self._lock = threading.Lock()

    def now(self) -> float:
        return self.clock.now()

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps += 1
            self.slept += seconds
        self.clock.sleep(seconds)


# -- one measurement (in a child process) ------------------------------------------------------------------------------
def measure(
    root: Path,
    speed: float,
    profile: cProfile.Profile | None = None,
    limit: float | None = None,
    in_child: bool = False,
    nodes: int = 1,
) -> dict[str, Any]:
    """Render and plan ROOT (no render cache), then sync it into a fresh sim of `nodes` nodes (`in_child`: in
    a process of its own), stopping after `limit` wall seconds if given; the figures as a dict."""
    started = time.perf_counter()
    session = open_session(TreeRequest(root=root, use_cache=False))
    plan = plan_tree(session.tree)
    render_seconds = time.perf_counter() - started

    def render(name: str, facts: ClusterFacts) -> list[dict[str, Any]]:
        return session.render_at(name, facts.kube_version, facts.api_versions)

    counts: Counter[str] = Counter()
    summary: list[Summary] = []

    def emit(event: Event) -> None:
        counts[type(event).__name__] += 1
        if isinstance(event, Summary):
            summary.append(event)

    base = RealClock(speed)
    clock = MeteredClock(base)
    with tempfile.TemporaryDirectory(prefix="wavecd-bench-sync-") as work:
        log = Path(work) / "requests.jsonl"
        with contextlib.ExitStack() as stack:
            if in_child:
                kubeconfig = stack.enter_context(
                    sim_process(speed=speed, delay_scale=0, request_log=str(log), nodes=min(nodes, MAX_CLI_NODES))
                )
                client = stack.enter_context(KubeClient.from_kubeconfig(str(kubeconfig)))
            else:
                sim = stack.enter_context(
                    SimCluster(clock=base, rules=Rules(scale=0), request_log_path=str(log), nodes=nodes)
                )
                client = stack.enter_context(KubeClient.for_server(sim.url))
            if profile is not None:
                profile.enable()
            started, cpu_started = time.perf_counter(), _cpu_seconds()
            settings = SyncSettings(timeout=None if limit is None else limit * speed)
            result = sync_tree(plan, client, render, settings=settings, clock=clock, emit=emit)
            sync_seconds, sync_cpu = time.perf_counter() - started, _cpu_seconds() - cpu_started
            if profile is not None:
                profile.disable()
        # The sim's own process, once it has ended (its start-up included): the CPU the sync cost it.
        sync_cpu += _cpu_seconds(resource.RUSAGE_CHILDREN)
        requests = Counter(_request_kind(json.loads(line)) for line in log.read_text().splitlines())
    return {
        "apps": sum(1 for node in plan.order if node.app is not None),
        "objects": counts[ResourceApplied.__name__],
        "waves": len(plan.waves),
        "render_seconds": render_seconds,
        "sync_seconds": sync_seconds,
        "sync_cpu": sync_cpu,
        "sim_seconds": summary[-1].seconds if summary else None,
        "phase": result.phase,
        "health": result.health,
        "sleeps": clock.sleeps,
        "slept": clock.slept,
        "gate_reports": counts[WaitingOn.__name__],
        "requests": dict(requests),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def _cpu_seconds(who: int = resource.RUSAGE_SELF) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def _request_kind(entry: dict[str, Any]) -> str:
    """Discovery, or the method (a server-side apply is a PATCH)."""
    parts = entry["path"].split("?")[0].strip("/").split("/")
    if (
        parts[0] in ("version", "openapi")
        or (parts[0] == "api" and len(parts) <= 2)
        or (parts[0] == "apis" and len(parts) <= 3)
    ):
        return "discovery"
    return entry["method"]


def run_child(workload: str, speed: float, tree: Path = ROOT, sim_process: bool = False) -> dict[str, Any]:
    """The figures for `staging` or a synthetic size, measured in a fresh interpreter with `tree`'s code
    (its own bench/sync.py, so an older commit is measured as it measured itself)."""
    command = [sys.executable, str(tree / "bench" / "sync.py"), "--measure", workload, "--speed", str(speed)]
    command += ["--sim-process"] if sim_process else []
    env = {**os.environ, "PYTHONPATH": str(tree / "src")}
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    if done.returncode != 0:
        sys.exit(f"measuring {workload} in {tree} failed:\n{done.stderr}")
    return json.loads(done.stdout.splitlines()[-1])


def _median_of(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run whose sync CPU is the median (its other figures come with it)."""
    return sorted(runs, key=lambda f: f["sync_cpu"])[len(runs) // 2]


def compare(workloads: list[str], speed: float, baseline: Path, runs: int, sim_process: bool) -> None:
    """Each workload in the baseline tree and in this one (and, with `sim_process`, this one with the sim in
    a process of its own), alternately, `runs` times; medians side by side."""
    variants = [("before", baseline, False), ("after", ROOT, False)]
    if sim_process:
        variants.append(("after+proc", ROOT, True))
    print(
        f"before = {baseline}, after = {ROOT}; {runs} interleaved runs each, the run of median CPU shown "
        f"(after+proc: the sim in its own process, its CPU included)\n"
        f"  {'tree':>8} {'':10} {'objects':>8} {'sync s':>8} {'cpu s':>7} {'cpu ms/obj':>10} {'req/obj':>7} "
        f"{'GET':>6} {'RSS MB':>7}  result"
    )
    for workload in workloads:
        measured: dict[str, list[dict[str, Any]]] = {label: [] for label, _, _ in variants}
        for _ in range(runs):
            for label, tree, in_child in variants:
                measured[label].append(run_child(workload, speed, tree, in_child))
        for label, _, _ in variants:
            figures = _median_of(measured[label])
            requests = sum(figures["requests"].values())
            objects = figures["objects"] or 1
            print(
                f"  {workload:>8} {label:10} {figures['objects']:8} {figures['sync_seconds']:8.2f} "
                f"{figures['sync_cpu']:7.1f} {1000 * figures['sync_cpu'] / objects:10.2f} "
                f"{requests / objects:7.2f} {figures['requests'].get('GET', 0):6} {figures['peak_rss_mb']:7.0f}  "
                f"{figures['phase']}/{figures['health']}",
                flush=True,
            )


def measure_workload(
    workload: str,
    speed: float,
    profile: cProfile.Profile | None = None,
    limit: float | None = None,
    in_child: bool = False,
) -> dict[str, Any]:
    if workload == STAGING:
        return measure(EXAMPLE, speed, profile, limit, in_child)
    apps = int(workload)
    with tempfile.TemporaryDirectory(prefix="wavecd-bench-tree-") as work:
        return measure(synthetic_repo(Path(work) / "repo", apps), speed, profile, limit, in_child, _nodes_for(apps))


def _nodes_for(apps: int) -> int:
    """Nodes enough for the synthetic tree's pods (two one-replica Deployments an app, 58 pods a node, room
    for the system's): since the sim schedules by capacity, a tree on one node would wait forever."""
    return 1 + math.ceil(PODS_PER_APP * apps / PODS_PER_NODE)


# -- profiling ---------------------------------------------------------------------------------------------------------
def profile_run(apps: int, speed: float, top: int, limit: float) -> None:
    """One synthetic sync, stopped after `limit` wall seconds, with every thread profiled (the apps' workers,
    the sim's HTTP handlers and controllers)."""
    profiles: list[cProfile.Profile] = []
    lock = threading.Lock()

    def start_thread_profile(*_: object) -> None:
        sys.setprofile(None)
        thread_profile = cProfile.Profile(time.thread_time)
        with lock:
            profiles.append(thread_profile)
        thread_profile.enable()

    main_profile = cProfile.Profile(time.thread_time)
    threading.setprofile(start_thread_profile)
    figures = measure_workload(str(apps), speed, main_profile, limit)
    threading.setprofile(None)  # type: ignore[arg-type]
    for thread_profile in profiles:
        thread_profile.disable()
    stats = pstats.Stats(main_profile)
    for thread_profile in profiles:
        stats.add(thread_profile)
    print(
        f"profile of a {apps}-app sync under cProfile, every thread: {figures['sync_seconds']:.1f} s wall "
        f"({figures['objects']} objects, {sum(figures['requests'].values())} requests), "
        f"{len(profiles)} threads profiled, ended {figures['phase']}"
    )
    print("CPU seconds by package (own time of its functions; C built-ins counted apart):")
    buckets = _by_package(stats)
    total = sum(buckets.values()) or 1.0
    for package, seconds in buckets.most_common(15):
        print(f"  {package:32} {seconds:7.2f}  {100 * seconds / total:5.1f}%")
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)


def _by_package(stats: pstats.Stats) -> Counter[str]:
    """Own time summed by where the function lives: a site package, a wavecd subpackage, a stdlib module."""
    out: Counter[str] = Counter()
    for (filename, _, _), (_, _, own, _, _) in stats.stats.items():  # type: ignore[attr-defined]
        path = Path(filename)
        if filename == "~":
            package = "C built-ins (socket, locks, ...)"
        elif "site-packages" in path.parts:
            package = path.parts[path.parts.index("site-packages") + 1]
        elif "wavecd" in path.parts:
            package = ".".join(path.parts[path.parts.index("wavecd") :][:2])
        elif path.parent.name == "bench":
            package = "bench"
        else:
            package = "stdlib " + (
                path.parent.name
                if path.parent.name != f"python{sys.version_info[0]}.{sys.version_info[1]}"
                else path.stem
            )
        out[package] += own
    return out


# -- the report --------------------------------------------------------------------------------------------------------
def _row(label: str, f: dict[str, Any]) -> str:
    requests = sum(f["requests"].values())
    per_object = requests / f["objects"] if f["objects"] else 0.0
    return (
        f"  {label:>8} {f['apps']:6} {f['objects']:8} {f['render_seconds']:9.2f} {f['sync_seconds']:9.2f} "
        f"{f['sync_cpu']:7.1f} {f['sim_seconds'] or 0:9.0f} {1000 * f['sync_seconds'] / f['apps']:8.1f} "
        f"{requests:9} {per_object:7.2f} {f['peak_rss_mb']:8.0f}  {f['phase']}/{f['health']}"
    )


HEADER = (
    f"  {'tree':>8} {'apps':>6} {'objects':>8} {'render s':>9} {'sync s':>9} {'cpu s':>7} {'sim s':>9} "
    f"{'ms/app':>8} {'requests':>9} {'req/obj':>7} {'RSS MB':>8}  result"
)


def _sizes(parser: argparse.ArgumentParser, text: str) -> list[int]:
    try:
        sizes = [int(s) for s in text.split(",")]
    except ValueError:
        parser.error(f"--sizes {text!r}: expected app counts separated by commas, such as 10,100,300")
    if any(size < 1 for size in sizes):
        parser.error(f"--sizes {text!r}: every size must be at least 1")
    return sizes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,100,300,1000", help="synthetic tree sizes, in apps")
    parser.add_argument("--speed", type=float, default=100.0, help="simulated seconds per real second")
    parser.add_argument("--quick", action="store_true", help="sizes 10 and 100 only")
    parser.add_argument("--profile", type=int, metavar="N", help="profile an N-app sync instead")
    parser.add_argument("--top", type=int, default=25, help="functions listed by --profile")
    parser.add_argument("--seconds", type=float, default=60.0, help="--profile stops the sync after this long")
    parser.add_argument("--baseline", type=Path, help="also measure this checkout, interleaved (before/after)")
    parser.add_argument("--runs", type=int, default=3, help="interleaved runs per workload with --baseline")
    parser.add_argument(
        "--sim-process", action="store_true", help="run the sim in a process of its own (wavecd sync --sim-process)"
    )
    parser.add_argument("--measure", help=argparse.SUPPRESS)  # the child process's workload
    args = parser.parse_args()
    if args.speed <= 0:
        parser.error("--speed must be positive")
    if args.measure:
        print(json.dumps(measure_workload(args.measure, args.speed, in_child=args.sim_process)))
        return
    if args.profile:
        profile_run(args.profile, args.speed, args.top, args.seconds)
        return
    sizes = [10, 100] if args.quick else _sizes(parser, args.sizes)
    if args.baseline is not None:
        if not (args.baseline / "bench" / "sync.py").is_file():
            parser.error(f"--baseline {args.baseline}: not a wavecd checkout (no bench/sync.py)")
        if args.runs < 1:
            parser.error("--runs must be at least 1")
        compare([STAGING, *map(str, sizes)], args.speed, args.baseline, args.runs, args.sim_process)
        return
    print(
        f"wavecd sync benchmark ({os.cpu_count()} CPUs): simulated controller delays zeroed; the sync's wave "
        f"delay (2 s) and health poll (1 s) on a clock {args.speed:g}x real time; sim and sync in one process\n"
    )
    print(
        "render s: render + plan, no cache; sync s: wall seconds of sync_tree (cpu s: "
        "CPU of the process meanwhile, sim included); sim s: what the sync's clock "
        "says it took; ms/app: sync wall per app; req/obj: HTTP requests per applied object\n"
    )
    print(HEADER)
    staging = run_child(STAGING, args.speed, sim_process=args.sim_process)
    print(_row(STAGING, staging), flush=True)
    rows = []
    for size in sizes:
        figures = run_child(str(size), args.speed, sim_process=args.sim_process)
        rows.append(figures)
        print(_row(str(size), figures), flush=True)
    print("\nrequests by kind (discovery, GET, PATCH = server-side apply, ...):")
    for label, figures in [(STAGING, staging), *((str(f["apps"]), f) for f in rows)]:
        kinds = ", ".join(f"{k} {v}" for k, v in sorted(figures["requests"].items(), key=lambda kv: -kv[1]))
        print(
            f"  {label:>8}: {kinds}; sync sleeps {figures['sleeps']} ({figures['slept']:.0f} sim s summed over "
            f"threads), gate reports {figures['gate_reports']}"
        )
    if len(rows) > 1:
        print("\ngrowth: how sync wall and CPU seconds multiply for a 10x larger tree (10 = linear):")
        for small, large in itertools.pairwise(rows):
            per_10x = [
                10 ** (math.log(large[key] / small[key]) / math.log(large["apps"] / small["apps"]))
                for key in ("sync_seconds", "sync_cpu")
            ]
            print(f"  {small['apps']:5} -> {large['apps']:5} apps: wall x{per_10x[0]:5.1f}, cpu x{per_10x[1]:5.1f}")


if __name__ == "__main__":
    main()
