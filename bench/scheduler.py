"""The sim's scheduler on a busy cluster: CPU per scheduling decision (all filters on every node, then the
scores of the feasible ones), medians of runs.

    .venv/bin/python bench/scheduler.py [--nodes 12] [--pods 400] [--runs 7]

Pods are bound round-robin; every tenth has a required anti-affinity term, so the InterPodAffinity filter's
symmetry rule has work to do. Prints no verdict: compare two checkouts by running each (`PYTHONPATH=<checkout>/src`).
"""

from __future__ import annotations

import argparse
import statistics
import time

from wavecd.sim.controllers import scoring
from wavecd.sim.controllers.placement import Snapshot, first_rejection

HOST, ZONE = "kubernetes.io/hostname", "topology.kubernetes.io/zone"


def _node(index: int) -> dict:
    labels = {HOST: f"n{index}", ZONE: f"z{index % 3}"}
    allocatable = {"cpu": "64", "memory": "256Gi", "pods": "110"}
    return {"metadata": {"name": f"n{index}", "labels": labels}, "status": {"allocatable": allocatable}}


def _pod(index: int, *, anti: bool = False) -> dict:
    spec: dict = {"containers": [{"name": "c", "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}}}]}
    if anti:
        term = {"labelSelector": {"matchLabels": {"app": f"a{index % 20}"}}, "topologyKey": HOST}
        spec["affinity"] = {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [term]}}
    return {"metadata": {"name": f"p{index}", "namespace": "ns", "labels": {"app": f"a{index % 20}"}}, "spec": spec}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=12)
    parser.add_argument("--pods", type=int, default=400)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    nodes = [_node(i) for i in range(args.nodes)]
    snap = Snapshot(nodes)
    for i in range(args.pods):
        snap.assume(_pod(i, anti=i % 10 == 0), f"n{i % args.nodes}")
    incoming = _pod(10**6)
    cpu, wall = [], []
    for _ in range(args.runs):
        started_cpu, started_wall = time.process_time(), time.perf_counter()
        for _ in range(20):
            feasible = [n for n in nodes if first_rejection(incoming, n, snap) is None]
            scoring.best_node(incoming, feasible, snap)
        cpu.append((time.process_time() - started_cpu) / 20)
        wall.append((time.perf_counter() - started_wall) / 20)
    print(
        f"{args.nodes} nodes, {args.pods} pods: median per decision cpu {statistics.median(cpu) * 1000:.1f} ms, "
        f"wall {statistics.median(wall) * 1000:.1f} ms ({args.runs} runs of 20)"
    )


if __name__ == "__main__":
    main()
