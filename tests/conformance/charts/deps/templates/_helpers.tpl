{{- define "sub1.name" -}}parent-defined-{{ .Chart.Name }}{{- end }}
