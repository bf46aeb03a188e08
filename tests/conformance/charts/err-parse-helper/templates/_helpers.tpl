{{- define "h" -}}
{{ if }}
{{- end }}
