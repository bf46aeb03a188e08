"""Parse and execute throughput of the template engine on a realistic chart template.

    .venv/bin/python bench/gotemplate_bench.py

A Deployment template in the style of `helm create` (a _helpers.tpl with names and labels, `include`
piped into `nindent`, `with`/`range`/`if` over values) runs against typical values. Sprig is not used:
the few functions the template needs are small stand-ins, so the numbers measure the engine itself.
"""

from __future__ import annotations

import time
import timeit

from wavecd.gotemplate import TemplateSet, template_set
from wavecd.gotemplate.funcs import GoFunc

HELPERS = """{{/* Expand the name of the chart. */}}
{{- define "app.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "app.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "app.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "app.labels" -}}
helm.sh/chart: {{ include "app.chart" . }}
{{ include "app.selectorLabels" . }}
{{- if .Chart.AppVersion }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "app.selectorLabels" -}}
app.kubernetes.io/name: {{ include "app.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}
"""

DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "app.fullname" . }}
  labels:
    {{- include "app.labels" . | nindent 4 }}
spec:
  {{- if not .Values.autoscaling.enabled }}
  replicas: {{ .Values.replicaCount }}
  {{- end }}
  selector:
    matchLabels:
      {{- include "app.selectorLabels" . | nindent 6 }}
  template:
    metadata:
      {{- with .Values.podAnnotations }}
      annotations:
        {{- range $k, $v := . }}
        {{ $k }}: {{ $v | quote }}
        {{- end }}
      {{- end }}
      labels:
        {{- include "app.selectorLabels" . | nindent 8 }}
    spec:
      containers:
        - name: {{ .Chart.Name }}
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}"
          imagePullPolicy: {{ .Values.image.pullPolicy }}
          ports:
            {{- range .Values.ports }}
            - name: {{ .name }}
              containerPort: {{ .port }}
              protocol: {{ .protocol | default "TCP" }}
            {{- end }}
          env:
            {{- range $name, $value := .Values.env }}
            - name: {{ $name }}
              value: {{ $value | quote }}
            {{- end }}
          {{- with .Values.resources }}
          resources:
            limits:
              cpu: {{ .limits.cpu }}
              memory: {{ .limits.memory }}
          {{- end }}
"""

VALUES = {
    "replicaCount": 2.0,
    "image": {"repository": "nginx", "pullPolicy": "IfNotPresent", "tag": ""},
    "nameOverride": "",
    "fullnameOverride": "",
    "podAnnotations": {"prometheus.io/scrape": "true", "prometheus.io/port": "9090"},
    "autoscaling": {"enabled": False},
    "ports": [{"name": "http", "port": 8080.0, "protocol": "TCP"}, {"name": "metrics", "port": 9090.0}],
    "env": {"LOG_LEVEL": "info", "REGION": "eu-west-1", "FEATURE_X": "on"},
    "resources": {"limits": {"cpu": "500m", "memory": "256Mi"}},
}
CONTEXT = {
    "Values": VALUES,
    "Chart": {"Name": "app", "Version": "1.2.3", "AppVersion": "4.5.6"},
    "Release": {"Name": "rel", "Service": "Helm"},
}


def _default(d: object, *given: object) -> object:
    return given[0] if given and given[0] else d


def _nindent(n: int, s: str) -> str:
    pad = " " * n
    return "\n" + pad + s.replace("\n", "\n" + pad)


def make_set() -> TemplateSet:
    ts = TemplateSet({})
    funcs = {
        "default": GoFunc("default", _default, ("interface {}",), "interface {}"),
        "trunc": GoFunc("trunc", lambda c, s: s[:c] if len(s) > c else s, ("int", "string")),
        "trimSuffix": GoFunc("trimSuffix", lambda a, b: b.removesuffix(a), ("string", "string")),
        "contains": GoFunc("contains", lambda sub, s: sub in s, ("string", "string")),
        "replace": GoFunc("replace", lambda o, n, s: s.replace(o, n), ("string", "string", "string")),
        "quote": GoFunc("quote", lambda *a: " ".join(f'"{x}"' for x in a if x is not None), (), "interface {}"),
        "nindent": GoFunc("nindent", _nindent, ("int", "string")),
        "include": GoFunc("include", lambda name, data: ts.execute(name, data), ("string", "interface {}")),
    }
    ts.funcs.update(funcs)
    return ts


def _best(fn: object, number: int, repeat: int = 5) -> float:
    """CPU seconds per call, best of `repeat` rounds (CPU time, so a busy machine disturbs it less)."""
    rounds = (timeit.Timer(fn, timer=time.process_time).timeit(number=number) for _ in range(repeat))  # type: ignore[arg-type]
    return min(rounds) / number


def main() -> None:
    ts = make_set()
    ts.parse("app/templates/_helpers.tpl", HELPERS)
    ts.parse("app/templates/deployment.yaml", DEPLOYMENT)
    out = ts.execute("app/templates/deployment.yaml", CONTEXT)
    assert "containerPort: 8080" in out, out

    def parse_cold() -> TemplateSet:
        template_set.clear_cache()
        fresh = make_set()
        fresh.parse("app/templates/_helpers.tpl", HELPERS)
        fresh.parse("app/templates/deployment.yaml", DEPLOYMENT)
        return fresh

    def first_render() -> None:
        parse_cold().execute("app/templates/deployment.yaml", CONTEXT)

    def parse_cached() -> None:
        fresh = make_set()
        fresh.parse("app/templates/_helpers.tpl", HELPERS)
        fresh.parse("app/templates/deployment.yaml", DEPLOYMENT)

    def execute() -> None:
        ts.execute("app/templates/deployment.yaml", CONTEXT)

    cold = _best(parse_cold, 20)
    first = _best(first_render, 20)
    cached = _best(parse_cached, 200)
    run = _best(execute, 1000)
    size = len(HELPERS) + len(DEPLOYMENT)
    print(f"template text: {size} bytes in 2 files, 7 templates; output {len(out)} bytes; 6 includes per render")
    print(f"parse (lex+parse, compile deferred): {cold * 1e3:7.3f} ms  ({size / cold / 1e6:5.2f} MB/s)")
    print(f"parse + compile + first execute:     {first * 1e3:7.3f} ms")
    print(f"parse again (compile cache hit):     {cached * 1e6:7.1f} µs")
    print(f"execute (compiled):                  {run * 1e6:7.1f} µs  ({1 / run:7.0f} renders/s)")


if __name__ == "__main__":
    main()
