"""The Kubernetes, policy and Kyverno rules of `wavecd lint` on the synthetic tree: CPU and wall time per rule.

The tree (bench/synthetic.py, 1,000 apps × 20 objects by default) is walked and planned once; then every rule
runs `--runs` times, interleaved (each round in a rotated order, so no rule always runs on a warm or a cold
cache), and the medians are printed. The synthetic tree has no Kyverno policy, so a `policies` app at the
first tree wave adds two — an Enforce pattern rule and an Audit deny rule that every Deployment reaches — to
give WCD501 its real work: every later object evaluated against every policy.

    .venv/bin/python bench/lint_rules.py [--apps 1000] [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).parent))
from synthetic import synthetic_repo

from wavecd.apps.root import load_root
from wavecd.apps.tree import build_tree
from wavecd.lint.model import LintContext, Location
from wavecd.lint.rules import kubernetes, kyverno_policies, policy
from wavecd.plan import plan_tree
from wavecd.sources.resolver import SourceResolver

POLICIES = [
    {
        "apiVersion": "kyverno.io/v1",
        "kind": "ClusterPolicy",
        "metadata": {"name": "disallow-latest-tag"},
        "spec": {
            "validationFailureAction": "Enforce",
            "rules": [
                {
                    "name": "validate-image-tag",
                    "match": {"any": [{"resources": {"kinds": ["Pod"]}}]},
                    "validate": {
                        "message": "pin the image",
                        "pattern": {"spec": {"containers": [{"image": "!*:latest"}]}},
                    },
                }
            ],
        },
    },
    {
        "apiVersion": "kyverno.io/v1",
        "kind": "ClusterPolicy",
        "metadata": {"name": "team-label"},
        "spec": {
            "validationFailureAction": "Audit",
            "rules": [
                {
                    "name": "require-team",
                    "match": {"any": [{"resources": {"kinds": ["Deployment", "Service", "ConfigMap"]}}]},
                    "validate": {
                        "message": "a team label is required",
                        "deny": {
                            "conditions": {
                                "any": [
                                    {
                                        "key": "{{ request.object.metadata.labels.team || '' }}",
                                        "operator": "Equals",
                                        "value": "",
                                    }
                                ]
                            }
                        },
                    },
                }
            ],
        },
    },
]


def _with_policies(root: Path) -> None:
    folder = root / "policies"
    folder.mkdir()
    (folder / "policies.yaml").write_text(yaml.safe_dump_all(POLICIES, sort_keys=False))
    apps = root / "apps" / "apps.yaml"
    docs = list(yaml.safe_load_all(apps.read_text()))
    app = yaml.safe_load(yaml.safe_dump(docs[0]))
    app["metadata"]["name"] = "policies"
    app["metadata"]["annotations"] = {"argocd.argoproj.io/sync-wave": "-1"}
    app["spec"]["source"]["path"] = "policies"
    apps.write_text(yaml.safe_dump_all([app, *docs], sort_keys=False))


def _context(root: Path) -> LintContext:
    loaded = load_root(root)
    tree = build_tree(loaded.obj, SourceResolver(loaded.config, offline=True), root_file=loaded.file)
    return LintContext(tree, plan_tree(tree), "1.33.0", lambda app, obj: Location(f"apps/{app.name}.yaml"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--apps", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = synthetic_repo(Path(folder) / "repo", args.apps)
        _with_policies(root)
        started = time.perf_counter()
        ctx = _context(root)
        walked = time.perf_counter() - started
    objects = sum(len(app.manifests) for app in ctx.plan.order)
    print(f"{args.apps} apps + policies, {objects} objects; walk and plan {walked:.1f} s (not counted below)")
    rules = [*kubernetes.RULES, *policy.RULES, *kyverno_policies.RULES]
    cpu: dict[str, list[float]] = {rule.id: [] for rule in rules}
    wall: dict[str, list[float]] = {rule.id: [] for rule in rules}
    found: dict[str, int] = {}
    for run in range(args.runs):
        for rule in rules[run % len(rules) :] + rules[: run % len(rules)]:
            wall_start, cpu_start = time.perf_counter(), time.process_time()
            found[rule.id] = len(list(rule.check(ctx)))
            cpu[rule.id].append(time.process_time() - cpu_start)
            wall[rule.id].append(time.perf_counter() - wall_start)
    print(f"{'rule':<8} {'slug':<38} {'findings':>8} {'CPU ms':>9} {'wall ms':>9}   (medians of {args.runs} runs)")
    for rule in rules:
        print(
            f"{rule.id:<8} {rule.slug:<38} {found[rule.id]:>8} "
            f"{statistics.median(cpu[rule.id]) * 1000:>9.1f} {statistics.median(wall[rule.id]) * 1000:>9.1f}"
        )
    total_cpu = sum(statistics.median(values) for values in cpu.values())
    print(f"{'all':<8} {'':<38} {sum(found.values()):>8} {total_cpu * 1000:>9.1f}")


if __name__ == "__main__":
    main()
