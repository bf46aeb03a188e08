"""Record what real helm prints for every expression in data/sprig_cases.txt (development tool, not a test).

Run `python tests/sprig/record_sprig_oracle.py [v3|v4]` on a machine with the reference binaries in
/opt/realhelm. Each expression is rendered as `printf "%T\\x00%v"` of its value, base64-encoded so any
bytes survive YAML; failing expressions are isolated by bisection and their error text recorded. The
output, data/sprig_oracle_<ver>.json, is what the tests compare against: it comes from helm, never
from wavecd.
"""

from __future__ import annotations

import base64
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

HERE = Path(__file__).parent
HELM = {"v4": "/opt/realhelm/helm-v4", "v3": "/opt/realhelm/helm-v3"}
ERROR_AT = re.compile(r'executing "[^"]*" at <.*?>: (.*)', re.S)


def render(binary: str, exprs: list[str]) -> subprocess.CompletedProcess[str]:
    with tempfile.TemporaryDirectory() as tmp:
        chart = Path(tmp)
        (chart / "templates").mkdir()
        (chart / "Chart.yaml").write_text("apiVersion: v2\nname: p\nversion: 0.1.0\n")
        lines = ["apiVersion: v1", "kind: ConfigMap", "metadata:", "  name: p", "data:"]
        for i, expr in enumerate(exprs):
            lines.append(f'  k{i}: "{{{{ $v := ({expr}) }}}}{{{{ printf "%T\\x00%v" $v $v | b64enc }}}}"')
        (chart / "templates" / "cm.yaml").write_text("\n".join(lines) + "\n")
        return subprocess.run([binary, "template", "x", str(chart)], capture_output=True, text=True)


def record(binary: str, exprs: list[str]) -> dict[str, dict[str, str]]:
    proc = render(binary, exprs)
    if proc.returncode == 0:
        doc = yaml.safe_load(proc.stdout.split("# Source: p/templates/cm.yaml\n", 1)[1])
        out = {}
        for i, expr in enumerate(exprs):
            raw = base64.b64decode(doc["data"][f"k{i}"]).decode("utf-8", "surrogateescape")
            type_name, text = raw.split("\x00", 1)
            out[expr] = {"type": type_name, "value": text}
        return out
    if len(exprs) == 1:
        err = proc.stderr.strip().removeprefix("Error: ").split("\n\nUse --debug")[0]
        m = ERROR_AT.search(err)
        return {exprs[0]: {"error": m.group(1) if m else err}}
    half = len(exprs) // 2
    return record(binary, exprs[:half]) | record(binary, exprs[half:])


def main() -> None:
    ver = sys.argv[1] if len(sys.argv) > 1 else "v4"
    cases = [
        line.rstrip("\n")
        for line in (HERE / "data" / "sprig_cases.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    result = record(HELM[ver], cases)
    out = HERE / "data" / f"sprig_oracle_{ver}.json"
    out.write_text(json.dumps({c: result[c] for c in cases}, indent=1) + "\n")
    print(f"{len(cases)} cases -> {out}")


if __name__ == "__main__":
    main()
