"""Compare wavecd's `helm template` with real helm on real-world charts (never committed).

Given a folder of fetched chart repositories (git directories without work trees, e.g. the
`/work/.mirror/<owner>+<name>/repo` layout the fetch tool produces), this:

1. extracts each repository's chart folders with `git archive` into `~/.cache/wavecd/realworld/<repo>/`
   (re-extracted only when the repository's HEAD commit changed);
2. vendors missing dependencies into each chart's `charts/` from the charts found in the same set of
   repositories (`file://` paths first, else the highest version satisfying the constraint);
3. for every application chart × (default values + each `ci/*.yaml`), renders with real helm v4 and v3
   and with wavecd (`--helm-compat v4|v3`), and prints per case: identical, different stdout, or both
   failing with the same/different first error line; then totals per mode.

Diffs of differing cases are written to `~/.cache/wavecd/realworld/diffs/<mode>/` and a JSON summary to
`~/.cache/wavecd/realworld/report.json`.

Usage: python tools/realworld/realworld.py [--mirrors /work/.mirror] [--repo SUBSTR ...] [--chart SUBSTR ...]
"""

from __future__ import annotations

import argparse
import difflib
import functools
import io
import itertools
import json
import os
import resource
import shutil
import subprocess
import sys
import tarfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))

import realhelm  # noqa: E402

# Where each known repository keeps its charts; other repositories are searched whole.
CHART_ROOTS: dict[str, tuple[str, ...]] = {
    "prometheus-community+helm-charts": ("charts/",),
    "grafana+helm-charts": ("charts/",),
    "argoproj+argo-helm": ("charts/",),
    "kubernetes+ingress-nginx": ("charts/",),
    "cert-manager+cert-manager": ("deploy/charts/",),
    "external-secrets+external-secrets": ("deploy/charts/",),
    "kubernetes-sigs+external-dns": ("charts/",),
    "open-telemetry+opentelemetry-helm-charts": ("charts/",),
    "kyverno+kyverno": ("charts/",),
    "kyverno+policy-reporter": ("charts/",),
    "aws+karpenter-provider-aws": ("charts/",),
    "istio+istio": ("manifests/charts/",),
    "bitnami+charts": ("bitnami/",),
    "DandyDeveloper+charts": ("charts/",),
}
# Files outside the chart folders that charts reach through symlinks (karpenter's crds/ link into pkg/).
EXTRA_PATHS: dict[str, tuple[str, ...]] = {"aws+karpenter-provider-aws": ("pkg/apis/crds/",)}
SKIP_PARTS = {"templates", "testdata", "test", "tests", "examples", "example", "hack", "ci"}
MODES = ("v4", "v3")
RELEASE, NAMESPACE = "release", "realworld"
TIMEOUT = 180
MEMORY_LIMIT = 4 << 30
# Rendered last: many similar charts (and a shared `common` library) that say less per minute spent.
LAST_REPOS = ("bitnami+charts",)
MASK = b"<nondeterministic line: differs between two helm runs>"


@dataclass(frozen=True)
class Result:
    stdout: bytes
    stderr: bytes
    rc: int


@dataclass
class CaseReport:
    repo: str
    chart: str
    values: str
    mode: str
    verdict: str
    helm_first_error: str = ""
    wavecd_first_error: str = ""


def cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "wavecd" / "realworld"


def git(git_dir: Path, *args: str) -> bytes:
    return subprocess.run(["git", f"--git-dir={git_dir}", *args], capture_output=True, check=True).stdout


def find_git_dirs(mirrors: Path) -> dict[str, Path]:
    """Repository name → git directory, for `<name>/repo`, `<name>.git` and bare `<name>` layouts."""
    found: dict[str, Path] = {}
    for entry in sorted(mirrors.iterdir()):
        for candidate in (entry / "repo", entry):
            if (candidate / "HEAD").is_file() and (candidate / "objects").is_dir():
                found[entry.name.removesuffix(".git")] = candidate
                break
    return found


