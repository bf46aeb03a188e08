"""Compare two real helm versions (by default 4.1.4, wavecd's v4 reference, and 4.2) on the same inputs.

wavecd's v4 mode copies one helm (tools/realhelm.py `v4`); when a later helm 4 is what users run (Argo CD
3.5 ships 4.2.x), this shows where the two helms themselves differ, i.e. where following the newer one
would change wavecd. Two case sets:

- conformance: every case of `tests/conformance/cases.yaml` that runs in v4 mode, run with the new helm
  in golden.py's hermetic environment and compared with the recorded goldens (`expected/v4/`, never
  written here), or with a run of the old helm when --old is not v4. When they differ, the old helm is
  run again: lines where it does not reproduce its own result (random passwords, generated certificates)
  are masked before comparing.
- realworld: a round-robin sample across repositories of the real-world charts that
  `tools/realworld/realworld.py` extracts (`helm template release <chart> --namespace realworld
  --include-crds [-f ci/x.yaml]`), each rendered twice by the old helm (to mask unstable lines) and once
  by the new one, one helm at a time under `nice`.

A case is identical when stdout (after masking), stderr and exit status all agree; whitespace-only when
stdout differs only in trailing blanks and blank lines (helm 4.2 no longer trims each document's end).
Diffs of the others go to --diffs. Prints a table per case set; exits 1 when any case differs.

Usage: python tools/compare_helm_versions.py [--old v4] [--new v4.2|PATH] [--set conformance|realworld]
       [--realworld-dir DIR] [--sample N] [--diffs DIR]
"""

from __future__ import annotations

import argparse
import difflib
import itertools
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
sys.path.insert(0, str(ROOT / "tests" / "conformance"))

import conformance_cases as cc  # noqa: E402
import realhelm  # noqa: E402
from golden import hermetic_env  # noqa: E402

MASK = b"<nondeterministic line>"
RELEASE, NAMESPACE = "release", "realworld"
SKIP_PARTS = {"templates", "testdata", "test", "tests", "examples", "example", "hack", "ci"}
TIMEOUT = 300
VERDICTS = ("identical", "identical-masked", "whitespace-only", "different")


@dataclass(frozen=True)
class Run:
    stdout: bytes
    stderr: bytes
    rc: int


@dataclass(frozen=True)
class Outcome:
    name: str
    verdict: str
    what: str = ""


def resolve_helm(spec: str) -> Path:
    """A realhelm mode (verified, downloaded if needed) or the path of a helm binary taken as it is."""
    if os.path.sep in spec:
        if not Path(spec).is_file():
            raise realhelm.RealHelmError(f"{spec}: no such helm binary")
        return Path(spec)
    if spec not in realhelm.SOURCES:
        raise realhelm.RealHelmError(f"unknown helm {spec!r}: a path or one of {', '.join(realhelm.SOURCES)}")
    return realhelm.helm_path(spec)


