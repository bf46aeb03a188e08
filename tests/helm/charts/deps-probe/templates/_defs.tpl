{{- define "shared.define" -}}from-parent:{{ .Template.Name }}{{- end -}}
