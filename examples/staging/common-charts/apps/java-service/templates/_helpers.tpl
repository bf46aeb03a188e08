{{/*
Every service sets nameOverride to its own name, so the Deployment, Service and container are
named after the service (auth-guard) rather than after this shared chart (java-service).
*/}}
{{- define "java-service.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Helm's usual full name: the release name alone when it already contains the name, so a release
"auth-guard" with nameOverride "auth-guard" gives "auth-guard", not "auth-guard-auth-guard".
*/}}
{{- define "java-service.fullname" -}}
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

{{- define "java-service.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels on every object; the image tag is the version users deploy, not the chart's appVersion. */}}
{{- define "java-service.labels" -}}
helm.sh/chart: {{ include "java-service.chart" . }}
{{ include "java-service.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: {{ .Values.partOf | default "staging-webs" }}
{{- end }}

{{/* Selector labels never change after the first deploy, so they hold nothing version-like. */}}
{{- define "java-service.selectorLabels" -}}
app.kubernetes.io/name: {{ include "java-service.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
Pod labels: the selector labels, part-of (which the podAffinity in deployment.yaml matches on)
and Istio's `app` label, which Kiali and the telemetry use as the workload name.
*/}}
{{- define "java-service.podLabels" -}}
{{ include "java-service.selectorLabels" . }}
app.kubernetes.io/part-of: {{ .Values.partOf | default "staging-webs" }}
app: {{ include "java-service.name" . }}
{{- with .Values.podLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Istio's `version` label, which telemetry and Kiali use to tell releases of one app apart. */}}
{{- define "java-service.versionLabel" -}}
version: {{ .Values.versionLabel | default .Values.image.tag | quote }}
{{- end }}

{{- define "java-service.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "java-service.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}
