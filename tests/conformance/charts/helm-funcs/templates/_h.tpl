{{- define "yamlBlock" -}}
{{ toYaml .Values.table }}
{{- end }}
