"""Record the real helm's output for tests/apps/data/helm_cases.yaml (development only; tests never run helm).

Usage: .venv/bin/python tests/apps/record_apps_helm_cases.py [/opt/realhelm/helm-v4]
"""

import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

DATA = Path(__file__).resolve().parent / "data"


def main() -> None:
    helm = sys.argv[1] if len(sys.argv) > 1 else "/opt/realhelm/helm-v4"
    cases = yaml.safe_load((DATA / "helm_cases.yaml").read_text())["cases"]
    (DATA / "expected").mkdir(exist_ok=True)
    for case in cases:
        with tempfile.NamedTemporaryFile("w", suffix=".yaml") as values:
            values.write(case.get("values_file", ""))
            values.flush()
            args = [a.format(repo=DATA / "repo", values=values.name) for a in case["helm_args"]]
            out = subprocess.run([helm, *args], capture_output=True, text=True, check=True)
        (DATA / "expected" / f"{case['name']}.yaml").write_text(out.stdout)
        print(case["name"], len(out.stdout))


if __name__ == "__main__":
    main()