def chart_dirs_in(git_dir: Path, repo: str) -> list[str]:
    """Paths of chart roots in the repository (folders holding a Chart.yaml, vendored subcharts excluded)."""
    names = git(git_dir, "ls-tree", "-r", "--name-only", "HEAD").decode().splitlines()
    roots = CHART_ROOTS.get(repo, ("",))
    charts = []
    for name in names:
        if not name.endswith("Chart.yaml") or not name.startswith(roots):
            continue
        folder = name[: -len("Chart.yaml")].rstrip("/")
        parts = folder.split("/")
        if SKIP_PARTS & set(parts) or "charts" in parts[len(roots[0].strip("/").split("/")) :]:
            continue
        charts.append(folder)
    return sorted(charts)


def extract(git_dir: Path, repo: str, target: Path) -> list[Path]:
    """Extract the repository's chart folders into target (skipped when HEAD is unchanged)."""
    charts = chart_dirs_in(git_dir, repo)
    extra = EXTRA_PATHS.get(repo, ())
    stamp = " ".join([git(git_dir, "rev-parse", "HEAD").decode().strip(), *extra])
    marker = target / ".wavecd-commit"
    if not (marker.is_file() and marker.read_text() == stamp):
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
        if charts:
            archive = git(git_dir, "archive", "--format=tar", "HEAD", "--", *charts, *extra)
            with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
                tar.extractall(target, filter="tar")
        marker.write_text(stamp)
    return [target / c for c in charts if (target / c / "Chart.yaml").is_file()]


