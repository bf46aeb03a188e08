{{- define "shared.define" -}}from-sub1{{- end -}}
