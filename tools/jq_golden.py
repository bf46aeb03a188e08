"""Record what the REAL gojq does with the jqPathExpressions cases (`make golden-jq`; never run by CI).

Argo CD evaluates an `ignoreDifferences.jqPathExpressions` entry EXPR as gojq's `del(EXPR)` on the object
(util/argo/normalizers/diff_normalizer.go). This runs the gojq command on each case of
tests/diff/data/jq/cases.json — `gojq -c 'del(EXPR)'` with the case's document on stdin — and writes
tests/diff/data/jq/gojq.json: per case its outputs, or that gojq refused it. tests/diff/test_diff_jqpath.py
holds wavecd's evaluation to that record.

gojq: `go install github.com/itchyny/gojq/cmd/gojq@v0.12.17` (a version Argo CD has shipped), then
--gojq PATH or gojq on PATH.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "diff" / "data" / "jq"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gojq", default=shutil.which("gojq") or "gojq")
    args = parser.parse_args()
    version = subprocess.run([args.gojq, "--version"], capture_output=True, text=True, check=True).stdout.strip()
    cases = json.loads((DATA / "cases.json").read_text())
    records = []
    for doc_name, expression in cases["cases"]:
        done = subprocess.run(
            [args.gojq, "-c", f"del({expression})"],
            input=json.dumps(cases["docs"][doc_name]),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        record: dict[str, object] = {"doc": doc_name, "expression": expression}
        if done.returncode == 0:
            record["outputs"] = [json.loads(line) for line in done.stdout.splitlines()]
        else:
            record["error"] = done.stderr.strip()
        records.append(record)
    out = {"recordedWith": version, "records": records}
    (DATA / "gojq.json").write_text(json.dumps(out, indent=1, sort_keys=True) + "\n")
    print(f"{len(records)} cases recorded with {version}", file=sys.stderr)


if __name__ == "__main__":
    main()