def read_chart_yaml(chart: Path) -> dict:
    try:
        data = yaml.safe_load((chart / "Chart.yaml").read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return {}
    return data if isinstance(data, dict) else {}


def dependencies_of(chart: Path, meta: dict) -> list[dict]:
    deps = meta.get("dependencies")
    if deps is None and (chart / "requirements.yaml").is_file():
        try:
            deps = (yaml.safe_load((chart / "requirements.yaml").read_text(encoding="utf-8")) or {}).get(
                "dependencies"
            )
        except yaml.YAMLError:
            deps = None
    return [d for d in deps or [] if isinstance(d, dict) and d.get("name")]


def best_match(candidates: list[tuple[str, Path]], constraint: str) -> Path | None:
    """The highest-versioned candidate satisfying constraint (Masterminds semantics via wavecd.semver),
    else the highest version there is."""
    from wavecd.semver import SemverError, parse_constraints, parse_version

    try:
        wanted = parse_constraints(str(constraint or "*"))
    except SemverError:
        wanted = None
    parsed_all = []
    for version, path in candidates:
        try:
            parsed_all.append((parse_version(str(version)), path))
        except SemverError:
            continue
    matching = [item for item in parsed_all if wanted is None or wanted.check(item[0])]
    # No version in the mirrors satisfies the constraint: vendor the newest anyway, so the chart renders
    # (helm keeps it as an undeclared subchart; both renderers see the same tree).
    scored = sorted(matching or parsed_all, key=functools.cmp_to_key(lambda a, b: a[0].compare(b[0])))
    return scored[-1][1] if scored else None


def vendor(chart: Path, index: dict[str, list[tuple[str, Path]]], depth: int = 0) -> None:
    """Copy missing dependencies into chart/charts/, recursively (as `helm dependency build` would)."""
    if depth > 6:
        return
    for dep in dependencies_of(chart, read_chart_yaml(chart)):
        name = str(dep["name"])
        charts_dir = chart / "charts"
        if (charts_dir / name).is_dir() or any(charts_dir.glob(f"{name}-*.tgz")):
            continue
        repository = str(dep.get("repository") or "")
        source: Path | None = None
        if repository.startswith("file://"):
            local = (chart / repository.removeprefix("file://")).resolve()
            source = local if (local / "Chart.yaml").is_file() else None
        if source is None:
            source = best_match(index.get(name, []), str(dep.get("version") or "*"))
        if source is None or source.resolve() == chart.resolve():
            continue
        charts_dir.mkdir(exist_ok=True)
        shutil.copytree(source, charts_dir / name, symlinks=True)
        vendor(charts_dir / name, index, depth + 1)


def value_sets(chart: Path) -> list[str]:
    """"" for the chart's defaults plus each ci/*.yaml file (paths relative to the chart)."""
    ci = chart / "ci"
    files = sorted(p.name for p in ci.glob("*.yaml")) if ci.is_dir() else []
    return ["", *[f"ci/{name}" for name in files]]


def render_args(chart_rel: str, values: str) -> list[str]:
    args = ["template", RELEASE, chart_rel, "--namespace", NAMESPACE, "--include-crds"]
    return args + (["-f", f"{chart_rel}/{values}"] if values else [])


def _limit_memory() -> None:
    """Cap a wavecd render's address space: a runaway render must fail, not exhaust a shared machine."""
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def run(cmd: list[str], cwd: Path, *, limited: bool = False) -> Result:
    env = dict(os.environ, TZ="UTC", NO_COLOR="1")
    try:
        done = subprocess.run(cmd, cwd=cwd, capture_output=True, timeout=TIMEOUT, check=False, env=env,
                              preexec_fn=_limit_memory if limited else None)
    except subprocess.TimeoutExpired:
        return Result(b"", f"Error: timed out after {TIMEOUT}s\n".encode(), -1)
    if done.returncode < 0 or (limited and b"MemoryError" in done.stderr):
        return Result(done.stdout, f"Error: killed (signal {-done.returncode} or out of memory)\n".encode()
                      + done.stderr[-2000:], done.returncode)
    return Result(done.stdout, done.stderr, done.returncode)


def first_line(data: bytes) -> str:
    for line in data.decode("utf-8", "backslashreplace").splitlines():
        if line.strip():
            return line
    return ""


def mask_unstable(helm: Result, helm_again: Result, ours: Result) -> tuple[Result, Result]:
    """Blank the lines where two helm runs disagree (random passwords, generated certificates) in both
    helm's and wavecd's output, so that only deterministic output is compared."""
    if helm.stdout == helm_again.stdout or helm.rc != 0:
        return helm, ours
    first, second = helm.stdout.split(b"\n"), helm_again.stdout.split(b"\n")
    mine = ours.stdout.split(b"\n")
    if len(first) != len(second):
        return helm, ours
    unstable = {i for i, (a, b) in enumerate(zip(first, second, strict=True)) if a != b}

    def masked(lines: list[bytes]) -> bytes:
        return b"\n".join(MASK if i in unstable else line for i, line in enumerate(lines))

    return Result(masked(first), helm.stderr, helm.rc), Result(masked(mine), ours.stderr, ours.rc)


def compare(helm: Result, ours: Result) -> str:
    if helm.rc == 0 and ours.rc == 0:
        return "identical" if helm.stdout == ours.stdout else "different"
    if helm.rc != 0 and ours.rc != 0:
        return "both-fail-same-error" if first_line(helm.stderr) == first_line(ours.stderr) else "both-fail"
    return "helm-fails" if helm.rc != 0 else "wavecd-fails"


def write_diff(folder: Path, name: str, helm: Result, ours: Result) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    if helm.rc == 0 and ours.rc == 0:
        lines = difflib.unified_diff(
            helm.stdout.decode("utf-8", "replace").splitlines(keepends=True),
            ours.stdout.decode("utf-8", "replace").splitlines(keepends=True),
            "helm",
            "wavecd",
        )
        text = "".join(lines)
    else:
        text = f"helm rc={helm.rc}\n{helm.stderr.decode('utf-8', 'replace')}\n" + (
            f"wavecd rc={ours.rc}\n{ours.stderr.decode('utf-8', 'replace')}\n"
        )
    (folder / f"{name}.diff").write_text(text, encoding="utf-8")


def interleave(jobs: list[tuple[str, Path, str, str, str]]) -> list[tuple[str, Path, str, str, str]]:
    """Round-robin over repositories (LAST_REPOS at the end), so a partial run still covers every repo."""
    by_repo: dict[str, list[tuple[str, Path, str, str, str]]] = {}
    for job in jobs:
        by_repo.setdefault(job[0], []).append(job)
    first = [queue for repo, queue in by_repo.items() if repo not in LAST_REPOS]
    ordered = [job for group in itertools.zip_longest(*first) for job in group if job is not None]
    return ordered + [job for repo in LAST_REPOS for job in by_repo.get(repo, [])]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mirrors", type=Path, default=Path("/work/.mirror"), help="folder of fetched repos")
    parser.add_argument("--repo", action="append", default=[], help="only repos whose name contains this")
    parser.add_argument("--chart", action="append", default=[], help="only charts whose path contains this")
    parser.add_argument("--mode", choices=MODES, action="append", help="only these modes (default both)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 4)
    parser.add_argument("--max-values", type=int, default=0,
                        help="at most this many value sets per chart (defaults first; 0 = all)")
    args = parser.parse_args(argv)
    modes = args.mode or list(MODES)
    helms = {mode: realhelm.try_helm_path(mode) for mode in modes}
    missing = [mode for mode, path in helms.items() if path is None]
    if missing:
        print(f"real helm unavailable for {missing}; cannot compare", file=sys.stderr)
        return 1

    cache = cache_root()
    repos = {name: d for name, d in find_git_dirs(args.mirrors).items() if name in CHART_ROOTS or args.repo}
    repos = {n: d for n, d in repos.items() if not args.repo or any(s in n for s in args.repo)}
    all_charts: list[tuple[str, Path]] = []
    for name, git_dir in repos.items():
        for chart in extract(git_dir, name, cache / "charts" / name):
            all_charts.append((name, chart))
    index: dict[str, list[tuple[str, Path]]] = {}
    for _, chart in all_charts:
        meta = read_chart_yaml(chart)
        if meta.get("name"):
            index.setdefault(str(meta["name"]), []).append((str(meta.get("version", "")), chart))
    for _, chart in all_charts:
        vendor(chart, index)

    jobs = []
    for repo, chart in all_charts:
        rel = chart.relative_to(cache / "charts" / repo).as_posix()
        if args.chart and not any(s in rel for s in args.chart):
            continue
        if read_chart_yaml(chart).get("type") == "library":
            continue
        sets = value_sets(chart)
        for values in sets[: args.max_values or len(sets)]:
            for mode in modes:
                jobs.append((repo, chart, rel, values, mode))

    wavecd = [sys.executable, "-c", "from wavecd.cli.main import main; main()"]

    def one(job: tuple[str, Path, str, str, str]) -> CaseReport:
        repo, _chart, rel, values, mode = job
        cwd = cache / "charts" / repo
        helm_result = run([str(helms[mode]), *render_args(rel, values)], cwd)
        helm_again = run([str(helms[mode]), *render_args(rel, values)], cwd)
        ours = run([*wavecd, "helm", *render_args(rel, values)[:1], "--helm-compat", mode,
                    *render_args(rel, values)[1:]], cwd, limited=True)
        helm_result, ours = mask_unstable(helm_result, helm_again, ours)
        verdict = compare(helm_result, ours)
        label = f"{repo}__{rel.replace('/', '_')}__{(values or 'default').replace('/', '_')}"
        if verdict not in ("identical", "both-fail-same-error"):
            write_diff(cache / "diffs" / mode, label, helm_result, ours)
        report = CaseReport(repo, rel, values or "(default)", mode, verdict,
                            first_line(helm_result.stderr) if helm_result.rc else "",
                            first_line(ours.stderr) if ours.rc else "")
        print(f"{mode} {verdict:22} {repo}/{rel} [{report.values}]", file=sys.stderr, flush=True)
        return report

    jobs = interleave(jobs)
    shutil.rmtree(cache / "diffs", ignore_errors=True)
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        reports = list(pool.map(one, jobs))

    for r in sorted(reports, key=lambda r: (r.repo, r.chart, r.values, r.mode)):
        print(f"{r.mode} {r.verdict:22} {r.repo}/{r.chart} [{r.values}]")
    print()
    verdicts = ["identical", "different", "both-fail-same-error", "both-fail", "wavecd-fails", "helm-fails"]
    print(f"{'':24}" + "".join(f"{mode:>8}" for mode in modes))
    for verdict in [*verdicts, "total"]:
        counts = [sum(1 for r in reports if r.mode == m and (verdict == "total" or r.verdict == verdict))
                  for m in modes]
        print(f"{verdict:24}" + "".join(f"{n:>8}" for n in counts))
    (cache / "report.json").write_text(json.dumps([asdict(r) for r in reports], indent=1), encoding="utf-8")
    print(f"\ncharts: {len({(r.repo, r.chart) for r in reports})}; diffs in {cache / 'diffs'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
