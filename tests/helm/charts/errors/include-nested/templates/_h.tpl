{{- define "inner" -}}{{ .Values.a.b.c }}{{- end -}}
{{- define "outer" -}}
{{ include "inner" . }}{{- end -}}