def run_helm(helm: Path, args: list[str], cwd: Path, env: dict[str, str]) -> Run:
    """One `helm template`, niced so that it yields to the other work on a shared machine."""
    try:
        done = subprocess.run(
            ["nice", "-n", "10", str(helm), "template", *args],
            cwd=cwd,
            env=env,
            capture_output=True,
            timeout=TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return Run(b"", f"timed out after {TIMEOUT}s\n".encode(), -1)
    return Run(cc.normalise(done.stdout), cc.normalise(done.stderr), done.returncode)


def masked(reference: Run, again: Run, others: list[Run]) -> tuple[Run, list[Run]]:
    """Blank in all runs the stdout lines where reference and again (the same helm twice) disagree."""
    first, second = reference.stdout.split(b"\n"), again.stdout.split(b"\n")
    if reference.stdout == again.stdout or len(first) != len(second):
        return reference, others
    unstable = {i for i, (a, b) in enumerate(zip(first, second, strict=True)) if a != b}

    def blank(run: Run) -> Run:
        lines = run.stdout.split(b"\n")
        return Run(b"\n".join(MASK if i in unstable else line for i, line in enumerate(lines)), run.stderr, run.rc)

    return blank(reference), [blank(run) for run in others]


def judge(old: Run, new: Run, old_again: Callable[[], Run]) -> tuple[str, Run, Run]:
    """The verdict for one case; old_again is only called (one more helm run) when old and new differ."""
    if old == new:
        return "identical", old, new
    again = old_again()
    reference, (new_masked,) = masked(old, again, [new])
    if reference == new_masked:
        return "identical-masked", reference, new_masked
    if (old.rc, old.stderr) == (new.rc, new.stderr) and _same_visible_lines(old, again, new):
        return "whitespace-only", reference, new_masked
    return "different", reference, new_masked


def _visible_lines(data: bytes) -> list[bytes]:
    """stdout without trailing blanks on lines and without blank lines: what whitespace changes leave."""
    return [line.rstrip() for line in data.split(b"\n") if line.strip()]


def _same_visible_lines(old: Run, again: Run, new: Run) -> bool:
    """Whether old and new agree line by line once blank lines and trailing blanks are ignored, except on
    lines where old and again disagree (masking by position in this form: added blank lines would shift
    the positions of the raw lines)."""
    seen, unstable, fresh = (_visible_lines(run.stdout) for run in (old, again, new))
    if len(seen) != len(fresh):
        return False
    if len(unstable) != len(seen):
        unstable = seen
    return all(a == n or a != b for a, b, n in zip(seen, unstable, fresh, strict=True))


def difference(old: Run, new: Run) -> str:
    """A one-line summary of what differs, for the table."""
    parts = []
    if old.rc != new.rc:
        parts.append(f"exit {old.rc} -> {new.rc}")
    if old.stderr != new.stderr:
        parts.append("stderr")
    if old.stdout != new.stdout:
        parts.append("stdout")
    return ", ".join(parts)


def write_diff(folder: Path, name: str, old: Run, new: Run) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    chunks = [f"exit status: old {old.rc}, new {new.rc}\n"]
    for label, a, b in (("stdout", old.stdout, new.stdout), ("stderr", old.stderr, new.stderr)):
        chunks.extend(
            difflib.unified_diff(
                a.decode("utf-8", "replace").splitlines(keepends=True),
                b.decode("utf-8", "replace").splitlines(keepends=True),
                f"old/{label}",
                f"new/{label}",
            )
        )
    (folder / f"{name.replace('/', '_')}.diff").write_text("".join(chunks), encoding="utf-8")


def conformance_set(
    old: Path, new: Path, env: dict[str, str], recorded: bool
) -> Iterator[tuple[str, Run, Run, Callable[[], Run]]]:
    """Each v4 conformance case: (name, old result, new helm's run, a fresh run of the old helm). The old
    result is the recorded golden when recorded (old is the v4 reference helm), else a run of old."""
    for case in cc.load_cases():
        if "v4" not in case.modes:
            continue
        args = list(case.args)
        golden = cc.read_expected("v4", case.name) if recorded else None
        if recorded and golden is None:
            continue
        before = Run(golden.stdout, golden.stderr, golden.rc) if golden else run_helm(old, args, cc.HERE, env)
        yield (
            case.name,
            before,
            run_helm(new, args, cc.HERE, env),
            lambda args=args: run_helm(old, args, cc.HERE, env),
        )


def chart_dirs(repo_dir: Path) -> list[Path]:
    """Application charts of one extracted repository; vendored subcharts and test fixtures excluded."""
    found = []
    for folder, dirs, files in os.walk(repo_dir):
        if "Chart.yaml" in files:
            dirs.clear()
            try:
                meta = yaml.safe_load((Path(folder) / "Chart.yaml").read_text(encoding="utf-8"))
            except (OSError, yaml.YAMLError):
                continue
            if isinstance(meta, dict) and meta.get("type") != "library":
                found.append(Path(folder))
            continue
        dirs[:] = sorted(d for d in dirs if d not in SKIP_PARTS and not d.startswith("."))
    return sorted(found)


def realworld_cases(root: Path, sample: int) -> list[tuple[Path, str, str]]:
    """(repo dir, chart path relative to it, values file or ""), round-robin over the repositories and,
    within one, over its charts (every chart's defaults before any chart's ci/ values), so that a small
    sample still spreads over many charts."""
    per_repo = []
    for repo_dir in sorted(p for p in root.iterdir() if p.is_dir()):
        per_chart = []
        for chart in chart_dirs(repo_dir):
            rel = chart.relative_to(repo_dir).as_posix()
            ci = sorted(p.name for p in (chart / "ci").glob("*.yaml")) if (chart / "ci").is_dir() else []
            per_chart.append([(repo_dir, rel, values) for values in ["", *[f"ci/{name}" for name in ci]]])
        per_repo.append(_round_robin(per_chart))
    ordered = _round_robin(per_repo)
    return ordered[:sample] if sample else ordered


def _round_robin(queues: list[list[tuple[Path, str, str]]]) -> list[tuple[Path, str, str]]:
    return [item for group in itertools.zip_longest(*queues) for item in group if item is not None]


def realworld_set(
    root: Path, sample: int, old: Path, new: Path, env: dict[str, str]
) -> Iterator[tuple[str, Run, Run, Callable[[], Run]]]:
    for repo_dir, rel, values in realworld_cases(root, sample):
        args = [RELEASE, rel, "--namespace", NAMESPACE, "--include-crds"]
        args += ["-f", f"{rel}/{values}"] if values else []
        name = f"{repo_dir.name}/{rel} [{values or 'default'}]"
        yield (
            name,
            run_helm(old, args, repo_dir, env),
            run_helm(new, args, repo_dir, env),
            lambda args=args, cwd=repo_dir: run_helm(old, args, cwd, env),
        )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--old", default="v4", help="realhelm mode or helm binary path (default v4 = 4.1.4)")
    parser.add_argument("--new", default="v4.2", help="realhelm mode or helm binary path (default v4.2)")
    parser.add_argument(
        "--set",
        choices=("conformance", "realworld"),
        action="append",
        dest="sets",
        help="case sets to run (default both)",
    )
    default_rw = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "wavecd" / "realworld" / "charts"
    parser.add_argument(
        "--realworld-dir",
        type=Path,
        default=default_rw,
        help="extracted real-world charts, one folder per repository (realworld.py's cache)",
    )
    parser.add_argument("--sample", type=int, default=100, help="real-world cases to run (0 = all)")
    parser.add_argument(
        "--diffs",
        type=Path,
        default=Path(tempfile.gettempdir()) / "wavecd-helm-compare",
        help="folder for the diffs of differing cases",
    )
    args = parser.parse_args(argv)

    try:
        old, new = resolve_helm(args.old), resolve_helm(args.new)
    except realhelm.RealHelmError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(f"old: {realhelm.reported_version(old)} ({old})\nnew: {realhelm.reported_version(new)} ({new})")
    table: dict[str, list[Outcome]] = {}
    with tempfile.TemporaryDirectory(prefix="wavecd-compare-") as tmp:
        env = hermetic_env(Path(tmp))
        for set_name in args.sets or ["conformance", "realworld"]:
            if set_name == "conformance":
                cases = conformance_set(old, new, env, recorded=args.old == "v4")
            elif args.realworld_dir.is_dir():
                cases = realworld_set(args.realworld_dir, args.sample, old, new, env)
            else:
                print(f"realworld: no charts at {args.realworld_dir}; skipped", file=sys.stderr)
                continue
            outcomes = table.setdefault(set_name, [])
            shutil.rmtree(args.diffs / set_name, ignore_errors=True)
            for name, old_run, new_run, old_again in cases:
                verdict, old_run, new_run = judge(old_run, new_run, old_again)
                outcome = Outcome(name, verdict, difference(old_run, new_run))
                outcomes.append(outcome)
                if outcome.what:
                    write_diff(args.diffs / set_name, name, old_run, new_run)
                    print(f"{set_name}: {verdict}: {name} ({outcome.what})", flush=True)

    print(f"\n{'case set':14}" + "".join(f"{v:>18}" for v in (*VERDICTS, "total")))
    for set_name, outcomes in table.items():
        counts = [sum(1 for o in outcomes if o.verdict == v) for v in VERDICTS]
        print(f"{set_name:14}" + "".join(f"{n:>18}" for n in (*counts, len(outcomes))))
    differing = [o for outcomes in table.values() for o in outcomes if o.verdict == "different"]
    if differing:
        print(f"\ndiffs in {args.diffs}")
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
