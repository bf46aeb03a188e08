{{- define "order.name" -}}{{ .Chart.Name }}{{- end -}}
