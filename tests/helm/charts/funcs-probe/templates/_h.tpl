{{- define "rec" -}}{{ if gt (int .) 0 }}{{ include "rec" (sub (int .) 1) }}{{ else }}done{{ end }}{{- end -}}
{{- define "ctx" -}}{{ .Template.Name }}|{{ .Template.BasePath }}{{- end -}}
