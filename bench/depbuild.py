"""What building a chart's dependencies costs a walk: `helm dependency build` as wavecd does it.

Serves the recorded dependency repository of tests/helm/data/depbuild on loopback and builds the recorded
parent chart over and over, each time with a new `SourceResolver` (as each walk has), on one cache:
- `exact`: the dependency pinned to `0.1.0`, which the cache answers without asking the repository;
- `constraint`: `>=0.1.0`, for which the index is read again every time (a newer version may exist);
- `no dependencies`: the check every Helm source of a walk pays, on a chart without dependencies.
Cases are interleaved run by run; medians of wall and CPU milliseconds are printed, and the first (cold)
build of each case apart.

    .venv/bin/python bench/depbuild.py [--runs 21]
"""

from __future__ import annotations

import argparse
import functools
import http.server
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "helm" / "data" / "depbuild"
FIXED_URL = "http://charts.wavecd.invalid/stable"
PLAIN_CHART = ROOT / "examples" / "staging" / "common-charts" / "apps" / "java-service"


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        return


def _chart(work: Path, name: str, url: str, constraint: str) -> Path:
    chart = work / name / "parent"
    shutil.copytree(DATA / "parent", chart, ignore=shutil.ignore_patterns("Chart.lock"))
    path = chart / "Chart.yaml"
    path.write_text(path.read_text().replace(FIXED_URL, url).replace('">=0.1.0"', f'"{constraint}"'))
    return chart


def _timed(action: Callable[[], object]) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    action()
    return (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    runs = parser.parse_args(argv).runs

    from wavecd.helm.compat import MODES
    from wavecd.helm.depbuild import build_dependencies, needs_dependency_build
    from wavecd.sources.config import WavecdConfig
    from wavecd.sources.resolver import SourceResolver

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(DATA / "repo")))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    with tempfile.TemporaryDirectory(prefix="wavecd-bench-depbuild-") as tmp:
        work = Path(tmp)

        def builder(chart: Path) -> Callable[[], object]:
            def run() -> object:
                resolver = SourceResolver(WavecdConfig(), cache_dir=work / "cache")
                try:
                    return build_dependencies(str(chart), resolver.dependency_charts(), MODES["v4"])
                finally:
                    resolver.close()

            return run

        cases = {
            "exact": builder(_chart(work, "exact", url, "0.1.0")),
            "constraint": builder(_chart(work, "constraint", url, ">=0.1.0")),
            "no dependencies": lambda: needs_dependency_build(str(PLAIN_CHART), helm_major=4),
        }
        samples: dict[str, list[tuple[float, float]]] = {name: [] for name in cases}
        for _ in range(runs):
            for name, action in cases.items():
                samples[name].append(_timed(action))
    server.shutdown()
    print(f"{'case':<16} {'cold wall ms':>12} {'warm wall ms':>13} {'warm CPU ms':>12}   ({runs} runs, medians)")
    for name, values in samples.items():
        warm = values[1:]
        wall = statistics.median(v[0] for v in warm)
        cpu = statistics.median(v[1] for v in warm)
        print(f"{name:<16} {values[0][0]:>12.1f} {wall:>13.2f} {cpu:>12.2f}")


if __name__ == "__main__":
    main(sys.argv[1:])
