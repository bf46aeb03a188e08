"""Record what real Helm reads as `.Capabilities.APIVersions` from the simulated cluster (with the Widget CRD
established), for `test_kube_helm_capabilities.py`. Run by hand when the sim's set of kinds changes:

    .venv/bin/python tests/kube/record_helm_api_versions.py /opt/realhelm/helm-v4

Needs a real helm binary; the test itself does not.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import yaml
from kube_manifests import widget_crd

from wavecd.core import ManualClock
from wavecd.kube import KubeClient
from wavecd.sim.cluster import SimCluster

TEMPLATE = """apiVersion: v1
kind: ConfigMap
metadata:
  name: capabilities
data:
  versions: |
{{- range .Capabilities.APIVersions }}
    {{ . }}
{{- end }}
"""
OUT = Path(__file__).parent / "data" / "helm_api_versions.txt"


def main(helm: str) -> None:
    with tempfile.TemporaryDirectory() as tmp, SimCluster(clock=ManualClock()) as sim:
        chart = Path(tmp, "chart")
        (chart / "templates").mkdir(parents=True)
        (chart / "Chart.yaml").write_text("apiVersion: v2\nname: capabilities\nversion: 0.1.0\n")
        (chart / "templates" / "cm.yaml").write_text(TEMPLATE)
        kubeconfig = str(Path(tmp, "kubeconfig"))
        sim.write_kubeconfig(kubeconfig)
        with KubeClient.for_server(sim.url) as kube:
            kube.apply(widget_crd())
            sim.advance(0.2)
        # --validate makes `helm template` read capabilities from the cluster instead of its defaults.
        out = subprocess.run(
            [helm, "template", "x", str(chart), "--validate", "--kubeconfig", kubeconfig],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    doc = yaml.safe_load(out.split("---", 1)[1])
    versions = sorted(line.strip() for line in doc["data"]["versions"].splitlines() if line.strip())
    OUT.write_text("".join(f"{v}\n" for v in versions))
    print(f"{len(versions)} entries written to {OUT}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/opt/realhelm/helm-v4")
