"""Records real helm's stdout/stderr/exit status for tests/helm/data/cases.json (run by hand; not a test).

Runs `/opt/realhelm/helm-v3` and `/opt/realhelm/helm-v4` (3.17.2 and 4.1.4) with each case's arguments,
in tests/helm/charts, and writes tests/helm/data/expected/<id>.<v3|v4>.json.
"""

import json
import pathlib
import subprocess

HERE = pathlib.Path(__file__).parent


def main() -> None:
    cases = json.loads((HERE / "data/cases.json").read_text())
    out_dir = HERE / "data/expected"
    out_dir.mkdir(exist_ok=True)
    for case in cases:
        for mode in ("v3", "v4"):
            proc = subprocess.run(
                [f"/opt/realhelm/helm-{mode}", "template", *case["args"]],
                capture_output=True,
                cwd=HERE / "charts",
                check=False,
            )
            record = {"rc": proc.returncode, "stdout": proc.stdout.decode(), "stderr": proc.stderr.decode()}
            (out_dir / f"{case['id']}.{mode}.json").write_text(json.dumps(record, indent=1) + "\n")


if __name__ == "__main__":
    main()
