{{- define "sub1.name" -}}sub1-defined-{{ .Chart.Name }}{{- end }}
{{- define "sub1.only" -}}sub1-only{{- end }}
