"""Record what the REAL helm prints for every conformance case (`make golden`).

For each case of `tests/conformance/cases.yaml` and each of its modes, runs `helm template <args>` with
`tests/conformance/` as working directory and stores stdout, stderr and exit status in
`tests/conformance/expected/<mode>/<case>.{out,err,rc}`. wavecd never produces these files.

Helm runs hermetically: its config/cache/data homes point into a throw-away directory, TZ=UTC and a
C locale, so nothing from this machine leaks into the recordings. `--verify` re-runs helm and reports
recordings that differ (nondeterministic cases) without writing anything.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
sys.path.insert(0, str(ROOT / "tests" / "conformance"))

import conformance_cases as cc  # noqa: E402
import realhelm  # noqa: E402


def hermetic_env(home: Path) -> dict[str, str]:
    """The environment helm runs in: nothing from the user's helm setup, fixed time zone and locale."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "HELM_CACHE_HOME": str(home / "cache"),
        "HELM_CONFIG_HOME": str(home / "config"),
        "HELM_DATA_HOME": str(home / "data"),
        "TZ": "UTC",
        "LANG": "C",
        "LC_ALL": "C",
        "NO_COLOR": "1",
    }
    return env


def run_helm(helm: Path, case: cc.Case, env: dict[str, str]) -> cc.Expected:
    done = subprocess.run(
        [str(helm), "template", *case.args],
        cwd=cc.HERE,
        env=env,
        capture_output=True,
        timeout=300,
        check=False,
    )
    return cc.Expected(cc.normalise(done.stdout), cc.normalise(done.stderr), done.returncode)


def remove_stale(cases: list[cc.Case]) -> int:
    """Delete recordings of cases (or modes) no longer listed, so the directory mirrors cases.yaml."""
    wanted = {(mode, case.name) for case in cases for mode in case.modes}
    removed = 0
    for mode in cc.MODES:
        folder = cc.EXPECTED_DIR / mode
        if not folder.is_dir():
            continue
        for path in folder.iterdir():
            name = path.name.rsplit(".", 1)[0]
            if (mode, name) not in wanted:
                path.unlink()
                removed += 1
    return removed


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verify", action="store_true", help="compare with the recordings, write nothing")
    parser.add_argument("--mode", choices=cc.MODES, action="append", help="only these modes (default all)")
    parser.add_argument("cases", nargs="*", help="only these case names (default all)")
    args = parser.parse_args(argv)

    cases = cc.load_cases()
    selected = [c for c in cases if not args.cases or c.name in args.cases]
    modes = args.mode or list(cc.MODES)
    helms = {mode: realhelm.helm_path(mode) for mode in modes}
    pairs = [(case, mode) for case, mode in cc.case_mode_pairs(selected) if mode in modes]

    with tempfile.TemporaryDirectory(prefix="wavecd-golden-") as tmp:
        env = hermetic_env(Path(tmp))
        with ThreadPoolExecutor(max_workers=os.cpu_count() or 4) as pool:
            results = list(pool.map(lambda pair: run_helm(helms[pair[1]], pair[0], env), pairs))

    if args.verify:
        differing = [
            f"{mode}/{case.name}"
            for (case, mode), result in zip(pairs, results, strict=True)
            if cc.read_expected(mode, case.name) != result
        ]
        for name in differing:
            print(f"differs: {name}")
        print(f"{len(pairs) - len(differing)}/{len(pairs)} recordings reproduced")
        return 1 if differing else 0

    for (case, mode), result in zip(pairs, results, strict=True):
        cc.write_expected(mode, case.name, result)
    removed = remove_stale(cases) if not args.cases else 0
    failing = sum(1 for r in results if r.rc != 0)
    print(f"recorded {len(pairs)} case×mode results ({failing} with a non-zero exit), removed {removed} stale files")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
