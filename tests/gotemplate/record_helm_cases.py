"""Record what the real helm binaries do with each case of data/helm_cases.yaml (not a test).

    .venv/bin/python tests/gotemplate/record_helm_cases.py [/opt/realhelm]

For every case and both helm lines (v3.17.2 = go1.23, v4.1.4 = go1.25) it builds a throw-away chart:

* `templates/_case.tpl` holds the case, `templates/out.yaml` prints
  `{{ include "ch/templates/_case.tpl" (dict "Values" .Values) | b64enc }}`, so the exact bytes the
  template engine produced survive helm's YAML post-processing;
* if that fails, the case alone is rendered as `templates/case.yaml` and helm's error text is recorded.

The result, data/helm_expected.json, is what tests/gotemplate/test_gotemplate_helm_cases.py compares
against; it is produced by real helm only, never by wavecd.
"""

from __future__ import annotations

import base64
import json
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import yaml

HERE = Path(__file__).parent
WRAPPER = 'v: {{ include "ch/templates/_case.tpl" (dict "Values" .Values) | b64enc }}\n'


def _chart(root: Path, files: dict[str, str], values: str) -> Path:
    chart = root / "ch"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: ch\nversion: 0.1.0\n")
    (chart / "values.yaml").write_text(values)
    for name, text in files.items():
        (chart / "templates" / name).write_text(text)
    return chart


def _helm(binary: str, files: dict[str, str], values: str) -> tuple[int, str]:
    with tempfile.TemporaryDirectory() as tmp:
        chart = _chart(Path(tmp), files, values)
        p = subprocess.run([binary, "template", "x", str(chart)], capture_output=True, text=True, timeout=60)
        return p.returncode, p.stdout + p.stderr


def _error_text(out: str) -> str:
    text = out.split("Error: ", 1)[1] if "Error: " in out else out
    return text.split("\n\nUse --debug", 1)[0].rstrip("\n")


def record(case: dict, binary: str) -> dict:
    values = case.get("values", "")
    rc, out = _helm(binary, {"_case.tpl": case["tpl"], "out.yaml": WRAPPER}, values)
    if rc == 0:
        line = next(ln for ln in out.splitlines() if ln.startswith("v:"))
        return {"output": base64.b64decode(line[2:].strip()).decode("utf-8", "surrogateescape")}
    rc, out = _helm(binary, {"case.yaml": case["tpl"]}, values)
    if rc == 0:
        return {"inconsistent": out}
    return {"error": _error_text(out)}


def main() -> None:
    base = Path(sys.argv[1] if len(sys.argv) > 1 else "/opt/realhelm")
    cases = yaml.safe_load((HERE / "data" / "helm_cases.yaml").read_text())
    result: dict[str, dict] = {}
    with ThreadPoolExecutor(4) as pool:
        for version, binary in (("v3", base / "helm-v3"), ("v4", base / "helm-v4")):
            for case, rec in zip(cases, pool.map(lambda c, b=str(binary): record(c, b), cases), strict=True):
                result.setdefault(case["name"], {})[version] = rec
    (HERE / "data" / "helm_expected.json").write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
