"""How fast is the app tree? The example tree cold and warm, against one real `helm template` per app,
the executors against each other, and a synthetic tree of up to 500 apps to show how time grows.

Usage: .venv/bin/python bench/tree.py [--helm /opt/realhelm/helm-v4] [--sizes 50,100,250,500] [--quick]
       [--executors serial,thread,process] [--synthetic-only]   (peak memory: the largest process, MiB)
Without a real helm binary only wavecd's own numbers are printed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "staging"
WAVECD = ROOT / ".venv" / "bin" / "wavecd"
URL = "https://example.com/synthetic.git"


# Byte-code is cached outside the source tree, as an installed wavecd would have it (this environment
# may set PYTHONDONTWRITEBYTECODE, which would make every run pay for compiling every module).
PYCACHE = Path(tempfile.gettempdir()) / "wavecd-bench-pycache"


def _cli(args: list[str], cache: Path) -> tuple[float, float, float]:
    """Wall-clock and CPU seconds of one `wavecd` run (CPU counts its worker processes too), and the peak
    resident memory in MiB of the largest process among it and its workers."""
    env = {**os.environ, "WAVECD_CACHE_DIR": str(cache), "PYTHONPYCACHEPREFIX": str(PYCACHE)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = subprocess.Popen([str(WAVECD), *args], env=env, stdout=out, stderr=err)
        _, status, usage = os.wait4(process.pid, 0)  # the child's own rusage: its CPU and peak memory
        process.returncode = os.waitstatus_to_exitcode(status)
        elapsed = time.perf_counter() - start
        err.seek(0)
        stderr = err.read().decode(errors="replace")
    if process.returncode not in (0, 1):
        sys.exit(f"wavecd {' '.join(args)} failed:\n{stderr}")
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def _show(timing: tuple[float, float, float]) -> str:
    return f"{timing[0]:6.2f} ({timing[1]:5.2f} cpu)"


def _best(runs: int, fn):
    return min(fn() for _ in range(runs))


def example_cli(runs: int, executor: str) -> tuple[tuple[float, float, float], tuple[float, float, float]]:
    """`wavecd tree examples/staging -o json` with an empty cache, then again with the cache it left."""

    def cold() -> tuple[float, float, float]:
        with tempfile.TemporaryDirectory() as cache:
            return _cli(["tree", str(EXAMPLE), "-o", "json", "--executor", executor], Path(cache))

    with tempfile.TemporaryDirectory() as cache:
        _cli(["tree", str(EXAMPLE), "-o", "json"], Path(cache))
        warm = _best(runs, lambda: _cli(["tree", str(EXAMPLE), "-o", "json"], Path(cache)))
    return _best(runs, cold), warm


def helm_commands() -> list[list[str]]:
    """The `helm template` command line Argo CD's repo-server would run for every app of the example."""
    from wavecd.apps.helm_source import RenderSettings, helm_arguments, helm_options, namespace_flag
    from wavecd.apps.render_app import resolve_app
    from wavecd.apps.root import load_root
    from wavecd.apps.tree import TreeOptions, build_tree
    from wavecd.sources.resolver import SourceResolver

    root = load_root(EXAMPLE)
    resolver = SourceResolver(root.config, offline=True)
    tree = build_tree(root.obj, resolver, clusters=root.config.clusters, options=TreeOptions(executor="serial"))
    settings = RenderSettings(root.config.render.helm_compat, root.config.render.kube_version, tree.kinds.api_versions)
    commands = []
    for node in tree.nodes:
        if node.app is None:
            continue
        job = resolve_app(node.app, resolver, settings)
        for item in job.sources:
            if item.kind == "helm":
                options = helm_options(
                    node.app,
                    item.source,
                    app_path=item.app_path,
                    repo_root=item.repo_root,
                    refs=dict(job.refs),
                    settings=settings,
                    values_file=None,
                )
                commands.append(helm_arguments(str(item.app_path), options, namespace_flag(node.app, item.source)))
    return commands


def helm_baseline(helm: str, commands: list[list[str]], workers: int) -> float:
    def one(args: list[str]) -> None:
        subprocess.run([helm, *args], capture_output=True, check=True)

    start = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(one, commands))
    return time.perf_counter() - start


