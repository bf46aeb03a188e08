"""Record what the REAL helm binaries print for the goyaml corpus (run by hand; tests never run helm).

    .venv/bin/python tests/goyaml/data/record.py /opt/realhelm/helm-v4 /opt/realhelm/helm-v3

Reads `cases.py` (the inputs), renders one chart per helm that applies toYaml, toJson, toPrettyJson,
toRawJson, toYamlPretty, toToml, fromYaml/fromYamlArray, fromJson/fromJsonArray and fromToml to the
inputs, and writes `expected.json` with the raw bytes (base64 inside the chart so the manifest parser
never sees them).
"""

from __future__ import annotations

import base64
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).parent))
from cases import json_cases, reader_cases, toml_cases, value_cases

HERE = Path(__file__).parent


def yq(v) -> str:
    """A YAML flow text that go-yaml reads back as exactly v (numbers are float64 in Helm anyway)."""
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, float):
        return repr(v)
    if isinstance(v, str):
        out = []
        for c in v:
            o = ord(c)
            if c == '"':
                out.append('\\"')
            elif c == "\\":
                out.append("\\\\")
            elif (
                0x20 <= o < 0x7F
                or (0xA0 <= o <= 0xD7FF and o != 0x2028 and o != 0x2029)
                or (0xE000 <= o <= 0xFFFD and o != 0xFEFF)
            ):
                out.append(c)
            elif o <= 0xFF:
                out.append(f"\\x{o:02x}")
            elif o <= 0xFFFF:
                out.append(f"\\u{o:04x}")
            else:
                out.append(f"\\U{o:08x}")
        return '"' + "".join(out) + '"'
    if isinstance(v, list):
        return "[" + ", ".join(yq(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{yq(k)}: {yq(x)}" for k, x in v.items()) + "}"
    raise TypeError(v)


TEMPLATE = """apiVersion: v1
kind: ConfigMap
metadata:
  name: corpus
data:
{{- range $i, $c := .Values.values }}
  y{{ $i }}: {{ toYaml $c | b64enc | quote }}
  j{{ $i }}: {{ toJson $c | b64enc | quote }}
  p{{ $i }}: {{ toYamlPretty $c | b64enc | quote }}
  P{{ $i }}: {{ toPrettyJson $c | b64enc | quote }}
  R{{ $i }}: {{ toRawJson $c | b64enc | quote }}
{{- if kindIs "map" $c }}
  t{{ $i }}: {{ toToml $c | b64enc | quote }}
{{- end }}
{{- end }}
{{- range $i, $s := .Values.texts }}
  r{{ $i }}: {{ fromYaml $s | toJson | b64enc | quote }}
  a{{ $i }}: {{ fromYamlArray $s | toJson | b64enc | quote }}
{{- end }}
{{- range $i, $s := .Values.jsons }}
  J{{ $i }}: {{ fromJson $s | toJson | b64enc | quote }}
  A{{ $i }}: {{ fromJsonArray $s | toJson | b64enc | quote }}
{{- end }}
{{- range $i, $s := .Values.tomls }}
  T{{ $i }}: {{ fromToml $s | toJson | b64enc | quote }}
{{- end }}
"""


def render(helm: str, values: list, texts: list, jsons: list, tomls: list) -> dict[str, str]:
    with tempfile.TemporaryDirectory() as d:
        chart = Path(d) / "corpus"
        (chart / "templates").mkdir(parents=True)
        (chart / "Chart.yaml").write_text("apiVersion: v2\nname: corpus\nversion: 0.1.0\n")
        lines = ["values:"] + [f"- {yq(v)}" for v in values] + ["texts:"] + [f"- {yq(t)}" for t in texts]
        lines += ["jsons:"] + [f"- {yq(t)}" for t in jsons] + ["tomls:"] + [f"- {yq(t)}" for t in tomls]
        (chart / "values.yaml").write_text("\n".join(lines) + "\n")
        (chart / "templates" / "cm.yaml").write_text(TEMPLATE)
        out = subprocess.run([helm, "template", "x", str(chart)], check=False, capture_output=True, text=True)
        if out.returncode:
            raise SystemExit(out.stderr)
    data = yaml.safe_load(out.stdout.split("\n", 2)[2])["data"]
    return {k: base64.b64decode(v).decode("utf-8") for k, v in data.items()}


def main() -> None:
    values, texts, jsons, tomls = value_cases(), reader_cases(), json_cases(), toml_cases()
    results = {}
    for helm in sys.argv[1:]:
        major = (
            "v4"
            if subprocess.run([helm, "version", "--short"], capture_output=True, text=True).stdout.startswith("v4")
            else "v3"
        )
        results[major] = render(helm, values, texts, jsons, tomls)
    expected = {"values": values, "texts": texts, "jsons": jsons, "tomls": tomls, "helm": results}
    (HERE / "expected.json").write_text(json.dumps(expected, indent=0, ensure_ascii=True, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