def synthetic_repo(folder: Path, apps: int) -> Path:
    """A root app whose folder declares `apps` Applications of the java-service chart, each its own release
    with one of the example's service values files (so each app is a distinct render)."""
    shutil.copytree(EXAMPLE / "common-charts" / "apps" / "java-service", folder / "chart")
    values = sorted((EXAMPLE / "ca-staging" / "values" / "apps" / "staging-webs").glob("*.yaml"))
    (folder / "values").mkdir()
    docs = []
    for index in range(apps):
        source = values[index % len(values)]
        (folder / "values" / f"app-{index}.yaml").write_text(source.read_text() + f"\nnameOverride: svc-{index}\n")
        docs.append(
            {
                "apiVersion": "argoproj.io/v1alpha1",
                "kind": "Application",
                "metadata": {
                    "name": f"svc-{index}",
                    "namespace": "argocd",
                    "annotations": {"argocd.argoproj.io/sync-wave": str(index % 7)},
                },
                "spec": {
                    "project": "default",
                    "destination": {"server": "https://kubernetes.default.svc", "namespace": f"team-{index % 10}"},
                    "source": {
                        "repoURL": URL,
                        "targetRevision": "main",
                        "path": "chart",
                        "helm": {"valueFiles": [f"../values/app-{index}.yaml"]},
                    },
                },
            }
        )
    (folder / "apps").mkdir()
    (folder / "apps" / "apps.yaml").write_text(yaml.safe_dump_all(docs, sort_keys=False))
    (folder / "root.yaml").write_text(
        yaml.safe_dump(
            {
                "apiVersion": "argoproj.io/v1alpha1",
                "kind": "Application",
                "metadata": {"name": "root", "namespace": "argocd"},
                "spec": {
                    "project": "default",
                    "destination": {"server": "https://kubernetes.default.svc", "namespace": "argocd"},
                    "source": {"repoURL": URL, "targetRevision": "main", "path": "apps"},
                },
            },
            sort_keys=False,
        )
    )
    return folder


def synthetic(sizes: list[int], executors: list[str]) -> list[tuple[int, str, tuple, tuple]]:
    rows = []
    for size in sizes:
        with tempfile.TemporaryDirectory() as work:
            repo = synthetic_repo(Path(work) / "repo", size)
            for executor in executors:
                args = [
                    "tree",
                    str(repo / "root.yaml"),
                    "--repo",
                    f"{URL}={repo}",
                    "--worktree",
                    "-o",
                    "json",
                    "--executor",
                    executor,
                ]
                cache = Path(work) / f"cache-{executor}"
                cold = _cli(args, cache)
                warm = _cli(args, cache)
                rows.append((size, executor, cold, warm))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--helm", default="/opt/realhelm/helm-v4")
    parser.add_argument("--sizes", default="50,100,250,500")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="one run each, sizes 50 and 100")
    parser.add_argument("--executors", default="serial,thread,process", help="executors of the synthetic tree")
    parser.add_argument("--synthetic-only", action="store_true", help="leave out the example tree and helm")
    args = parser.parse_args()
    runs = 1 if args.quick else args.runs
    sizes = [50, 100] if args.quick else [int(s) for s in args.sizes.split(",")]
    cpus = os.cpu_count() or 1
    print(
        f"wavecd app tree benchmark ({cpus} CPUs; best of {runs}; seconds of a whole CLI process: "
        "wall clock (CPU of it and its workers))\n"
    )

    if not args.synthetic_only:
        example(runs, args.helm, cpus)
    print("\nsynthetic tree: a root app declaring N java-service apps (each a distinct render)")
    print(f"  {'N':>5} {'executor':>9} {'cold':>19} {'warm':>19} {'cold ms/app':>12} {'peak MiB':>9}")
    for size, executor, cold, warm in synthetic(sizes, args.executors.split(",")):
        peak = max(cold[2], warm[2])
        print(f"  {size:5} {executor:>9} {_show(cold):>19} {_show(warm):>19} {1000 * cold[0] / size:12.1f} {peak:9.0f}")


def example(runs: int, helm: str, cpus: int) -> None:
    """The example tree with every executor, and real helm run once per app of it."""
    print("example tree (examples/staging: 50 nodes, 46 rendered apps)")
    for executor in ("auto", "serial", "thread", "process"):
        cold, warm = example_cli(runs, executor)
        print(f"  wavecd tree, executor {executor:8} cold {_show(cold)}   warm {_show(warm)}")
    if Path(helm).is_file():
        commands = helm_commands()
        for workers in sorted({1, cpus}):
            seconds = _best(runs, lambda w=workers: helm_baseline(helm, commands, w))
            print(
                f"  real helm, one `helm template` per app ({len(commands)} processes, {workers} at a time): "
                f"{seconds:6.2f}"
            )
    else:
        print(f"  (no helm at {helm}: baseline skipped)")


if __name__ == "__main__":
    main()
